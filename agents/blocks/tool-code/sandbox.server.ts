import type { QuickJSWASMModule } from "quickjs-emscripten";

export type SandboxLimits = { timeoutMs: number; memoryBytes: number };

export class SandboxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SandboxError";
  }
}

// Small enough that QuickJS reports "stack overflow" before the WebAssembly frames exhaust
// Node's own stack (which would throw out of the module and leave it in a broken state).
const STACK_BYTES = 256 * 1024;

// Imported with the first Code Tool run, not at start (like LangChain, see langchain.server.ts).
let module: Promise<QuickJSWASMModule> | null = null;
function quickJs(): Promise<QuickJSWASMModule> {
  module ??= import("quickjs-emscripten").then(({ newQuickJSWASMModule }) => newQuickJSWASMModule());
  return module;
}

/** QuickJS's interrupt handler for a deadline: true once the time is up. */
const pastDeadline = (deadline: number) => () => Date.now() > deadline;

function describeVmError(dumped: unknown): string {
  if (typeof dumped === "object" && dumped !== null) {
    const e = dumped as { name?: string; message?: string };
    if (e.message) return e.name ? `${e.name}: ${e.message}` : e.message;
  }
  return String(dumped);
}

/**
 * Runs a function body in a fresh QuickJS (WebAssembly) runtime: no require, no process, no
 * network, no files, no timers; memory, stack and time are capped. `input` is passed in as
 * JSON and the return value comes back as JSON, so nothing but data crosses the boundary.
 */
export async function runInSandbox(code: string, input: unknown, limits: SandboxLimits): Promise<unknown> {
  const QuickJS = await quickJs();
  const runtime = QuickJS.newRuntime();
  runtime.setMemoryLimit(limits.memoryBytes);
  runtime.setMaxStackSize(STACK_BYTES);
  const deadline = Date.now() + limits.timeoutMs;
  runtime.setInterruptHandler(pastDeadline(deadline));
  const vm = runtime.newContext();
  let disposed = false;
  try {
    const source = [
      '"use strict";',
      `const __input = JSON.parse(${JSON.stringify(JSON.stringify(input ?? null))});`,
      `const __result = (function (input) {\n${code}\n})(__input);`,
      'if (__result && typeof __result.then === "function") throw new TypeError("Return a value, not a Promise: the sandbox has no async host APIs.");',
      "const __json = JSON.stringify(__result === undefined ? null : __result);",
      'if (typeof __json !== "string") throw new TypeError("The code must return JSON: an object, array, string, number, boolean or null.");',
      "__json;",
    ].join("\n");
    let result: ReturnType<typeof vm.evalCode>;
    try {
      result = vm.evalCode(source, "tool.js");
    } catch (hostError) {
      // An exception from the host side means the module's memory may be inconsistent:
      // drop the whole module (a fresh one is made next time) instead of disposing into it.
      module = null;
      disposed = true;
      throw new SandboxError(`The code crashed the sandbox (${hostError instanceof Error ? hostError.message : String(hostError)}).`);
    }
    if (result.error) {
      const dumped: unknown = vm.dump(result.error);
      result.error.dispose();
      const message = describeVmError(dumped);
      if (Date.now() >= deadline || /interrupted/i.test(message)) {
        throw new SandboxError(`The code ran longer than ${limits.timeoutMs} ms and was stopped.`);
      }
      if (/out of memory/i.test(message) || dumped === null) {
        throw new SandboxError(`The code used more than ${Math.round(limits.memoryBytes / 1024 / 1024)} MB of memory and was stopped.`);
      }
      if (/stack overflow/i.test(message)) throw new SandboxError("The code recursed too deeply (stack overflow).");
      throw new SandboxError(message);
    }
    const json = vm.getString(result.value);
    result.value.dispose();
    return JSON.parse(json) as unknown;
  } finally {
    if (!disposed) {
      vm.dispose();
      runtime.dispose();
    }
  }
}
