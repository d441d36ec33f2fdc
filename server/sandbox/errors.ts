import type { SandboxFailureReason } from "#agents/blocks/tool-code/sandbox.server";
import type { SandboxLimits } from "#agents/runtime/context";

/** Why a code tool call did not return a result: the evaluation's reasons plus the pool's own. */
export type SandboxErrorReason = SandboxFailureReason | "busy" | "cancelled" | "stopped" | "unavailable";

/**
 * A code tool call that failed. The message is what the agent gets as the tool's result (and
 * the flow's author sees in the trace), so it says what happened and what to change.
 */
export class SandboxError extends Error {
  constructor(
    readonly reason: SandboxErrorReason,
    message: string,
  ) {
    super(message);
    this.name = "SandboxError";
  }
}

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

/** The agent-facing message for a failed call of the code tool `toolName`. */
export function sandboxFailure(toolName: string, limits: SandboxLimits, reason: SandboxErrorReason, detail = ""): SandboxError {
  const tool = `Code tool '${toolName}'`;
  const messages: Record<SandboxErrorReason, string> = {
    timeout: `${tool} stopped after ${limits.timeoutMs} ms (time limit).`,
    memory: `${tool} stopped: it used more than ${mb(limits.memoryBytes)} MB of memory (memory limit).`,
    stack: `${tool} stopped: it recursed too deeply (stack overflow).`,
    code: `${tool} failed: ${detail}`,
    crashed: `${tool} crashed the sandbox (${detail}).`,
    busy: `${tool} did not run: the code sandbox is busy; try again.`,
    cancelled: `${tool} was cancelled with its run.`,
    stopped: `${tool} stopped: the server is shutting down.`,
    unavailable: `${tool} did not run: the code sandbox could not start; try again.`,
  };
  return new SandboxError(reason, messages[reason]);
}
