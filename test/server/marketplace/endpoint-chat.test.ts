import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevModelServer, type DevModelServer } from "#server/dev-model/server";
import { endpointChatHandler, ENDPOINT_CHAT_PATH, type EndpointChatDeps } from "#server/http/endpoint-chat";
import { MarketplaceError } from "#server/marketplace/marketplace";

type Recorded = Parameters<EndpointChatDeps["recordRequest"]>[0];

/**
 * The playground's route on a real HTTP server, in front of the real development model (as a
 * node serves it): the session's team, the stream passed through, the request metered, and
 * bad input refused in words.
 */
describe("POST /api/endpoints/:id/chat", () => {
  let model: DevModelServer;
  let server: Server;
  let url: string;
  const recorded: Recorded[] = [];
  const asked: { teamId: string; endpointId: string }[] = [];
  let signedIn: "member" | "none" | "teamless" = "member";

  beforeAll(async () => {
    model = await startDevModelServer();
    const handler = endpointChatHandler({
      viewerOf: () =>
        signedIn === "none" ? null : ({ user: { id: "u1" }, membership: signedIn === "member" ? { teamId: "team_a", role: "viewer" } : null } as never),
      serving: async (teamId, endpointId) => {
        asked.push({ teamId, endpointId });
        if (endpointId === "ep_stopped") throw new MarketplaceError("UNAVAILABLE", "The endpoint qwen is stopped; start it on its page.");
        return { baseUrl: model.baseUrl, apiKey: "node-key", model: "skyloom-dev", leaseId: "l1", nodeId: "n1" };
      },
      recordRequest: (r) => recorded.push(r),
    });
    server = createServer((req, res) => {
      const match = ENDPOINT_CHAT_PATH.exec(req.url ?? "");
      if (req.method !== "POST" || !match?.[1]) return void res.writeHead(404).end();
      void handler(req, res, match[1]);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await model.close();
  });

  const post = (id: string, body: unknown, type = "application/json") =>
    fetch(`${url}/api/endpoints/${id}/chat`, { method: "POST", headers: { "content-type": type }, body: typeof body === "string" ? body : JSON.stringify(body) });

  it("streams the node's answer for the session's team and meters the request", async () => {
    const response = await post("ep_1", { messages: [{ role: "user", content: "Say hello" }] });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const text = await response.text();
    const deltas = text
      .split("\n")
      .filter((l) => l.startsWith("data: {"))
      .map((l) => (JSON.parse(l.slice(6)) as { choices: { delta?: { content?: string } }[] }).choices[0]?.delta?.content ?? "");
    expect(deltas.join("").length).toBeGreaterThan(0);
    expect(text.trimEnd().endsWith("data: [DONE]")).toBe(true);
    expect(asked.at(-1)).toEqual({ teamId: "team_a", endpointId: "ep_1" });
    const last = recorded.at(-1);
    expect(last).toMatchObject({ teamId: "team_a", endpointId: "ep_1", apiKeyId: null, status: 200 });
    expect(last?.completionTokens).toBeGreaterThan(0);
  });

  it("refuses without a session, without a team, a form post, bad JSON and bad messages, in words", async () => {
    signedIn = "none";
    expect((await post("ep_1", { messages: [{ role: "user", content: "x" }] })).status).toBe(401);
    signedIn = "teamless";
    expect((await post("ep_1", { messages: [{ role: "user", content: "x" }] })).status).toBe(403);
    signedIn = "member";
    const form = await post("ep_1", "messages=x", "application/x-www-form-urlencoded");
    expect(form.status).toBe(415);
    const broken = await post("ep_1", "{not json");
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { error: { message: string } }).error.message).toBe("The body is not valid JSON.");
    const empty = await post("ep_1", { messages: [] });
    expect(((await empty.json()) as { error: { message: string } }).error.message).toBe("Send at least one message.");
    const role = await post("ep_1", { messages: [{ role: "tool", content: "x" }] });
    expect(role.status).toBe(400);
    const big = await post("ep_1", { messages: [{ role: "user", content: "x".repeat(300 * 1024) }] });
    expect(big.status).toBe(413);
  });

  it("says a stopped endpoint is stopped", async () => {
    const response = await post("ep_stopped", { messages: [{ role: "user", content: "hi" }] });
    expect(response.status).toBe(409);
    expect(((await response.json()) as { error: { message: string } }).error.message).toBe("The endpoint qwen is stopped; start it on its page.");
  });
});
