/**
 * The flow importer's worker thread: reads one uploaded file at a time (Flowise, Langflow, Dify
 * YAML, a Skyloom flow file) with the kernel's pure importers and posts the graph and report
 * back. Parsing a stranger's file (YAML especially: about 4 s per MB, ADR 023) never holds the
 * host's event loop. Bundled as build/host/import-worker.js for `npm start`.
 */
import { parentPort } from "node:worker_threads";
import { ImportError, importFlowFile } from "#agents/import/index";
import type { ImportJob, ImportOutcome, ImportWorkerMessage } from "./protocol";

const port = parentPort;
if (!port) throw new Error("server/import/worker.ts runs as a worker thread of the flow importer.");

function handle(job: ImportJob): ImportOutcome {
  try {
    return { ok: true, result: importFlowFile(job.text, job.fileName) };
  } catch (error) {
    if (error instanceof ImportError) return { ok: false, refused: true, code: error.code, message: error.message, details: [...error.details] };
    return { ok: false, refused: false, message: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
}

port.on("message", (job: ImportJob) => port.postMessage({ type: "done", id: job.id, outcome: handle(job) } satisfies ImportWorkerMessage));
port.postMessage({ type: "ready" } satisfies ImportWorkerMessage);
