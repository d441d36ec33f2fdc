import { z } from "zod";
import { BlockRunError } from "../../runtime/context";
import { implement } from "../../runtime/implement";
import { langChainMessages } from "../../runtime/langchain.server";
import { messageText } from "../../runtime/llm.server";
import type { JsonValue } from "../../runtime/values";
import { outputStructuredBlock } from "./block";

/** The JSON inside a text: the whole text, a ```json fence, or the outermost {…} / […]. */
export function findJson(text: string): JsonValue {
  const candidates = [text.trim()];
  const fence = /```(?:json)?\s*([\s\S]*?)```/i.exec(text);
  if (fence?.[1]) candidates.push(fence[1].trim());
  for (const [open, close] of [["{", "}"], ["[", "]"]] as const) {
    const start = text.indexOf(open);
    const end = text.lastIndexOf(close);
    if (start >= 0 && end > start) candidates.push(text.slice(start, end + 1));
  }
  for (const candidate of candidates) {
    try {
      return JSON.parse(candidate) as JsonValue;
    } catch {
      // try the next candidate
    }
  }
  throw new BlockRunError("The text holds no JSON to check against the schema; connect a model to extract it.");
}

/** The value as the schema parsed it; a schema read from JSON Schema turns JSON into JSON. */
export function validateAgainst(jsonSchema: Record<string, unknown>, value: JsonValue): JsonValue {
  const schema = z.fromJSONSchema(jsonSchema as Parameters<typeof z.fromJSONSchema>[0]);
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data as JsonValue;
  const problems = parsed.error.issues.slice(0, 5).map((i) => `${i.path.length > 0 ? i.path.join(".") : "(root)"}: ${i.message}`);
  throw new BlockRunError(`The JSON does not match the schema: ${problems.join("; ")}`);
}

/**
 * Parses JSON from the text, or (with a model connected) asks the model for JSON in the
 * schema's shape; either way the result is validated against the schema before it leaves.
 */
export const outputStructuredRunner = implement(outputStructuredBlock, async ({ config, inputs, ctx }) => {
  const text = inputs.text;
  let value: JsonValue;
  const model = inputs.model;
  if (model) {
    const schema = config.schema;
    const { HumanMessage, SystemMessage } = await langChainMessages();
    try {
      const bound = model.model.withConfig({
        response_format: { type: "json_schema", json_schema: { name: "output", schema, strict: false } },
      } as Record<string, unknown>);
      const reply = await bound.invoke(
        [new SystemMessage(`Extract the information as JSON matching this JSON Schema:\n${JSON.stringify(schema)}`), new HumanMessage(text)],
        { signal: ctx.signal },
      );
      const usage = reply.usage_metadata;
      ctx.meter.record({ nodeId: ctx.nodeId, model: model.trace.model, promptTokens: usage?.input_tokens ?? 0, completionTokens: usage?.output_tokens ?? 0 });
      value = findJson(messageText(reply));
    } catch (error) {
      if (ctx.signal.aborted || error instanceof BlockRunError) throw error;
      throw new BlockRunError(`The extraction model failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  } else {
    value = findJson(text);
  }
  const json = validateAgainst(config.schema, value);
  return { json, text: JSON.stringify(json) };
});
