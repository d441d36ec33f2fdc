// Starts the sandbox worker from its TypeScript source (vitest, tsx, the benches): a worker
// thread does not inherit the parent's loader hooks, so it loads tsx's itself. The bundled
// host starts build/host/sandbox-worker.js directly instead.
import { workerData } from "node:worker_threads";
import { tsImport } from "tsx/esm/api";

await tsImport(workerData.entry, import.meta.url);
