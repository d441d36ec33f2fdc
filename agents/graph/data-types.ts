import { z } from "zod";

/**
 * The closed set of data types that travel along edges. Adding one is a deliberate act:
 * the canvas colours, the compiler and the runtime all switch on this union.
 */
export const PORT_DATA_TYPES = [
  "text",
  "messages",
  "chat-model",
  "embeddings",
  "tool",
  "memory",
  "retriever",
  "documents",
  "json",
  "endpoint",
] as const;

export type PortDataType = (typeof PORT_DATA_TYPES)[number];

export const PortDataTypeSchema = z.enum(PORT_DATA_TYPES);

/** Human names used in messages ("A tool port cannot take text"). */
export const DATA_TYPE_LABELS: Record<PortDataType, string> = {
  text: "text",
  messages: "messages",
  "chat-model": "chat model",
  embeddings: "embeddings",
  tool: "tool",
  memory: "memory",
  retriever: "retriever",
  documents: "documents",
  json: "JSON",
  endpoint: "endpoint",
};

/**
 * Which source types an input of a given type accepts besides its own. Kept small on
 * purpose: every implicit conversion here must have an obvious meaning to a user.
 */
const IMPLICIT_CONVERSIONS: Partial<Record<PortDataType, readonly PortDataType[]>> = {
  // JSON is shown as its text when it flows into a text input.
  text: ["json"],
  // A deployed endpoint serves an OpenAI-compatible API, so it can act as a chat model.
  "chat-model": ["endpoint"],
};

export function canFlowInto(source: PortDataType, target: PortDataType): boolean {
  return source === target || (IMPLICIT_CONVERSIONS[target]?.includes(source) ?? false);
}
