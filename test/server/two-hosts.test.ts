import Database from "better-sqlite3";
import { afterAll, beforeAll, expect, test } from "vitest";
import { helloAgentGraph } from "#server/services/seed";
import type { ServerCaller } from "#server/trpc/root";
import { startHeldModel, type HeldModel } from "../support/held-model";
import { startGatewayHost, type GatewayHost } from "./gateway/support";

/**
 * Two Skylooms in one process share nothing (server/composition.ts): stopping one cancels its
 * own runs and no other's, and each keeps its own runs, keys and agents.
 */
let model: HeldModel;
let first: GatewayHost;
let second: GatewayHost;
let firstClosed = false;

beforeAll(async () => {
  model = await startHeldModel();
  [first, second] = await Promise.all([
    startGatewayHost({}, { defaultModelBaseUrl: model.baseUrl }),
    startGatewayHost({}, { defaultModelBaseUrl: model.baseUrl }),
  ]);
}, 60_000);
afterAll(async () => {
  model.release();
  if (!firstClosed) await first?.close();
  await second?.close();
  await model.close();
});

/** A person on a host with a published agent, an API key for it, and their team. */
async function publisher(host: GatewayHost, email: string) {
  const person: ServerCaller = await host.person(email);
  const teamId = (await person.auth.me())?.team?.id ?? "";
  const flow = await person.flow.create({ name: "Long answer", graph: helloAgentGraph() });
  const agent = await person.agent.publish({ flowId: flow.id, slug: "long-answer" });
  const { token } = await person.apiKey.create({ name: "server", kind: "secret" });
  return { person, teamId, flowId: flow.id, slug: agent.slug, token };
}

test("closing one host cancels its own runs only: the other host's run goes on, finishes and is stored", async () => {
  const [ada, bea] = await Promise.all([publisher(first, "ada@example.com"), publisher(second, "bea@example.com")]);

  // A long run on each host: the model holds both answers.
  model.hold();
  const onFirst = await ada.person.run.start({ flowId: ada.flowId, input: "a long question", conversationId: "long-1" });
  const onSecond = second.skyloom.services.runs.start({
    teamId: bea.teamId,
    flowId: bea.flowId,
    graph: helloAgentGraph(),
    input: "another long question",
    conversationId: "long-2",
    origin: { kind: "api" },
  });
  await model.heldCalls(2);

  // Each host knows only its own runs in progress.
  expect(() => second.skyloom.services.runs.get({ teamId: ada.teamId }, onFirst.runId)).toThrow("Run not found");
  expect(() => first.skyloom.services.runs.get({ teamId: bea.teamId }, onSecond.runId)).toThrow("Run not found");
  expect(second.skyloom.services.runs.get({ teamId: bea.teamId }, onSecond.runId).status).toBe("running");

  await first.close();
  firstClosed = true;

  // The second host's run was not cancelled: once the model answers, it succeeds and is stored.
  model.release();
  const result = await onSecond.result;
  expect(result.status).toBe("succeeded");
  expect(result.output).toContain('You said: "You are a friendly assistant');
  expect(second.skyloom.services.runs.get({ teamId: bea.teamId }, onSecond.runId)).toMatchObject({ status: "succeeded", output: result.output });

  // …and the second host still serves: its gateway, keys and agents are its own.
  const completion = await second.openai(bea.token).chat.completions.create({ model: bea.slug, messages: [{ role: "user", content: "still there?" }] });
  expect(completion.choices[0]?.message.content).toContain('You said: "You are a friendly assistant');
  // The first host's key means nothing to the second.
  await expect(second.openai(ada.token).models.list()).rejects.toMatchObject({ status: 401 });
});

test("stopping a host ends its run as cancelled, in its own store", async () => {
  const host = await startGatewayHost({}, { defaultModelBaseUrl: model.baseUrl });
  const cy = await publisher(host, "cy@example.com");
  model.hold();
  const run = host.skyloom.services.runs.start({ teamId: cy.teamId, graph: helloAgentGraph(), input: "never answered", conversationId: "c", origin: { kind: "api" } });
  await model.heldCalls(1);
  await host.skyloom.close();
  model.release();
  expect((await run.result).status).toBe("cancelled");
  // Stored before the database closed.
  const stored = new Database(host.skyloom.services.config.databasePath, { readonly: true });
  try {
    expect(stored.prepare("select status from runs where id = ?").get(run.runId)).toEqual({ status: "cancelled" });
  } finally {
    stored.close();
    await host.close();
  }
});
