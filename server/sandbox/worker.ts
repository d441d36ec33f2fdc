/**
 * A sandbox worker thread: loads QuickJS once, then evaluates one job at a time and posts the
 * outcome back. The pool ends the whole thread when a job outlives its limit, so nothing here
 * has to be interruptible. Bundled as build/host/sandbox-worker.js for `npm start`.
 */
import { readlinkSync } from "node:fs";
import { setPriority } from "node:os";
import { parentPort } from "node:worker_threads";
import { newQuickJSWASMModule } from "quickjs-emscripten";
import { evaluateToolCode, type SandboxOutcome } from "#agents/blocks/tool-code/sandbox.server";
import type { JobMessage, WorkerMessage } from "./protocol";

const port = parentPort;
if (!port) throw new Error("server/sandbox/worker.ts runs as a worker thread of the sandbox pool.");

/**
 * Lowers this thread's scheduling priority (nice 10), so on a busy machine the host's event
 * loop gets the CPU before user code does. Linux keeps a nice value per thread; elsewhere
 * there is no thread id to name (no /proc), and the thread keeps the process's priority.
 */
function yieldToTheHost(): void {
  let threadId: number;
  try {
    threadId = Number(readlinkSync("/proc/thread-self").split("/").at(-1));
  } catch {
    return;
  }
  if (Number.isInteger(threadId) && threadId > 0) setPriority(threadId, 10);
}

yieldToTheHost();
const quickjs = await newQuickJSWASMModule();
// V8 compiles WebAssembly functions on their first call, and after the first evaluation the
// thread is busy for a while longer before its event loop turns (about 0.5 s on a busy
// machine; measured, cause not pinned down). One small evaluation and one turn of the event
// loop at boot keep both out of the first real call's time limit.
evaluateToolCode(quickjs, "return JSON.parse(JSON.stringify({ warm: [1, 'up'] }));", "{}", { timeoutMs: 60_000, memoryBytes: 16 * 1024 * 1024 });
await new Promise((resolve) => setImmediate(resolve));

port.on("message", (job: JobMessage) => {
  let outcome: SandboxOutcome;
  try {
    outcome = evaluateToolCode(quickjs, job.code, job.inputJson, job.limits);
  } catch (error) {
    outcome = { ok: false, reason: "crashed", message: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage({ type: "done", id: job.id, outcome } satisfies WorkerMessage);
});
port.postMessage({ type: "ready" } satisfies WorkerMessage);
