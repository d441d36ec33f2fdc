import type { GraphDoc } from "../graph/doc";
import type { PortDataType } from "../graph/data-types";
import { BlockRunError, type NodeContext, type RunCapabilities, type RunStatus, type TokenUsage } from "./context";
import type { RunEvent } from "./events";
import type { Implementation } from "./implement";
import { PlanError, planRun, portType, type BlockLookup, type PlannedNode } from "./plan";
import { describeValue, SKIPPED, type ChatModelValue, type EndpointValue } from "./values";

export type RunLimits = {
  /** Wall-clock limit for the whole run. */
  timeoutMs: number;
  /** Node executions plus agent iterations; stops runaway loops. */
  maxSteps: number;
  /** The longest chat message accepted. */
  maxInputChars: number;
};

export const DEFAULT_RUN_LIMITS: RunLimits = { timeoutMs: 120_000, maxSteps: 200, maxInputChars: 100_000 };

export type ExecuteOptions = {
  runId: string;
  graph: GraphDoc;
  input: string;
  conversationId: string;
  blocks: BlockLookup;
  /** Runners by block type; a workload block has none and is resolved as an endpoint. */
  runners: Readonly<Partial<Record<string, Implementation>>>;
  capabilities: RunCapabilities;
  limits?: Partial<RunLimits>;
  /** Cancels the run (the UI's cancel button, a closed HTTP request). */
  signal?: AbortSignal;
  /** False when nobody reads the run's tokens as they come (default true): models answer in one piece. */
  streamTokens?: boolean;
  onEvent(event: RunEvent): void;
};

export type RunResult = {
  runId: string;
  status: Exclude<RunStatus, "running">;
  output: string | null;
  error: string | null;
  /** The node that failed, when one did. */
  failedNodeId: string | null;
  durationMs: number;
  usage: TokenUsage;
  steps: number;
};

type NodeOutcome = { outputs: Record<string, unknown>; skipped: boolean };

class RunStop extends Error {
  constructor(
    readonly status: "cancelled" | "timed_out" | "failed",
    message: string,
  ) {
    super(message);
    this.name = "RunStop";
  }
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === "string" ? error : "Unknown error";
}

/**
 * Runs the agent part of a flow: plans what is needed, then starts every node as soon as its
 * upstream nodes are done, so independent branches run concurrently. Emits typed events as it
 * goes and resolves with the result; it never throws for a failing flow.
 */
export async function executeRun(options: ExecuteOptions): Promise<RunResult> {
  const limits = { ...DEFAULT_RUN_LIMITS, ...options.limits };
  const { capabilities, runId } = options;
  const clock = capabilities.clock;
  const startedAt = clock.now();
  const usage: TokenUsage = { promptTokens: 0, completionTokens: 0 };
  const outputs: string[] = [];
  let steps = 0;
  let finished = false;
  let failedNodeId: string | null = null;

  const emit = (event: RunEvent) => {
    if (!finished) options.onEvent(event);
  };

  const controller = new AbortController();
  const stop = (reason: RunStop) => {
    if (!controller.signal.aborted) controller.abort(reason);
  };
  const onCancel = () => stop(new RunStop("cancelled", "The run was cancelled."));
  let onStopped = () => {};
  const stopped = new Promise<void>((resolve) => (onStopped = resolve));
  controller.signal.addEventListener("abort", onStopped, { once: true });
  options.signal?.addEventListener("abort", onCancel, { once: true });
  const timer = setTimeout(
    () => stop(new RunStop("timed_out", `The run took longer than ${formatSeconds(limits.timeoutMs)} (its time limit).`)),
    limits.timeoutMs,
  );

  const meter = {
    record: (u: Parameters<RunCapabilities["meter"]["record"]>[0]) => {
      usage.promptTokens += u.promptTokens;
      usage.completionTokens += u.completionTokens;
      capabilities.meter.record(u);
    },
  };
  const countStep = () => {
    steps += 1;
    if (steps > limits.maxSteps) {
      const error = new RunStop("failed", `The run stopped after ${limits.maxSteps} steps (its step limit).`);
      stop(error);
      throw error;
    }
  };

  let plannedIds: string[] = [];
  const finish = (status: RunResult["status"], error: string | null): RunResult => {
    const durationMs = Math.max(0, clock.now() - startedAt);
    const output = outputs.length > 0 ? outputs.join("\n\n") : null;
    emit({ type: "run.finish", runId, at: clock.now(), status, output, error, durationMs, usage: { ...usage } });
    finished = true;
    return { runId, status, output, error, failedNodeId, durationMs, usage, steps };
  };

  try {
    if (options.input.length > limits.maxInputChars) {
      throw new PlanError(`The message is ${options.input.length} characters; the limit is ${limits.maxInputChars}.`);
    }
    if (options.signal?.aborted) onCancel();
    let plan;
    try {
      plan = planRun(options.graph, options.blocks);
    } catch (error) {
      emit({ type: "run.start", runId, at: startedAt, input: options.input, nodes: [] });
      if (error instanceof PlanError && error.nodeId) {
        failedNodeId = error.nodeId;
        const blockType = options.graph.nodes.find((n) => n.id === error.nodeId)?.type ?? "";
        emit({ type: "node.error", runId, at: clock.now(), nodeId: error.nodeId, blockType, durationMs: 0, message: error.message });
      }
      return finish("failed", messageOf(error));
    }
    plannedIds = [...plan.nodes.keys()];
    emit({ type: "run.start", runId, at: startedAt, input: options.input, nodes: plannedIds });

    const outcomes = new Map<string, Promise<NodeOutcome>>();
    const outcomeOf = (id: string): Promise<NodeOutcome> => {
      let promise = outcomes.get(id);
      if (!promise) {
        promise = runNode(plan.nodes.get(id) as PlannedNode);
        outcomes.set(id, promise);
      }
      return promise;
    };

    const convert = (value: unknown, from: PortDataType | undefined, to: PortDataType | undefined): unknown => {
      if (from === "json" && to === "text") return typeof value === "string" ? value : JSON.stringify(value);
      if (from === "endpoint" && to === "chat-model") return chatModelFromEndpoint(value as EndpointValue);
      return value;
    };
    // A promise: the model client library may be imported on first use.
    const chatModelFromEndpoint = async (endpoint: Omit<EndpointValue, "kind" | "trace">): Promise<ChatModelValue> => ({
      kind: "chat-model",
      model: await capabilities.llm.chatModel({ baseUrl: endpoint.baseUrl, model: endpoint.model, apiKey: endpoint.apiKey, trusted: true }),
      trace: { model: endpoint.model, baseUrl: endpoint.baseUrl },
    });

    const runNode = async (planned: PlannedNode): Promise<NodeOutcome> => {
      const { node, block, ports } = planned;
      const upstream = await Promise.all(planned.inbound.map((edge) => outcomeOf(edge.from.node)));
      const inputs: Record<string, unknown> = {};
      let skipped = false;
      for (const [i, edge] of planned.inbound.entries()) {
        const source = upstream[i] as NodeOutcome;
        const value = source.outputs[edge.from.port];
        if (source.skipped || value === SKIPPED) {
          skipped = true;
          continue;
        }
        if (value === undefined) continue;
        const sourcePorts = plan.nodes.get(edge.from.node)?.ports;
        const fromType = sourcePorts ? portType(sourcePorts, "outputs", edge.from.port) : undefined;
        const input = ports.inputs.find((p) => p.id === edge.to.port);
        const converted = await convert(value, fromType, input?.type);
        if (input?.multiple) ((inputs[edge.to.port] as unknown[] | undefined) ?? (inputs[edge.to.port] = [] as unknown[]) as unknown[]).push(converted);
        else inputs[edge.to.port] = converted;
      }
      if (controller.signal.aborted) throw controller.signal.reason;

      const nodeStarted = clock.now();
      if (skipped) {
        emit({ type: "node.output", runId, at: nodeStarted, nodeId: node.id, blockType: node.type, durationMs: 0, outputs: {}, skipped: true });
        return { outputs: {}, skipped: true };
      }
      const describedInputs = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, describeValue(v)]));
      emit({ type: "node.start", runId, at: nodeStarted, nodeId: node.id, blockType: node.type, inputs: describedInputs });
      const detail: Record<string, unknown> = {};
      try {
        countStep();
        let result: Record<string, unknown>;
        if (block.part === "workload") {
          const endpoint = await capabilities.endpoints.resolve(node);
          result = {};
          for (const port of ports.outputs) {
            if (port.type === "chat-model") result[port.id] = await chatModelFromEndpoint(endpoint);
            else if (port.type === "endpoint") {
              result[port.id] = { kind: "endpoint", ...endpoint, trace: { baseUrl: endpoint.baseUrl, model: endpoint.model } } satisfies EndpointValue;
            }
          }
        } else {
          const runner = options.runners[node.type];
          if (!runner) throw new BlockRunError(`No runtime for block type "${node.type}".`);
          const ctx: NodeContext = {
            ...capabilities,
            meter,
            runId,
            conversationId: options.conversationId,
            input: options.input,
            nodeId: node.id,
            signal: controller.signal,
            streaming: options.streamTokens ?? true,
            emitToken: (text) => {
              if (text) emit({ type: "token", runId, nodeId: node.id, text, toOutput: plan.streamsToOutput.has(node.id) });
            },
            step: countStep,
            respond: (text) => {
              outputs.push(text);
            },
            addDetail: (key, value) => {
              detail[key] = value;
            },
          };
          result = await runner.run({ config: planned.config, inputs, node, ctx });
        }
        if (controller.signal.aborted) throw controller.signal.reason;
        const described = Object.fromEntries(Object.entries(result).map(([k, v]) => [k, describeValue(v)]));
        emit({
          type: "node.output",
          runId,
          at: clock.now(),
          nodeId: node.id,
          blockType: node.type,
          durationMs: clock.now() - nodeStarted,
          outputs: described,
          ...(Object.keys(detail).length > 0 ? { detail } : {}),
        });
        return { outputs: result, skipped: false };
      } catch (error) {
        const reason = controller.signal.aborted ? (controller.signal.reason as unknown) : error;
        const message = reason instanceof RunStop && reason !== error ? reason.message : messageOf(error);
        emit({ type: "node.error", runId, at: clock.now(), nodeId: node.id, blockType: node.type, durationMs: clock.now() - nodeStarted, message });
        if (!controller.signal.aborted) {
          failedNodeId = node.id;
          stop(new RunStop("failed", `${block.title} (${node.ui.label ?? node.id}): ${message}`));
        }
        throw error;
      }
    };

    const all = Promise.allSettled(plannedIds.map(outcomeOf));
    // A cancel or timeout ends the run promptly even if a runner ignores its signal; nodes
    // that do stop within the grace period still report their error into the trace.
    await Promise.race([all, stopped.then(() => Promise.race([all, delay(ABORT_GRACE_MS)]))]);
    if (controller.signal.aborted) {
      const reason = controller.signal.reason as unknown;
      if (reason instanceof RunStop) return finish(reason.status, reason.message);
      return finish("failed", messageOf(reason));
    }
    return finish("succeeded", null);
  } catch (error) {
    if (error instanceof RunStop) return finish(error.status, error.message);
    return finish("failed", messageOf(error));
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onCancel);
    // Nothing of a finished run stays reachable from its signal. Measured on the gateway bench:
    // with this listener (and the model call's, see callChatModel) left on, about a fifth more
    // of each request's objects outlived young-generation collections (ADR 007).
    controller.signal.removeEventListener("abort", onStopped);
  }
}

const ABORT_GRACE_MS = 250;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function formatSeconds(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
