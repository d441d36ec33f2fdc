import type { GraphDoc } from "../graph/doc";
import { nodeName } from "../graph/names";
import type { PortDataType } from "../graph/data-types";
import { BlockRunError, NodeFault, type NodeContext, type RunCapabilities, type RunStatus, type TokenUsage } from "./context";
import type { RunEvent, ToolCallInfo, ToolCallRecord, ToolOutcome } from "./events";
import type { Implementation } from "./implement";
import { GraphRejectedError, PlanError, planRun, portType, type BlockLookup, type PlannedNode } from "./plan";
import { describeValue, SKIPPED, withSource, type ChatModelValue, type EndpointValue, type ValueSource } from "./values";

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
  /** The node that failed (the one at fault, e.g. the Chat Model an Agent could not reach), when one did. */
  failedNodeId: string | null;
  durationMs: number;
  usage: TokenUsage;
  steps: number;
  /** Tool calls that failed; the run may still have succeeded (the Agent answered anyway). */
  failedToolCalls: number;
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
  let failedToolCalls = 0;

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
    emit({ type: "run.finish", runId, at: clock.now(), status, output, error, durationMs, usage: { ...usage }, failedToolCalls });
    finished = true;
    return { runId, status, output, error, failedNodeId, durationMs, usage, steps, failedToolCalls };
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
      if (error instanceof GraphRejectedError) {
        failedNodeId = error.nodeId ?? null;
        // Each node at fault is marked with its first problem, as the canvas marks it.
        const marked = new Set<string>();
        for (const d of error.errors) {
          if (d.node === undefined || marked.has(d.node)) continue;
          marked.add(d.node);
          const blockType = options.graph.nodes.find((n) => n.id === d.node)?.type ?? "";
          emit({ type: "node.error", runId, at: clock.now(), nodeId: d.node, blockType, durationMs: 0, message: `${d.message} (${d.code})` });
        }
      } else if (error instanceof PlanError && error.nodeId) {
        failedNodeId = error.nodeId;
        const blockType = options.graph.nodes.find((n) => n.id === error.nodeId)?.type ?? "";
        emit({ type: "node.error", runId, at: clock.now(), nodeId: error.nodeId, blockType, durationMs: 0, message: error.message });
      }
      return finish("failed", messageOf(error));
    }
    plannedIds = [...plan.nodes.keys()];
    emit({ type: "run.start", runId, at: startedAt, input: options.input, nodes: plannedIds });
    const nameOf = (id: string): string => {
      const planned = plan.nodes.get(id);
      return planned ? nodeName(planned.node, planned.block.title) : id;
    };
    /** How long each finished node took, kept for a node.error that comes after its output. */
    const durations = new Map<string, number>();

    const outcomes = new Map<string, Promise<NodeOutcome>>();
    const outcomeOf = (id: string): Promise<NodeOutcome> => {
      let promise = outcomes.get(id);
      if (!promise) {
        promise = runNode(plan.nodes.get(id) as PlannedNode);
        outcomes.set(id, promise);
      }
      return promise;
    };

    const convert = (value: unknown, from: PortDataType | undefined, to: PortDataType | undefined, fromNode: string): unknown => {
      if (from === "json" && to === "text") return typeof value === "string" ? value : JSON.stringify(value);
      if (from === "endpoint" && to === "chat-model") return chatModelFromEndpoint(value as EndpointValue, { nodeId: fromNode, name: nameOf(fromNode) });
      return value;
    };
    // A promise: the model client library may be imported on first use.
    const chatModelFromEndpoint = async (endpoint: Omit<EndpointValue, "kind" | "trace">, source: ValueSource): Promise<ChatModelValue> => ({
      kind: "chat-model",
      model: await capabilities.llm.chatModel({ baseUrl: endpoint.baseUrl, model: endpoint.model, apiKey: endpoint.apiKey, trusted: true }),
      trace: { model: endpoint.model, baseUrl: endpoint.baseUrl },
      source,
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
        const converted = await convert(value, fromType, input?.type, edge.from.node);
        if (input?.multiple) ((inputs[edge.to.port] as unknown[] | undefined) ?? (inputs[edge.to.port] = [] as unknown[]) as unknown[]).push(converted);
        else inputs[edge.to.port] = converted;
      }
      if (controller.signal.aborted) throw controller.signal.reason;

      const nodeStarted = clock.now();
      if (!skipped) {
        // What a runner's typed inputs promise (BlockInputs): a `multiple` input is an array,
        // a required one is there (connected, as validate checked, but its source may have
        // produced nothing on that port, like a Chat Model without a prompt).
        for (const port of ports.inputs) {
          if (port.multiple) inputs[port.id] ??= [];
          else if (port.required && inputs[port.id] === undefined) {
            const connected = planned.inbound.some((edge) => edge.to.port === port.id);
            const message = connected
              ? `Nothing reached the input "${port.label}": the block connected to it gave no value there.`
              : `The input "${port.label}" needs a connection.`;
            failedNodeId = node.id;
            emit({ type: "node.error", runId, at: nodeStarted, nodeId: node.id, blockType: node.type, durationMs: 0, message });
            stop(new RunStop("failed", `${nameOf(node.id)}: ${message}`));
            throw new BlockRunError(message);
          }
        }
      }
      if (skipped) {
        emit({ type: "node.output", runId, at: nodeStarted, nodeId: node.id, blockType: node.type, durationMs: 0, outputs: {}, skipped: true });
        return { outputs: {}, skipped: true };
      }
      const describedInputs = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, describeValue(v)]));
      emit({ type: "node.start", runId, at: nodeStarted, nodeId: node.id, blockType: node.type, inputs: describedInputs });
      const detail: Record<string, unknown> = {};
      const source: ValueSource = { nodeId: node.id, name: nameOf(node.id) };
      try {
        countStep();
        let result: Record<string, unknown>;
        if (block.part === "workload") {
          if (!block.roles?.modelEndpoint) throw new BlockRunError(`A ${block.title} serves no model, so a chat cannot use it; connect a block that deploys a model.`);
          const endpoint = await capabilities.endpoints.resolve(node);
          result = {};
          for (const port of ports.outputs) {
            if (port.type === "chat-model") result[port.id] = await chatModelFromEndpoint(endpoint, source);
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
            toolCall: (call) => {
              const calls = (detail.toolCalls ??= []) as ToolCallRecord[];
              return recordToolCall(node.id, call, (record) => calls.push(record));
            },
          };
          result = await runner.run({ config: planned.config, inputs, inputsById: inputs, node, ctx });
          // Chat models and tools carry their node, so whoever uses them can name it in a failure.
          for (const port of Object.keys(result)) result[port] = withSource(result[port], source);
        }
        if (controller.signal.aborted) throw controller.signal.reason;
        const described = Object.fromEntries(Object.entries(result).map(([k, v]) => [k, describeValue(v)]));
        const durationMs = clock.now() - nodeStarted;
        durations.set(node.id, durationMs);
        emit({
          type: "node.output",
          runId,
          at: clock.now(),
          nodeId: node.id,
          blockType: node.type,
          durationMs,
          outputs: described,
          ...(Object.keys(detail).length > 0 ? { detail } : {}),
        });
        return { outputs: result, skipped: false };
      } catch (error) {
        const durationMs = clock.now() - nodeStarted;
        const extras = Object.keys(detail).length > 0 ? { detail } : {};
        const fail = (id: string, message: string, more: { durationMs: number; causedBy?: string; detail?: Record<string, unknown> }) => {
          const blockType = plan.nodes.get(id)?.node.type ?? "";
          emit({ type: "node.error", runId, at: clock.now(), nodeId: id, blockType, message, ...more });
        };
        if (controller.signal.aborted) {
          const reason = controller.signal.reason as unknown;
          // Another node failed first: this one stopped because of it (a cancel or timeout is the run's own).
          const causedBy = reason instanceof RunStop && reason.status === "failed" && failedNodeId && failedNodeId !== node.id ? failedNodeId : undefined;
          const message = causedBy ? `Stopped because ${nameOf(causedBy)} failed.` : reason instanceof RunStop && reason !== error ? reason.message : messageOf(error);
          fail(node.id, message, { durationMs, ...extras, ...(causedBy ? { causedBy } : {}) });
        } else if (error instanceof NodeFault && error.nodeId !== node.id && plan.nodes.has(error.nodeId)) {
          // The fault is the node this one was using (the Chat Model an Agent called): mark that node.
          failedNodeId = error.nodeId;
          fail(error.nodeId, error.message, { durationMs: durations.get(error.nodeId) ?? 0 });
          fail(node.id, `Stopped because ${nameOf(error.nodeId)} failed.`, { durationMs, ...extras, causedBy: error.nodeId });
          stop(new RunStop("failed", `${nameOf(error.nodeId)}: ${error.message}`));
        } else {
          failedNodeId = node.id;
          fail(node.id, messageOf(error), { durationMs, ...extras });
          stop(new RunStop("failed", `${nameOf(node.id)}: ${messageOf(error)}`));
        }
        throw error;
      }
    };

    /** Emits a tool call and returns what reports its outcome (an event, the trace's record, the count). */
    const recordToolCall = (agentNodeId: string, call: ToolCallInfo, keep: (record: ToolCallRecord) => void) => {
      const calledAt = clock.now();
      emit({ type: "tool.call", runId, at: calledAt, nodeId: agentNodeId, ...call });
      let reported = false;
      return (outcome: ToolOutcome) => {
        if (reported) return;
        reported = true;
        const durationMs = clock.now() - calledAt;
        if (!outcome.ok) failedToolCalls += 1;
        const ref = { callId: call.callId, tool: call.tool, toolNodeId: call.toolNodeId, iteration: call.iteration };
        emit({ type: "tool.result", runId, at: clock.now(), nodeId: agentNodeId, durationMs, ...ref, ...outcome });
        keep({ ...call, ...outcome, durationMs });
      };
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
