// The esbuild side of the #agents/*, #server/*, #db/* and #app/* imports (docs/decisions/021).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const projectRoot = fileURLToPath(new URL("..", import.meta.url));

/**
 * An esbuild plugin that resolves `#…` imports through package.json "imports" (each key's
 * "default" target), then lets esbuild find the file as it finds a relative import's: esbuild,
 * like Node, adds no file extension to an "imports" target by itself, and the sources import
 * without extensions. Every bundle of project code (the host, benchmarks, tests) uses it.
 */
export function packageImportsPlugin() {
  const imports = JSON.parse(readFileSync(`${projectRoot}package.json`, "utf8")).imports;
  const patterns = Object.entries(imports).map(([key, target]) => ({
    prefix: key.replace(/\*$/, ""),
    targetPrefix: (typeof target === "string" ? target : target.default).replace(/\*$/, ""),
  }));
  return {
    name: "package-imports",
    setup(build) {
      build.onResolve({ filter: /^#/ }, (args) => {
        const pattern = patterns.find((p) => args.path.startsWith(p.prefix));
        if (!pattern) return undefined;
        const path = pattern.targetPrefix + args.path.slice(pattern.prefix.length);
        return build.resolve(path, { kind: args.kind, resolveDir: projectRoot });
      });
    },
  };
}
