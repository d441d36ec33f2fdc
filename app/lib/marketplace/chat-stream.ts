/**
 * Reads an OpenAI chat-completions stream (server-sent events) as the playground receives it:
 * text arrives in arbitrary pieces, so a line may be cut anywhere; complete lines are parsed
 * and the unfinished rest is kept for the next piece.
 */
export type StreamRead = { text: string; rest: string; done: boolean; error: string | null };

export function readChatStream(buffer: string): StreamRead {
  const lines = buffer.split("\n");
  const rest = lines.pop() ?? "";
  let text = "";
  let done = false;
  let error: string | null = null;
  for (const raw of lines) {
    const line = raw.trim();
    if (!line.startsWith("data:")) continue;
    const payload = line.slice(5).trim();
    if (payload === "[DONE]") {
      done = true;
      continue;
    }
    try {
      const chunk = JSON.parse(payload) as { choices?: { delta?: { content?: string | null } }[]; error?: { message?: string } };
      if (chunk.error) error = chunk.error.message ?? "The model failed.";
      text += chunk.choices?.[0]?.delta?.content ?? "";
    } catch {
      error = "The endpoint sent something that is not a chat stream.";
    }
  }
  return { text, rest, done, error };
}

/** The message of an error answer ({"error": {"message"}}), else a sentence with the status. */
export function errorOfResponse(status: number, body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: string } | string };
    const message = typeof parsed.error === "string" ? parsed.error : parsed.error?.message;
    if (message) return message;
  } catch {
    // not JSON: fall through to the status
  }
  return `The endpoint answered with HTTP ${status}.`;
}
