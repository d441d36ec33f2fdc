/**
 * What the local development model answers. It is not a language model: every answer is a
 * deterministic function of the request, and says so, so nobody mistakes it for one. It can
 * still exercise the whole path an agent takes: streaming, tool calls, tool results, JSON
 * schema output and route picking.
 */
export const DEV_MODEL_ID = "skyloom-dev";
export const NOT_AN_LLM = "(Skyloom local development model: not a language model, answers are canned.)";

export type DevToolSpec = { name: string; description?: string; parameters?: JsonSchemaLike };
export type JsonSchemaLike = {
  type?: string | string[];
  properties?: Record<string, JsonSchemaLike>;
  required?: string[];
  items?: JsonSchemaLike;
  enum?: unknown[];
};
export type DevMessage = {
  role: string;
  content?: string | null | { type: string; text?: string }[];
  tool_calls?: { function: { name: string; arguments: string } }[];
  name?: string;
};
export type DevRequest = {
  model?: string;
  messages: DevMessage[];
  tools?: { type: string; function: DevToolSpec }[];
  tool_choice?: unknown;
  response_format?: { type: string; json_schema?: { name?: string; schema?: JsonSchemaLike } };
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  max_tokens?: number;
  max_completion_tokens?: number;
};

export type DevReply =
  | { kind: "text"; text: string }
  | { kind: "tool_calls"; calls: { name: string; arguments: Record<string, unknown> }[] }
  | { kind: "error"; status: number; message: string };

export function textOf(content: DevMessage["content"]): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.map((p) => p.text ?? "").join("");
  return "";
}

const ARITHMETIC = /[-+(]?\d[\d\s.+\-*/^%()]*[\d)]/g;

/** The longest arithmetic-looking run in a text, e.g. "12 * (3 + 4)". */
function arithmeticIn(text: string): string | undefined {
  const candidates = (text.match(ARITHMETIC) ?? []).map((s) => s.trim()).filter((s) => /[+\-*/^%]/.test(s.slice(1)));
  return candidates.sort((a, b) => b.length - a.length)[0];
}

function words(name: string): string[] {
  return name.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w.length >= 3);
}

/** Fills a JSON schema with values taken from the text, so the shape is always right. */
export function sampleFor(schema: JsonSchemaLike | undefined, text: string, key = ""): unknown {
  const type = Array.isArray(schema?.type) ? schema?.type[0] : schema?.type;
  if (schema?.enum && schema.enum.length > 0) return schema.enum[0];
  switch (type) {
    case "object": {
      const out: Record<string, unknown> = {};
      for (const [k, sub] of Object.entries(schema?.properties ?? {})) out[k] = sampleFor(sub, text, k);
      return out;
    }
    case "array":
      return [sampleFor(schema?.items, text, key)];
    case "number":
    case "integer": {
      const n = Number(/-?\d+(\.\d+)?/.exec(text)?.[0] ?? 0);
      return type === "integer" ? Math.trunc(n) : n;
    }
    case "boolean":
      return false;
    case "null":
      return null;
    default:
      if (/expr/.test(key)) return arithmeticIn(text) ?? text;
      if (/url/i.test(key)) return /https?:\/\/\S+/.exec(text)?.[0] ?? text;
      return text;
  }
}

/** Picks the tools a user message asks for by name (e.g. "use the calculator"). */
function toolsAskedFor(tools: DevToolSpec[], userText: string): DevToolSpec[] {
  const lower = userText.toLowerCase();
  return tools.filter((t) => lower.includes(t.name.toLowerCase()) || words(t.name).some((w) => lower.includes(w)));
}

export function decideReply(request: DevRequest): DevReply {
  const messages = request.messages ?? [];
  if (messages.length === 0) return { kind: "error", status: 400, message: "messages must not be empty" };
  const last = messages[messages.length - 1] as DevMessage;
  const lastUser = [...messages].reverse().find((m) => m.role === "user");
  const userText = textOf(lastUser?.content ?? "").trim();

  // After tool results: report them, which is what a real model would summarise.
  if (last.role === "tool") {
    const results: string[] = [];
    for (let i = messages.length - 1; i >= 0 && messages[i]?.role === "tool"; i--) {
      const m = messages[i] as DevMessage;
      results.unshift(`${m.name ?? "tool"} returned ${textOf(m.content)}`);
    }
    return { kind: "text", text: `Tool results: ${results.join("; ")}. ${NOT_AN_LLM}` };
  }

  const tools = (request.tools ?? []).map((t) => t.function);
  if (tools.length > 0 && request.tool_choice !== "none") {
    const wanted = toolsAskedFor(tools, userText);
    if (wanted.length > 0) {
      return {
        kind: "tool_calls",
        calls: wanted.map((t) => {
          const args = sampleFor(t.parameters ?? { type: "object" }, userText);
          return { name: t.name, arguments: typeof args === "object" && args !== null ? (args as Record<string, unknown>) : {} };
        }),
      };
    }
  }

  const schema = request.response_format?.json_schema?.schema;
  if (request.response_format?.type === "json_schema" && schema) {
    return { kind: "text", text: JSON.stringify(sampleFor(schema, userText)) };
  }
  if (request.response_format?.type === "json_object") {
    return { kind: "text", text: JSON.stringify({ answer: userText, note: NOT_AN_LLM }) };
  }

  // Route picking: a prompt that lists its choices gets the first one the user mentioned.
  const systemText = messages.filter((m) => m.role === "system").map((m) => textOf(m.content)).join("\n");
  const choices = /Reply with one of: (.+)$/m.exec(systemText)?.[1]?.split("|").map((s) => s.trim()).filter(Boolean);
  if (choices && choices.length > 0) {
    const lower = userText.toLowerCase();
    const picked = choices.find((c) => words(c).some((w) => lower.includes(w))) ?? (choices[choices.length - 1] as string);
    return { kind: "text", text: picked };
  }

  const turns = messages.filter((m) => m.role === "user").length;
  const quoted = userText.length > 400 ? `${userText.slice(0, 400)}…` : userText;
  return {
    kind: "text",
    text: `You said: "${quoted}". This is turn ${turns} of our conversation. ${NOT_AN_LLM} Add an OpenAI-compatible credential or set OPENAI_API_KEY for real answers.`,
  };
}

/** A rough token count (4 characters a token): the dev model only needs plausible usage. */
export function approxTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}
