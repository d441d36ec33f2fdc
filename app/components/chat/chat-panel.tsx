import { Link } from "@remix-run/react";
import { MessagesSquare, RotateCcw, Send, Square } from "lucide-react";
import { useCallback, useEffect, useRef, useState } from "react";
import { blockRegistry } from "#agents/blocks/index";
import { Button } from "#app/components/ui/button";
import { CharLimit, useCutByPaste } from "#app/components/ui/char-limit";
import { FormError } from "#app/components/ui/field";
import { describeApiError, useTRPCClient } from "#app/lib/trpc";
import type { EditorPanel, EditorPanelProps, NodeStatus } from "../canvas/editor-panels";
import { chatSessionFor, useChatSession, type ChatTurn } from "./chat-session";
import { RunHistory, RunStatusBadge } from "./run-history";
import { followRun } from "./run-stream";
import { ToolCallList } from "./tool-call-list";
import { failedToolCalls, formatDuration, type RunView } from "./trace";
import { TraceList } from "./trace-list";

/** The longest message a run accepts (server/routers/run.ts and the executor's limit). */
const MAX_MESSAGE_CHARS = 100_000;

/** How each node of a run is painted on the canvas: its trace state, or "running" while a call to a tool runs. */
function nodeStatuses(view: RunView): Map<string, NodeStatus> {
  const statuses = new Map<string, NodeStatus>();
  for (const n of view.nodes) {
    switch (n.state) {
      case "running":
        statuses.set(n.nodeId, { state: "running" });
        break;
      case "done":
        statuses.set(n.nodeId, { state: "done", message: formatDuration(n.durationMs) });
        break;
      case "skipped":
        statuses.set(n.nodeId, { state: "skipped", message: "skipped" });
        break;
      case "error":
      case "stopped":
        statuses.set(n.nodeId, { state: n.state, message: n.error ?? undefined });
        break;
    }
  }
  for (const call of view.toolCalls) {
    if (call.state === "running" && call.toolNodeId && statuses.get(call.toolNodeId)?.state !== "error") statuses.set(call.toolNodeId, { state: "running" });
  }
  return statuses;
}

function Turn({
  turn,
  latest,
  labelOf,
  nodeLabel,
  focusNode,
}: {
  turn: ChatTurn;
  latest: boolean;
  labelOf(id: string, type: string): string;
  nodeLabel(id: string): string | undefined;
  focusNode(id: string): void;
}) {
  const run = turn.run;
  return (
    <li className="space-y-1.5">
      {/* wrap-anywhere: a long word (a URL) wraps inside the bubble instead of widening it. */}
      <div className="ml-8 whitespace-pre-wrap wrap-anywhere rounded-lg bg-brand-600 px-3 py-2 text-sm text-white" data-testid="chat-question">
        {turn.question}
      </div>
      {turn.startError && <FormError message={turn.startError} />}
      {run && (
        <div className="mr-4 space-y-1.5">
          <div
            className="whitespace-pre-wrap wrap-anywhere rounded-lg bg-slate-100 px-3 py-2 text-sm text-slate-800"
            data-testid="chat-answer"
            data-status={run.status}
            aria-live="polite"
          >
            {run.answer || (run.status === "running" ? <span className="text-slate-500">Thinking…</span> : <span className="text-slate-500">(no answer)</span>)}
          </div>
          {run.error && (
            <p role="alert" className="text-xs text-red-700" data-testid="chat-run-error">
              {run.error}
            </p>
          )}
          {/* Which tools the agent called, each folded to one line that opens to its arguments and result or error. */}
          <ToolCallList calls={run.toolCalls} labelOf={nodeLabel} />
          <div className="flex flex-wrap items-center gap-2 text-[11px] text-slate-500">
            <RunStatusBadge status={run.status} failedToolCalls={failedToolCalls(run)} testId="chat-run-status" />
            {run.durationMs !== null && <span>{formatDuration(run.durationMs)}</span>}
            {run.usage && <span>{run.usage.promptTokens + run.usage.completionTokens} tokens</span>}
            <Link to={`/runs/${run.runId}`} className="ml-auto text-brand-700 underline" data-testid="chat-run-link">
              Open run
            </Link>
          </div>
          {/* The latest turn shows its trace; older ones fold away (failed ones stay open). */}
          <details open={latest || run.status !== "succeeded"} className="text-xs">
            <summary className="cursor-pointer text-slate-600">Trace ({run.nodes.length} blocks)</summary>
            <div className="mt-1">
              <TraceList nodes={run.nodes} toolCalls={run.toolCalls} labelOf={labelOf} onFocus={focusNode} />
            </div>
          </details>
        </div>
      )}
    </li>
  );
}

/**
 * The test chat beside the canvas: type a message, watch the answer stream in while each
 * block lights up on the canvas with its status and timing; cancel a run; see past runs.
 */
export function ChatPanelBody(props: EditorPanelProps) {
  const { flowId, graph, canEdit, focusNode, setNodeStatus, clearNodeStatuses, flushSave } = props;
  const client = useTRPCClient();
  const session = chatSessionFor(flowId);
  const state = useChatSession(session);
  const [message, setMessage] = useState("");
  const [sending, setSending] = useState(false);
  const [cancelError, setCancelError] = useState<string | null>(null);
  const { cut, onPaste } = useCutByPaste(message.length, MAX_MESSAGE_CHARS);
  const endRef = useRef<HTMLDivElement>(null);
  const running = state.activeRunId !== null;

  const lastTurn = state.turns[state.turns.length - 1];
  useEffect(() => {
    endRef.current?.scrollIntoView({ block: "end" });
  }, [state.turns.length, lastTurn?.run?.answer]);

  const labelOf = useCallback(
    (nodeId: string, blockType: string) => {
      const node = graph.nodes.find((n) => n.id === nodeId);
      return node?.ui.label || blockRegistry.get(blockType)?.title || blockType;
    },
    [graph],
  );
  const nodeLabel = useCallback(
    (nodeId: string) => {
      const node = graph.nodes.find((n) => n.id === nodeId);
      return node ? labelOf(nodeId, node.type) : undefined;
    },
    [graph, labelOf],
  );

  // What each node shows on the canvas, painted only when it changes (a token changes nothing).
  const painted = useRef(new Map<string, string>());
  const clearPainted = () => {
    painted.current.clear();
    clearNodeStatuses();
  };
  const paint = (runId: string) => {
    const view = session.get().turns.find((t) => t.run?.runId === runId)?.run;
    if (!view) return;
    for (const [nodeId, status] of nodeStatuses(view)) {
      const key = `${status.state}|${status.message ?? ""}`;
      if (painted.current.get(nodeId) === key) continue;
      painted.current.set(nodeId, key);
      setNodeStatus(nodeId, status);
    }
  };

  const send = async () => {
    const question = message.trim();
    if (!question || running || sending) return;
    setSending(true);
    const turnId = session.addTurn(question);
    setMessage("");
    try {
      await flushSave();
      const { runId } = await client.run.start.mutate({ flowId, input: question, conversationId: session.get().conversationId });
      clearPainted();
      session.attachRun(turnId, runId);
      followRun(runId, {
        onEvent: (event) => {
          session.apply(runId, event);
          if (event.type !== "token") paint(runId);
        },
        onError: (msg) => {
          session.setStreamError(`Lost the run's live events: ${msg}`);
          session.finish(runId);
        },
        onDone: () => session.finish(runId),
      });
    } catch (error) {
      session.failTurn(turnId, describeApiError(error).message);
    } finally {
      setSending(false);
    }
  };

  const cancel = async () => {
    if (!state.activeRunId) return;
    setCancelError(null);
    try {
      await client.run.cancel.mutate({ id: state.activeRunId });
    } catch (error) {
      setCancelError(describeApiError(error).message);
    }
  };

  return (
    <div className="flex h-full flex-col gap-3" data-testid="chat-panel">
      <div className="flex items-center justify-between">
        <h2 className="text-sm font-semibold text-slate-800">Test chat</h2>
        <Button
          variant="ghost"
          className="!px-2 !py-1 text-xs"
          onClick={() => {
            session.reset();
            clearPainted();
          }}
          disabled={running}
          title="Start a new conversation (memory starts empty)"
        >
          <RotateCcw size={12} /> New chat
        </Button>
      </div>

      {state.turns.length === 0 ? (
        <p className="text-xs text-slate-500">
          Send a message to run this flow. Each block lights up on the canvas as it runs; the answer streams in here.
        </p>
      ) : (
        <ol className="space-y-3" aria-label="Conversation">
          {state.turns.map((t, i) => (
            <Turn key={t.id} turn={t} latest={i === state.turns.length - 1} labelOf={labelOf} nodeLabel={nodeLabel} focusNode={focusNode} />
          ))}
        </ol>
      )}
      <FormError message={state.streamError ?? cancelError} />

      {canEdit ? (
        <form
          className="space-y-2"
          onSubmit={(e) => {
            e.preventDefault();
            void send();
          }}
        >
          <label htmlFor={`chat-input-${flowId}`} className="sr-only">
            Message
          </label>
          <textarea
            id={`chat-input-${flowId}`}
            data-testid="chat-input"
            value={message}
            onChange={(e) => setMessage(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter" && !e.shiftKey) {
                e.preventDefault();
                void send();
              }
            }}
            onPaste={onPaste}
            rows={2}
            maxLength={MAX_MESSAGE_CHARS}
            placeholder="Type a message; Enter sends, Shift+Enter adds a line"
            className="block w-full resize-y rounded-md border border-slate-300 px-2 py-1.5 text-sm outline-none focus:border-brand-500 focus:ring-2 focus:ring-brand-100"
          />
          <CharLimit length={message.length} maxLength={MAX_MESSAGE_CHARS} cut={cut} always testId="chat-input" />
          <div className="flex justify-end gap-2">
            {running && (
              <Button type="button" variant="secondary" onClick={() => void cancel()} data-testid="chat-cancel">
                <Square size={14} /> Cancel
              </Button>
            )}
            <Button type="submit" busy={sending} disabled={running || message.trim() === ""} data-testid="chat-send">
              <Send size={14} /> Send
            </Button>
          </div>
        </form>
      ) : (
        <p className="text-xs text-slate-500">Viewers can read runs but not start them.</p>
      )}
      {/* Following a streaming answer scrolls to here, below the message box: Cancel stays in
          view while the answer grows, instead of being pushed out with each new piece. */}
      <div ref={endRef} />

      <section className="border-t border-slate-200 pt-2">
        <h3 className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-500">Run history</h3>
        <RunHistory flowId={flowId} refreshKey={`${state.turns.length}-${running}`} />
      </section>
    </div>
  );
}

export const chatPanel: EditorPanel = {
  id: "chat",
  title: "Test chat",
  icon: MessagesSquare,
  render: (props) => <ChatPanelBody {...props} />,
};
