/**
 * Token counts read from an OpenAI-compatible answer, for metering: the gateway's endpoint
 * proxy, the playground chat and the node's lease server all read answers the same way.
 */
export type TokenUsage = { promptTokens: number; completionTokens: number };

type WireUsage = { prompt_tokens?: number; completion_tokens?: number };
const fromWire = (u: WireUsage): TokenUsage => ({ promptTokens: u.prompt_tokens ?? 0, completionTokens: u.completion_tokens ?? 0 });

/** A stream's last `usage` chunk (null: none was sent), and how many chunks carried content. */
export function streamUsage(text: string): { usage: TokenUsage | null; contentChunks: number } {
  let usage: TokenUsage | null = null;
  let contentChunks = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith("data:")) continue;
    const data = line.slice(5).trim();
    if (data === "[DONE]") continue;
    try {
      const event = JSON.parse(data) as { usage?: WireUsage | null; choices?: { delta?: { content?: string } }[] };
      if (event.usage) usage = fromWire(event.usage);
      if (event.choices?.[0]?.delta?.content) contentChunks += 1;
    } catch {
      // a line cut short (a partial read or a tail window): counted by what arrived whole
    }
  }
  return { usage, contentChunks };
}

/** Tokens of a whole answer: its `usage`, or for a stream the last usage seen, else one per content chunk. */
export function usageOfAnswer(text: string, stream: boolean): TokenUsage {
  if (stream) {
    const { usage, contentChunks } = streamUsage(text);
    return usage ?? { promptTokens: 0, completionTokens: contentChunks };
  }
  const closing = closingUsage(text);
  if (closing) return closing;
  try {
    const usage = (JSON.parse(text) as { usage?: WireUsage | null }).usage;
    return usage ? fromWire(usage) : { promptTokens: 0, completionTokens: 0 };
  } catch {
    // a non-JSON body (an upstream's error page)
    return { promptTokens: 0, completionTokens: 0 };
  }
}

/**
 * The usage of an answer that ends with it (OpenAI, vLLM and Ollama write `usage` last), read
 * without parsing the rest: the proxies read every answer, and most of one is the text. Null
 * when the answer does not end with a `usage` member of the outer object: `{"usage": …}`
 * parses only if what follows the last `"usage"` closes the answer's object exactly; the
 * whole answer is parsed then.
 */
function closingUsage(text: string): TokenUsage | null {
  const at = text.lastIndexOf('"usage"');
  // An escaped quote is inside a string, not a member's name.
  if (at <= 0 || text.charCodeAt(at - 1) === 92 /* \ */) return null;
  try {
    const usage = (JSON.parse(`{${text.slice(at)}`) as { usage?: WireUsage | null }).usage;
    return usage && typeof usage === "object" ? fromWire(usage) : null;
  } catch {
    return null;
  }
}
