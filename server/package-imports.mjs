// The esbuild side of the #agents/*, #server/*, #db/* and #app/* imports (docs/decisions/021).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const projectRoot = fileURLToPath(new URL("..", import.meta.url));

/** package.json "imports" key → its target for bundlers (a condition object's "default"). */
function importTargets() {
  const imports = JSON.parse(readFileSync(`${projectRoot}package.json`, "utf8")).imports;
  return Object.entries(imports).map(([key, target]) => ({ key, target: typeof target === "string" ? target : target.default }));
}

/** The path `specifier` maps to, as Node reads "imports": an exact key first, then a `*` pattern. */
export function mapImport(specifier, targets = importTargets()) {
  const exact = targets.find((t) => t.key === specifier);
  if (exact) return exact.target;
  for (const { key, target } of targets) {
    const [prefix, suffix = ""] = key.split("*");
    if (key.includes("*") && specifier.startsWith(prefix) && specifier.endsWith(suffix)) {
      return target.replace("*", specifier.slice(prefix.length, specifier.length - suffix.length));
    }
  }
  return null;
}

/**
 * An esbuild plugin that resolves `#…` imports through package.json "imports", then lets esbuild
 * find the file as it finds a relative import's: esbuild, like Node, adds no file extension to
 * an "imports" target by itself, and the sources import without extensions. Every bundle of
 * project code (the host, benchmarks, tests) uses it.
 */
export function packageImportsPlugin() {
  const targets = importTargets();
  return {
    name: "package-imports",
    setup(build) {
      build.onResolve({ filter: /^#/ }, (args) => {
        const path = mapImport(args.path, targets);
        return path === null ? undefined : build.resolve(path, { kind: args.kind, resolveDir: projectRoot });
      });
    },
  };
}

/**
 * The esbuild options every bundle of the host's code shares (`npm run build`, the benches that
 * measure what production runs, the test of what the host imports at start): one ES module for
 * Node 20, npm packages left to node_modules, `#…` imports resolved as above.
 * @returns {{ bundle: true; platform: "node"; format: "esm"; target: string; packages: "external"; plugins: import("esbuild").Plugin[] }}
 */
export function hostBundleOptions() {
  return { bundle: true, platform: "node", format: "esm", target: "node20", packages: "external", plugins: [packageImportsPlugin()] };
}
