import { Send, Square } from "lucide-react";
import { useId, useRef, useState } from "react";
import { Button } from "#app/components/ui/button";
import { FormError } from "#app/components/ui/field";
import { errorOfResponse, readChatStream } from "#app/lib/marketplace/chat-stream";

type Message = { role: "user" | "assistant"; content: string };

/**
 * A chat with a running endpoint, streamed as the model writes. It goes through the host
 * (POST /api/endpoints/:id/chat, the signed-in session), so no API key is needed here.
 */
export function Playground({ endpointId, disabledReason }: { endpointId: string; disabledReason: string | null }) {
  const inputId = useId();
  const [messages, setMessages] = useState<Message[]>([]);
  const [draft, setDraft] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const abort = useRef<AbortController | null>(null);

  async function send() {
    const text = draft.trim();
    if (text === "" || busy) return;
    const history: Message[] = [...messages, { role: "user", content: text }];
    setMessages([...history, { role: "assistant", content: "" }]);
    setDraft("");
    setError(null);
    setBusy(true);
    const controller = new AbortController();
    abort.current = controller;
    const appendToAnswer = (piece: string) =>
      setMessages((all) => all.map((m, i) => (i === all.length - 1 ? { ...m, content: m.content + piece } : m)));
    try {
      const response = await fetch(`/api/endpoints/${encodeURIComponent(endpointId)}/chat`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ messages: history }),
        signal: controller.signal,
      });
      if (!response.ok || !response.body) throw new Error(errorOfResponse(response.status, await response.text()));
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let rest = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        const read = readChatStream(rest + value);
        rest = read.rest;
        if (read.text) appendToAnswer(read.text);
        if (read.error) throw new Error(read.error);
        if (read.done) break;
      }
    } catch (e) {
      if (!controller.signal.aborted) setError(e instanceof Error ? e.message : "The chat failed.");
    } finally {
      setBusy(false);
      abort.current = null;
    }
  }

  return (
    <section className="space-y-2" aria-labelledby={`${inputId}-title`} data-testid="playground">
      <h2 id={`${inputId}-title`} className="text-lg font-semibold">
        Playground
      </h2>
      {disabledReason && <p className="text-sm text-slate-600">{disabledReason}</p>}
      <ol className="max-h-80 space-y-2 overflow-auto rounded-md border border-slate-200 p-3 text-sm" aria-live="polite" aria-label="Conversation">
        {messages.length === 0 && <li className="text-slate-500">Ask the model something; its answer appears as it is written.</li>}
        {messages.map((m, i) => (
          <li key={i} className={m.role === "user" ? "text-right" : ""} data-testid={m.role === "assistant" ? "playground-answer" : "playground-question"}>
            <span className={`inline-block max-w-[85%] whitespace-pre-wrap rounded-lg px-3 py-1.5 text-left ${m.role === "user" ? "bg-brand-600 text-white" : "bg-slate-100 text-slate-900"}`}>
              <span className="sr-only">{m.role === "user" ? "You: " : "Model: "}</span>
              {m.content || (busy && i === messages.length - 1 ? "…" : "")}
            </span>
          </li>
        ))}
      </ol>
      <FormError message={error} />
      <form
        className="flex gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          void send();
        }}
      >
        <label htmlFor={inputId} className="sr-only">
          Message
        </label>
        <input
          id={inputId}
          className="block w-full rounded-md border border-slate-300 px-3 py-2 text-sm shadow-sm"
          placeholder="Message the model"
          value={draft}
          disabled={disabledReason !== null}
          onChange={(e) => setDraft(e.target.value)}
        />
        {busy ? (
          <Button type="button" variant="secondary" onClick={() => abort.current?.abort()}>
            <Square size={14} /> Stop
          </Button>
        ) : (
          <Button type="submit" disabled={disabledReason !== null || draft.trim() === ""}>
            <Send size={14} /> Send
          </Button>
        )}
      </form>
    </section>
  );
}
