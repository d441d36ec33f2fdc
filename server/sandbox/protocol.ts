import type { SandboxOutcome } from "#agents/blocks/tool-code/sandbox.server";
import type { SandboxLimits } from "#agents/runtime/context";

/** The messages between the pool (host thread) and a sandbox worker. One job at a time. */
export type JobMessage = { id: number; code: string; inputJson: string; limits: SandboxLimits };

export type WorkerMessage =
  /** Sent once the worker has loaded QuickJS and can take jobs. */
  | { type: "ready" }
  | { type: "done"; id: number; outcome: SandboxOutcome };
