/**
 * billing.usage({ groupBy: "endpoint" }): the calls each Model Endpoint served (the gateway's
 * endpoint_requests) per UTC day, with their tokens, next to the lease spend. Requests are
 * recorded through the endpoint service's buffer, as the gateway records them, and read at once
 * (the report flushes it). Another team's requests never show.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { modelEndpoints } from "#db/schema";
import type { RequestRecord } from "#server/services/endpoint-metrics";
import { createTestBackend, type TestBackend, type TestClient } from "../../support/harness";

let backend: TestBackend;
let owner: TestClient;
let other: TestClient;
let teamId = "";
let otherTeamId = "";

beforeAll(async () => {
  backend = await createTestBackend();
  owner = await backend.signedUpClient("usage-endpoint-owner@example.com");
  other = await backend.signedUpClient("usage-endpoint-other@example.com");
  teamId = (await owner.trpc.auth.me())?.team?.id ?? "";
  otherTeamId = (await other.trpc.auth.me())?.team?.id ?? "";
});
afterAll(() => backend?.close());

/** An endpoint row as EndpointService.create leaves it (no marketplace needed to count its requests). */
function endpointOf(team: string, id: string, slug: string) {
  const now = new Date();
  backend.db
    .insert(modelEndpoints)
    .values({ id, teamId: team, slug, modelId: "llama-3.1-8b-instruct", gpu: "A100", mode: "provider", durationHours: null, idleMinutes: null, maxPriceWeiPerSecond: "1000", marketDeploymentId: null, state: "running", createdAt: now, updatedAt: now })
    .run();
}

const DAY = 86_400_000;
const request = (r: Pick<RequestRecord, "teamId" | "endpointId" | "promptTokens" | "completionTokens" | "at"> & { status?: number }): RequestRecord => ({
  apiKeyId: null,
  latencyMs: 5,
  status: 200,
  ...r,
});

describe("usage by endpoint", () => {
  it("counts each endpoint's requests and tokens per UTC day, for the team's own endpoints only", async () => {
    endpointOf(teamId, "ep_usage_a", "llama-a");
    endpointOf(teamId, "ep_usage_b", "qwen-b");
    endpointOf(otherTeamId, "ep_usage_x", "theirs-x");
    const now = Date.now();
    const today = new Date(now).toISOString().slice(0, 10);
    const startOfToday = Date.parse(`${today}T00:00:00Z`);
    const yesterday = new Date(startOfToday - DAY).toISOString().slice(0, 10);
    const { endpoints } = backend.services;
    // Today: two calls on A (one an error: still a call served), one on B. The last millisecond
    // of yesterday counts for yesterday (UTC days), and a call 40 days ago is outside the period.
    endpoints.recordRequest(request({ teamId, endpointId: "ep_usage_a", promptTokens: 10, completionTokens: 20, at: startOfToday }));
    endpoints.recordRequest(request({ teamId, endpointId: "ep_usage_a", promptTokens: 3, completionTokens: 0, at: startOfToday + 1, status: 502 }));
    endpoints.recordRequest(request({ teamId, endpointId: "ep_usage_b", promptTokens: 7, completionTokens: 11, at: startOfToday + 2 }));
    endpoints.recordRequest(request({ teamId, endpointId: "ep_usage_a", promptTokens: 100, completionTokens: 200, at: startOfToday - 1 }));
    endpoints.recordRequest(request({ teamId, endpointId: "ep_usage_a", promptTokens: 1000, completionTokens: 1000, at: startOfToday - 40 * DAY }));
    // Another team's endpoint, and a row of theirs that (wrongly) names our endpoint: neither leaks.
    endpoints.recordRequest(request({ teamId: otherTeamId, endpointId: "ep_usage_x", promptTokens: 50, completionTokens: 50, at: startOfToday + 3 }));
    backend.sqlite
      .prepare("INSERT INTO endpoint_requests (team_id, endpoint_id, api_key_id, prompt_tokens, completion_tokens, latency_ms, status, at) VALUES (?, ?, NULL, 9, 9, 1, 200, ?)")
      .run(otherTeamId, "ep_usage_a", startOfToday + 4);

    // Read at once: the records are still in the 200 ms buffer unless the report flushes it.
    const report = await owner.trpc.billing.usage({ days: 7, groupBy: "endpoint" });
    expect(report.to).toBe(today);
    expect(report.groups).toEqual(
      expect.arrayContaining([
        { key: "ep_usage_a", label: "llama-a" },
        { key: "ep_usage_b", label: "qwen-b" },
      ]),
    );
    expect(report.groups).toHaveLength(2);
    const dayOf = (day: string) => report.days.find((d) => d.day === day)!;
    const zero = { wei: "0", spon: "0" };
    expect(dayOf(today).byGroup).toEqual({
      ep_usage_a: { requests: 2, promptTokens: 13, completionTokens: 20, cost: zero },
      ep_usage_b: { requests: 1, promptTokens: 7, completionTokens: 11, cost: zero },
    });
    expect(dayOf(yesterday).byGroup).toEqual({ ep_usage_a: { requests: 1, promptTokens: 100, completionTokens: 200, cost: zero } });
    expect(report.days.flatMap((d) => Object.keys(d.byGroup))).toHaveLength(3);

    // The other team sees its own endpoint only.
    const theirs = await other.trpc.billing.usage({ days: 7, groupBy: "endpoint" });
    expect(theirs.groups).toEqual([{ key: "ep_usage_x", label: "theirs-x" }]);
    expect(theirs.days.at(-1)!.byGroup).toEqual({ ep_usage_x: { requests: 1, promptTokens: 50, completionTokens: 50, cost: zero } });
  });
});
