import { z } from "zod";
import { badRequestError, type GatewayError } from "./errors";

/** Longest conversation a request may carry (the body size limit applies as well). */
export const MAX_MESSAGES = 500;

const TextPart = z.object({ type: z.literal("text"), text: z.string() });
const Content = z.union([z.string(), z.array(TextPart), z.null()]);

const Message = z.object({
  role: z.enum(["system", "developer", "user", "assistant", "tool"]),
  content: Content.optional(),
  name: z.string().max(256).optional(),
});

/**
 * The part of OpenAI's chat completion request a published agent uses. Sampling settings
 * (temperature, max_tokens …) are accepted and ignored: the agent's blocks hold them. Client-side
 * tools and several choices cannot be honoured by an agent, so they are refused by name.
 */
export const ChatCompletionRequestSchema = z.object({
  model: z.string({ error: "you must provide a model parameter" }).min(1, "you must provide a model parameter").max(200),
  messages: z
    .array(Message, { error: "messages must be an array of {role, content} objects" })
    .min(1, "messages must contain at least one message")
    .max(MAX_MESSAGES, `at most ${MAX_MESSAGES} messages per request`),
  stream: z.boolean().nullable().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullable().optional(),
  user: z.string().max(256, "user is at most 256 characters").optional(),
  n: z.literal(1, "a published agent answers with one choice; leave n out or set it to 1").nullable().optional(),
  tools: z.array(z.unknown()).max(0, "a published agent uses the tools built into its flow; send no tools").nullable().optional(),
});

export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequestSchema>;
export type HistoryMessage = { role: "user" | "assistant" | "system" | "tool"; content: string };

function paramOf(path: readonly PropertyKey[]): string | null {
  if (path.length === 0) return null;
  let out = "";
  for (const part of path) out += typeof part === "number" ? `[${part}]` : out ? `.${String(part)}` : String(part);
  return out;
}

function textOf(content: z.infer<typeof Content> | undefined): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.map((p) => p.text).join("");
  return "";
}

export type ParsedChatRequest = {
  model: string;
  stream: boolean;
  includeUsage: boolean;
  user: string | undefined;
  /** The last user message: what the flow's Chat Input receives. */
  input: string;
  /** Every earlier message, oldest first. */
  history: HistoryMessage[];
};

/** Validates a body; a problem is a 400 whose `param` names the field, as OpenAI does. */
export function parseChatRequest(body: unknown): ParsedChatRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw badRequestError("The request body must be a JSON object with `model` and `messages`.", null);
  }
  const parsed = ChatCompletionRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const param = paramOf(issue?.path ?? []);
    const missing = issue?.code === "invalid_type" && issue.input === undefined;
    const message = missing ? `Missing required parameter: '${param ?? "body"}'.` : `Invalid value for '${param ?? "body"}': ${issue?.message ?? "invalid"}.`;
    throw badRequestError(message, param, missing ? "missing_required_parameter" : "invalid_value");
  }
  const request = parsed.data;
  const last = request.messages.at(-1);
  const lastIndex = request.messages.length - 1;
  if (!last || last.role !== "user") {
    throw badRequestError(`The last message must be the user's (role "user"); it is "${last?.role ?? "none"}".`, `messages[${lastIndex}].role`, "invalid_value");
  }
  const input = textOf(last.content);
  if (input.trim() === "") throw badRequestError("The last user message is empty; write something for the agent to answer.", `messages[${lastIndex}].content`, "invalid_value");
  const history: HistoryMessage[] = request.messages.slice(0, -1).map((m) => ({
    role: m.role === "developer" ? "system" : m.role,
    content: textOf(m.content),
  }));
  return {
    model: request.model,
    stream: request.stream === true,
    includeUsage: request.stream_options?.include_usage === true,
    user: request.user,
    input,
    history,
  };
}

export function conversationHeaderError(name: string): GatewayError {
  return badRequestError(`The ${name} header is at most 256 printable characters.`, name, "invalid_value");
}
