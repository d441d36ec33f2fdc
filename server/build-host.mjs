// Bundles the Node host (server/main.ts and the kernel it imports) into build/host/main.js, and
// the code tools' sandbox worker into build/host/sandbox-worker.js beside it (the host starts it
// from there: see server/sandbox/worker-entry.ts), and the knowledge bases' document parser into
// build/host/knowledge-parse-worker.js (server/knowledge/document-parser.ts), and the marketplace's
// node program into build/host/marketplace-node.js (the embedded provider and fizz nodes run it as
// child processes; ADR 024), and the flow importer into build/host/import-worker.js. npm packages stay external; the #agents/*,
// #db/*, … imports resolve through package.json "imports".
import { build } from "esbuild";
import { hostBundleOptions, projectRoot } from "./package-imports.mjs";

await build({
  entryPoints: {
    main: "server/main.ts",
    "sandbox-worker": "server/sandbox/worker.ts",
    "knowledge-parse-worker": "server/knowledge/parse-worker.ts",
    "import-worker": "server/import/worker.ts",
    "marketplace-node": "server/marketplace/node/main.ts",
  },
  absWorkingDir: projectRoot,
  outdir: "build/host",
  ...hostBundleOptions(),
  sourcemap: true,
  logLevel: "warning",
});
console.log("built build/host/main.js, build/host/sandbox-worker.js, build/host/knowledge-parse-worker.js, build/host/import-worker.js and build/host/marketplace-node.js");
