import type { Db } from "#db/client";
import type { GraphDoc } from "#agents/graph/index";
import { blockRegistry, memoryKeysOf } from "#agents/blocks/index";
import { sqliteMemoryStore } from "../services/run-memory";
import type { RunService } from "../services/runs";
import type { AgentRunner } from "./agent-runner";
import type { HistoryMessage } from "./chat-request";

/**
 * A request's earlier messages become the conversation's history: they are written to each
 * memory of the flow when that memory is still empty. A conversation that already has memory
 * (a returning `conversation_id` or `user`) keeps its own record, so a client that resends the
 * whole chat every turn does not see it twice.
 */
export async function seedHistory(db: Db, teamId: string, graph: GraphDoc, conversationId: string, history: HistoryMessage[]): Promise<void> {
  if (history.length === 0) return;
  const store = sqliteMemoryStore(db, teamId);
  for (const key of memoryKeysOf(graph, blockRegistry)) {
    const existing = await store.load({ conversationId, key, limit: 1 });
    if (existing.length === 0) await store.append({ conversationId, key, messages: history });
  }
}

/** The gateway's runner: the same runs service the editor's test chat uses, with a gateway origin. */
export function runtimeAgentRunner(services: { db: Db; runs: Pick<RunService, "start"> }): AgentRunner {
  return async (request) => {
    await seedHistory(services.db, request.teamId, request.graph, request.conversationId, request.history);
    return services.runs.start({
      teamId: request.teamId,
      flowId: request.flowId,
      flowVersionId: request.flowVersionId,
      graph: request.graph,
      input: request.input,
      conversationId: request.conversationId,
      origin: request.origin,
      streamTokens: request.stream,
    });
  };
}
