import { shouldInterruptAfterDeadline, type QuickJSWASMModule } from "quickjs-emscripten";
import type { SandboxLimits } from "../../runtime/context";

/**
 * How one evaluation ended. `message` is the code's own error for "code", and a technical
 * detail otherwise; the host turns a failure into the message the agent sees.
 */
export type SandboxFailureReason = "timeout" | "memory" | "stack" | "code" | "crashed";
export type SandboxOutcome = { ok: true; json: string } | { ok: false; reason: SandboxFailureReason; message: string };

/** Tool results go to a model, which reads far less than this; larger ones are refused. */
export const MAX_RESULT_CHARS = 1_000_000;
/** An error message crosses back to the host; a huge one would only cost memory there. */
const MAX_MESSAGE_CHARS = 2_000;

// Small enough that QuickJS reports "stack overflow" before the WebAssembly frames exhaust
// the thread's own stack (which would throw out of the module and leave it in a broken state).
const STACK_BYTES = 256 * 1024;

function describeVmError(dumped: unknown): string {
  if (typeof dumped === "object" && dumped !== null) {
    const e = dumped as { name?: string; message?: string };
    if (e.message) return e.name ? `${e.name}: ${e.message}` : e.message;
  }
  return String(dumped);
}

const clip = (text: string) => (text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS)}…` : text);

/** The function body wrapped so that only JSON goes in and only JSON text comes out. */
function wrap(code: string, inputJson: string): string {
  return [
    '"use strict";',
    `const __input = JSON.parse(${JSON.stringify(inputJson)});`,
    `const __result = (function (input) {\n${code}\n})(__input);`,
    'if (__result && typeof __result.then === "function") throw new TypeError("Return a value, not a Promise: the sandbox has no async host APIs.");',
    "const __json = JSON.stringify(__result === undefined ? null : __result);",
    'if (typeof __json !== "string") throw new TypeError("The code must return JSON: an object, array, string, number, boolean or null.");',
    `if (__json.length > ${MAX_RESULT_CHARS}) throw new RangeError("The result is over ${MAX_RESULT_CHARS.toLocaleString("en-US")} characters of JSON; return less.");`,
    "__json;",
  ].join("\n");
}

/**
 * Runs a function body in a fresh QuickJS runtime of `quickjs`, with `input` parsed from
 * `inputJson`: no require, no process, no
 * network, no files, no timers; memory, stack and time are capped inside QuickJS.
 *
 * This runs on the calling thread and a long built-in call (a huge JSON.stringify, a
 * backtracking regex) is not interrupted by QuickJS's deadline, so only the sandbox worker
 * calls it (server/sandbox/worker.ts), where the host can end the whole thread at the limit.
 * An outcome of "crashed" means the module's memory may be inconsistent: drop the module.
 */
export function evaluateToolCode(quickjs: QuickJSWASMModule, code: string, inputJson: string, limits: SandboxLimits): SandboxOutcome {
  const runtime = quickjs.newRuntime();
  runtime.setMemoryLimit(limits.memoryBytes);
  runtime.setMaxStackSize(STACK_BYTES);
  const deadline = Date.now() + limits.timeoutMs;
  runtime.setInterruptHandler(shouldInterruptAfterDeadline(deadline));
  const vm = runtime.newContext();
  let result: ReturnType<typeof vm.evalCode>;
  try {
    result = vm.evalCode(wrap(code, inputJson), "tool.js");
  } catch (hostError) {
    // Thrown out of the WebAssembly module itself: disposing into it is not safe any more.
    return { ok: false, reason: "crashed", message: clip(hostError instanceof Error ? hostError.message : String(hostError)) };
  }
  try {
    if (!result.error) {
      const json = vm.getString(result.value);
      result.value.dispose();
      return { ok: true, json };
    }
    const dumped: unknown = vm.dump(result.error);
    result.error.dispose();
    const message = clip(describeVmError(dumped));
    if (/interrupted/i.test(message)) return { ok: false, reason: "timeout", message };
    if (/out of memory/i.test(message) || dumped === null) return { ok: false, reason: "memory", message };
    if (Date.now() >= deadline) return { ok: false, reason: "timeout", message };
    if (/stack overflow/i.test(message)) return { ok: false, reason: "stack", message };
    return { ok: false, reason: "code", message };
  } finally {
    vm.dispose();
    runtime.dispose();
  }
}
