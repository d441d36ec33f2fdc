import type Database from "better-sqlite3";

/**
 * The statements on Skyloom's hot paths, every one of them here: a gateway request reads its
 * key and its agent, a run stores its row, its steps, its origin and its usage, and a request
 * to a model endpoint its record. They are
 * better-sqlite3's own statements, prepared once per database by the composition root
 * (server/composition.ts): building a drizzle query per event cost more than the write, and
 * drizzle's result mapping more than the read. Everything else goes through drizzle.
 *
 * test/db/hot-statements.test.ts runs each against a migrated database, so a schema change
 * that breaks one fails there (preparing them at start fails too, before the host listens).
 * Columns follow db/schema; timestamps are milliseconds since the epoch, as drizzle's
 * `timestamp_ms` columns store them.
 */
export function prepareHotStatements(sqlite: Database.Database) {
  return {
    // ---- runs and their trace (server/services/run-recorder.ts, run-settlement.ts)
    /** A run's row: when it starts (status "running"), or at once in its final state. */
    insertRun: sqlite.prepare<[RunRowParams]>(
      `insert into runs (id, team_id, flow_id, flow_version_id, graph, conversation_id, source, status, input, output, error,
         prompt_tokens, completion_tokens, failed_tool_calls, started_at, finished_at, duration_ms, created_by)
       values (@id, @teamId, @flowId, @flowVersionId, @graph, @conversationId, @source, @status, @input, @output, @error,
         @promptTokens, @completionTokens, @failedToolCalls, @startedAt, @finishedAt, @durationMs, @createdBy)`,
    ),
    /** A stored run's final state. */
    finishRun: sqlite.prepare<[RunFinishParams]>(
      `update runs set status = @status, output = @output, error = @error, prompt_tokens = @promptTokens,
         completion_tokens = @completionTokens, failed_tool_calls = @failedToolCalls, finished_at = @finishedAt, duration_ms = @durationMs
       where id = @id`,
    ),
    insertStep: sqlite.prepare<[StepRowParams]>(
      `insert into run_steps (run_id, team_id, seq, node_id, block_type, status, inputs, outputs, detail, error, started_at, finished_at, duration_ms)
       values (@runId, @teamId, @seq, @nodeId, @blockType, @status, @inputs, @outputs, @detail, @error, @startedAt, @finishedAt, @durationMs)`,
    ),
    updateStep: sqlite.prepare<[StepRowParams]>(
      `update run_steps set status = @status, outputs = @outputs, detail = @detail, error = @error, finished_at = @finishedAt, duration_ms = @durationMs
       where run_id = @runId and seq = @seq`,
    ),
    /** A gateway run's origin: the published agent and the key it was served for. */
    linkAgentRun: sqlite.prepare<[AgentRunLinkParams]>(
      `insert into agent_runs (run_id, team_id, agent_id, api_key_id, started_at)
       values (@runId, @teamId, @agentId, @apiKeyId, @startedAt)
       on conflict do nothing`,
    ),
    /** One request added to its agent's day (one row per agent and UTC day). */
    addAgentUsage: sqlite.prepare<[AgentUsageParams]>(
      `insert into agent_usage_daily (agent_id, team_id, day, requests, errors, prompt_tokens, completion_tokens)
       values (@agentId, @teamId, @day, 1, @errors, @promptTokens, @completionTokens)
       on conflict (agent_id, day) do update set
         requests = requests + 1,
         errors = errors + excluded.errors,
         prompt_tokens = prompt_tokens + excluded.prompt_tokens,
         completion_tokens = completion_tokens + excluded.completion_tokens`,
    ),

    // ---- model endpoints (server/services/endpoint-request-buffer.ts)
    /** One request to a model endpoint, written with its batch. */
    insertEndpointRequest: sqlite.prepare<[EndpointRequestParams]>(
      `insert into endpoint_requests (team_id, endpoint_id, api_key_id, prompt_tokens, completion_tokens, latency_ms, status, at)
       values (@teamId, @endpointId, @apiKeyId, @promptTokens, @completionTokens, @latencyMs, @status, @at)`,
    ),

    // ---- gateway reads (server/services/api-keys.ts, published-agents.ts)
    /** A presented API key, by its keyed hash (one indexed read). */
    findApiKey: sqlite.prepare<[keyHash: string], ApiKeyRow>(
      `select id, team_id as teamId, kind, allowed_agents as allowedAgents, allowed_origins as allowedOrigins,
         requests_per_minute as requestsPerMinute, revoked_at is not null as revoked
       from api_keys where key_hash = ?`,
    ),
    /** The agent a request names, while it is served. */
    findServedAgent: sqlite.prepare<[teamId: string, slug: string], ServedAgentRow>(
      `select id, team_id as teamId, slug, flow_id as flowId, flow_version_id as flowVersionId, created_at as createdAt
       from published_agents where team_id = ? and slug = ? and status = 'active'`,
    ),
  };
}

export type HotStatements = ReturnType<typeof prepareHotStatements>;

export type RunFinishParams = {
  id: string;
  status: string;
  output: string | null;
  error: string | null;
  promptTokens: number;
  completionTokens: number;
  failedToolCalls: number;
  finishedAt: number | null;
  durationMs: number | null;
};

export type RunRowParams = RunFinishParams & {
  teamId: string;
  flowId: string | null;
  flowVersionId: string | null;
  /** JSON text; "null" when the flow version holds the graph (see db/schema/runs.ts). */
  graph: string;
  conversationId: string;
  source: "chat" | "gateway" | "api";
  input: string;
  startedAt: number;
  createdBy: string | null;
};

export type StepRowParams = {
  runId: string;
  teamId: string;
  seq: number;
  nodeId: string;
  blockType: string;
  status: string;
  /** JSON text, or null. */
  inputs: string | null;
  outputs: string | null;
  detail: string | null;
  error: string | null;
  startedAt: number;
  finishedAt: number | null;
  durationMs: number | null;
};

export type AgentRunLinkParams = { runId: string; teamId: string; agentId: string; apiKeyId: string | null; startedAt: number };

export type AgentUsageParams = {
  agentId: string;
  teamId: string;
  /** YYYY-MM-DD, UTC. */
  day: string;
  errors: 0 | 1;
  promptTokens: number;
  completionTokens: number;
};

export type EndpointRequestParams = {
  teamId: string;
  endpointId: string;
  apiKeyId: string | null;
  promptTokens: number;
  completionTokens: number;
  latencyMs: number;
  status: number;
  at: number;
};

export type ApiKeyRow = {
  id: string;
  teamId: string;
  kind: "secret" | "public";
  /** JSON text of a list, or null. */
  allowedAgents: string | null;
  allowedOrigins: string | null;
  requestsPerMinute: number | null;
  revoked: number;
};

export type ServedAgentRow = { id: string; teamId: string; slug: string; flowId: string; flowVersionId: string; createdAt: number };
