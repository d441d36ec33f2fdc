import { join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Bundles bench entry points the way server/build-host.mjs bundles the host for `npm start`
 * (esbuild, npm packages external), so a bench measures the code production runs: under tsx
 * every closure also pays for esbuild's keep-names wrapper, and module loading goes through
 * tsx's hooks. The bundles sit inside the project (node_modules/.cache) so their npm imports
 * resolve. `subdir` ("" for none) keeps benches apart; returns the output folder, where each
 * entry is `<name><extension>`.
 */
export async function bundleAsProduction(subdir: string, entryPoints: Record<string, string>, extension: ".js" | ".mjs" = ".js"): Promise<string> {
  const { build } = await import("esbuild");
  const { hostBundleOptions } = await import("#server/package-imports.mjs");
  const outdir = join(fileURLToPath(new URL("../..", import.meta.url)), "node_modules", ".cache", "skyloom-bench", subdir);
  await build({
    entryPoints,
    outdir,
    outExtension: { ".js": extension },
    ...hostBundleOptions(),
    logLevel: "warning",
  });
  return outdir;
}
