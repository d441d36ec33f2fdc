import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RuntimeHost } from "#server/services/runtime-host";
import { codeToolsAgentGraph } from "../../fixtures/agent-graphs";
import { startGatewayHost, type GatewayHost } from "../gateway/support";

/**
 * Code tools through the real host: a published agent called over /v1, its tools run by the
 * host's sandbox pool, while /healthz keeps answering.
 */
const SPIN_LIMIT_MS = 2_000;
let host: GatewayHost;
let runtime: RuntimeHost;
let key: string;
let closed = false;

beforeAll(async () => {
  host = await startGatewayHost();
  runtime = host.skyloom.services.runtime;
  const alice = await host.person("alice@example.com");
  const graph = codeToolsAgentGraph([
    { name: "doubler", code: "return { doubled: input.value * 2 };", timeoutMs: 2_000 },
    // One call of a naive string search: minutes of work inside a single built-in.
    { name: "spinner", code: "const h = 'a'.repeat(2e5); return h.indexOf('a'.repeat(1e5) + 'b');", timeoutMs: SPIN_LIMIT_MS },
  ]);
  const flow = await alice.flow.create({ name: "Code Tools", graph });
  await alice.agent.publish({ flowId: flow.id, slug: "code-tools" });
  key = (await alice.apiKey.create({ name: "backend", kind: "secret" })).token;
}, 60_000);

afterAll(async () => {
  if (!closed) await host?.close();
});

async function ask(content: string): Promise<string> {
  const completion = await host.openai(key).chat.completions.create({ model: "code-tools", messages: [{ role: "user", content }] });
  return completion.choices[0]?.message.content ?? "";
}

describe("code tools on the host", () => {
  it("a published agent's code tool gets its arguments and returns its result", async () => {
    expect(await ask("Use the doubler on 21")).toContain('Tool results: doubler returned {"doubled":42}');
  });

  it("a tool stuck in a long built-in is stopped at its limit, answered as a tool error, and /healthz answers meanwhile", async () => {
    const healthLatencies: number[] = [];
    let asking = true;
    const poll = (async () => {
      while (asking) {
        const started = performance.now();
        const res = await fetch(`${host.url}/healthz`);
        expect(res.status).toBe(200);
        healthLatencies.push(performance.now() - started);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const answer = await ask("Use the spinner please").finally(() => (asking = false));
    await poll;
    expect(answer).toContain(`Tool results: spinner returned Error: Code tool 'spinner' stopped after ${SPIN_LIMIT_MS} ms (time limit).`);
    expect(healthLatencies.length).toBeGreaterThan(0);
    // On the host's thread the tool would hold every request for its whole limit and more.
    expect(Math.max(...healthLatencies)).toBeLessThan(SPIN_LIMIT_MS / 2);
    expect(await ask("Use the doubler on 5")).toContain('doubler returned {"doubled":10}');
  });

  it("closing the host terminates the sandbox workers", async () => {
    expect(runtime.sandbox.stats().workers).toBeGreaterThan(0);
    await host.close();
    closed = true;
    expect(runtime.sandbox.stats().workers).toBe(0);
    await expect(runtime.sandbox.run({ teamId: "t", toolName: "late", code: "return 1;", input: {}, limits: { timeoutMs: 500, memoryBytes: 1 << 24 } })).rejects.toThrow(
      "the server is shutting down",
    );
  });
});
