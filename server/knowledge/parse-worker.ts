/**
 * The document parser's worker thread: parses and splits one document at a time and posts the
 * chunks back. Bundled as build/host/knowledge-parse-worker.js for `npm start`.
 */
import { parentPort } from "node:worker_threads";
import { UnsupportedDocumentError } from "./formats";
import { parseDocument } from "./parse";
import type { ParseJob, ParseOutcome, ParseWorkerMessage } from "./parse-protocol";
import { splitSections } from "./split";

const port = parentPort;
if (!port) throw new Error("server/knowledge/parse-worker.ts runs as a worker thread of the document parser.");

async function handle(job: ParseJob): Promise<ParseOutcome> {
  try {
    const parsed = await parseDocument(job.name, job.format, job.bytes, job.limits);
    port?.postMessage({ type: "chunking", id: job.id } satisfies ParseWorkerMessage);
    const chunks = await splitSections(parsed.sections, job.split);
    return { ok: true, chunks, ...(parsed.pages !== undefined ? { pages: parsed.pages } : {}), ...(parsed.title ? { title: parsed.title } : {}) };
  } catch (error) {
    if (error instanceof UnsupportedDocumentError) return { ok: false, refused: true, message: error.message };
    return { ok: false, refused: false, message: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
}

port.on("message", (job: ParseJob) => {
  void handle(job).then((outcome) => port.postMessage({ type: "done", id: job.id, outcome } satisfies ParseWorkerMessage));
});
port.postMessage({ type: "ready" } satisfies ParseWorkerMessage);
