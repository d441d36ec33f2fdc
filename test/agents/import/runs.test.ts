import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importFlowFile } from "#agents/import/index";
import { startDevModelServer, type DevModelServer } from "#server/dev-model/server";
import { SandboxPool } from "#server/sandbox/pool";
import { runGraph, testCapabilities } from "../runtime/support";
import { fixtures } from "./support";

/**
 * Imported flows that are complete agents run end to end on the local development model,
 * with nothing set up after the import (no key: the default model answers). Not here:
 * flowise/llm-chain.json, whose models name their own servers (Ollama on localhost).
 */
let model: DevModelServer;
let sandbox: SandboxPool;
beforeAll(async () => {
  model = await startDevModelServer();
  sandbox = new SandboxPool({ size: 1, perTeam: 1 });
  sandbox.start();
});
afterAll(async () => {
  await model.close();
  await sandbox.stop();
});

function imported(name: string) {
  const fixture = fixtures().find((f) => f.name === name);
  if (!fixture) throw new Error(`No fixture ${name}`);
  return importFlowFile(fixture.text, fixture.path.split("/").pop()).graph;
}

describe("imported flows run on the local development model", () => {
  it.each([
    ["flowise/tool-agent.json", "use the calculator for 12 * 3", /36/],
    ["flowise/no-edges.json", "use the calculator for 2 + 5", /7/],
    // The development model picks the route whose name the message mentions.
    ["flowise/agentflow-v2.json", "scenario 1: a billing question", /not a language model/],
    ["langflow/basic-prompting.json", "Ahoy", /pirate/],
    ["langflow/simple-agent.json", "use the calculator for 6 * 7", /42/],
    ["dify/agent-app.yml", "use eval_expression... just the calculator for 9 + 1", /10/],
    ["dify/chatflow.yml", "Why was I charged twice?", /not a language model/],
    ["dify/workflow-if-else.yml", "urgent: the site is down", /Ticket: urgent: the site is down/],
  ])("%s", async (name, input, expected) => {
    const { capabilities } = testCapabilities(model.baseUrl, { sandbox: sandbox.forTeam("team_test") });
    const { result } = await runGraph(imported(name), input, capabilities);
    expect(result.status, JSON.stringify(result)).toBe("succeeded");
    expect(result.output).toMatch(expected);
  });

  it("an imported code tool never runs the imported code: it asks for a rewrite", async () => {
    const { capabilities } = testCapabilities(model.baseUrl, { sandbox: sandbox.forTeam("team_test") });
    const { result, events } = await runGraph(imported("flowise/tool-agent.json"), "use lookup_order for order 7", capabilities);
    expect(result.status).toBe("succeeded");
    expect(JSON.stringify(events)).toContain("has not been rewritten yet");
  });
});
