// Bundles the Node host (server/main.ts and the kernel it imports) into build/host/main.js, and
// the code tools' sandbox worker into build/host/sandbox-worker.js beside it (the host starts it
// from there: see server/sandbox/worker-entry.ts), and the marketplace's node program into
// build/host/marketplace-node.js (the embedded provider and fizz nodes run it as child
// processes; ADR 024). npm packages stay external; tsconfig paths
// (#agents/*, #db/*, …) are resolved by esbuild.
import { build } from "esbuild";

await build({
  entryPoints: { main: "server/main.ts", "sandbox-worker": "server/sandbox/worker.ts", "marketplace-node": "server/marketplace/node/main.ts" },
  outdir: "build/host",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  sourcemap: true,
  logLevel: "warning",
});
console.log("built build/host/main.js, build/host/sandbox-worker.js and build/host/marketplace-node.js");
