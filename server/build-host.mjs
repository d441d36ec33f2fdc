// Bundles the Node host (server/main.ts and the kernel it imports) into build/host/main.js.
// npm packages stay external; tsconfig paths (#agents/*, #db/*, …) are resolved by esbuild.
import { build } from "esbuild";

await build({
  entryPoints: ["server/main.ts"],
  outfile: "build/host/main.js",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  sourcemap: true,
  logLevel: "warning",
});
console.log("built build/host/main.js");
