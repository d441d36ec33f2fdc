import { and, desc, eq } from "drizzle-orm";
import type { Db } from "#db/client";
import { conversationMessages } from "#db/schema";
import type { MemoryStore } from "#agents/runtime/context";

/** Longest message kept in memory; longer ones are cut so one answer cannot bloat every prompt. */
const MAX_MESSAGE_CHARS = 50_000;

/** Conversation memory in SQLite, scoped to one team. */
export function sqliteMemoryStore(db: Db, teamId: string): MemoryStore {
  return {
    async load({ conversationId, key, limit }) {
      const rows = db
        .select({ role: conversationMessages.role, content: conversationMessages.content })
        .from(conversationMessages)
        .where(
          and(
            eq(conversationMessages.teamId, teamId),
            eq(conversationMessages.conversationId, conversationId),
            eq(conversationMessages.memoryKey, key),
          ),
        )
        .orderBy(desc(conversationMessages.id))
        .limit(limit)
        .all();
      return rows.reverse();
    },
    async append({ conversationId, key, messages }) {
      if (messages.length === 0) return;
      const now = new Date();
      db.insert(conversationMessages)
        .values(
          messages.map((m) => ({
            teamId,
            conversationId,
            memoryKey: key,
            role: m.role,
            content: m.content.slice(0, MAX_MESSAGE_CHARS),
            createdAt: now,
          })),
        )
        .run();
    },
  };
}
