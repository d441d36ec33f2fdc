import { z } from "zod";
import { defineBlock } from "../define-block";

/** The key a node's memory is stored under: its configured key, else (empty) its own node id. */
export function conversationMemoryKey(config: { key: string }, nodeId: string): string {
  return config.key || nodeId;
}

/** Remembers the conversation (per conversation id), so a model or agent sees earlier turns. */
export const memoryConversationBlock = defineBlock({
  type: "memory.conversation",
  version: 1,
  title: "Conversation Memory",
  category: "Memory",
  part: "agent",
  description: "Keeps the last messages of each conversation for a model or agent.",
  icon: "history",
  inputs: [],
  outputs: [{ id: "memory", label: "Memory", type: "memory" }],
  roles: { memory: { key: conversationMemoryKey } },
  config: z.object({
    windowSize: z
      .number()
      .int("The window is a whole number of messages")
      .min(1, "Keep at least 1 message")
      .max(200, "Keep at most 200 messages")
      .default(20)
      .meta({ title: "Window size", description: "How many recent messages the model sees." }),
    key: z
      .string()
      .max(64)
      .regex(/^[a-zA-Z0-9_-]*$/, "Use letters, digits, _ or -")
      .default("")
      .meta({ title: "Memory key", description: "Blocks with the same key share memory; empty means this block alone." }),
  }),
});
