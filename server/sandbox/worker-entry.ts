/** Where the sandbox worker's code is, and how to start it. */
export type WorkerEntry = { url: URL; workerData?: unknown };

/**
 * From TypeScript sources (vitest, tsx) the worker is server/sandbox/worker.ts, loaded through
 * dev-worker.mjs. In a bundle (build/host/main.js, see server/build-host.mjs) this module is
 * inlined into the bundle, so import.meta.url is the bundle's, and the worker is its sibling
 * entry point sandbox-worker.js.
 */
export function sandboxWorkerEntry(moduleUrl: string = import.meta.url): WorkerEntry {
  if (moduleUrl.endsWith(".ts")) {
    return { url: new URL("./dev-worker.mjs", moduleUrl), workerData: { entry: new URL("./worker.ts", moduleUrl).href } };
  }
  return { url: new URL("./sandbox-worker.js", moduleUrl) };
}
