import { implement } from "../../runtime/implement";
import type { MemoryValue } from "../../runtime/values";
import { conversationMemoryKey, memoryConversationBlock } from "./block";

/** Hands out the conversation's memory: the store is the run context's, keyed per conversation. */
export const memoryConversationRunner = implement(memoryConversationBlock, async ({ config, node, ctx }) => {
  const key = conversationMemoryKey(config, node.id);
  const memory: MemoryValue = {
    kind: "memory",
    load: () => ctx.memory.load({ conversationId: ctx.conversationId, key, limit: config.windowSize }),
    append: (messages) => ctx.memory.append({ conversationId: ctx.conversationId, key, messages }),
    trace: { key, windowSize: config.windowSize },
  };
  return { memory };
});
