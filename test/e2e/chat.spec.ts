import { expect, heldModelTest, pacedTest, signUp, uniqueEmail } from "./support/fixtures";
import { HELD_MODEL_FIRST_WORDS } from "./support/held-model";
import { gotoHydrated } from "./support/hydration";
import { createFlow, dragBlock, nodeId, nodeOfType, openPanel, port, waitSaved, wire } from "./support/canvas";

// A Skyloom whose development model streams at a model-like pace, so the test can see the
// answer arrive piece by piece.
const test = pacedTest;

// Room for four blocks in a row beside the palette and the sidebar.
test.use({ viewport: { width: 1700, height: 950 } });

test("build Input → Prompt → Model → Output, chat, watch tokens stream and every block light up; open the run", async ({ page }) => {
  await signUp(page, uniqueEmail("chat"));
  await createFlow(page, "Chat flow");

  // Dropped by the header's middle; the first one just clear of the canvas's left edge.
  await dragBlock(page, "io.chat-input", { x: 140, y: 140 });
  await dragBlock(page, "prompt.template", { x: 400, y: 100 });
  await dragBlock(page, "model.openai", { x: 660, y: 60 });
  await dragBlock(page, "io.chat-output", { x: 920, y: 140 });
  const input = await nodeId(page, "io.chat-input");
  const prompt = await nodeId(page, "prompt.template");
  const model = await nodeId(page, "model.openai");
  const output = await nodeId(page, "io.chat-output");
  await wire(page, port(page, input, "out", "message"), port(page, prompt, "in", "input"));
  await wire(page, port(page, prompt, "out", "prompt"), port(page, model, "in", "prompt"));
  await wire(page, port(page, model, "out", "text"), port(page, output, "in", "message"));
  await expect(page.locator(".react-flow__edge")).toHaveCount(3);
  await waitSaved(page);

  await openPanel(page, "chat");
  const chat = page.getByTestId("chat-panel");
  await chat.getByTestId("chat-input").fill("What does Skyloom do?");
  await chat.getByTestId("chat-send").click();

  // Streaming: part of the answer is on screen while the run is still going, and meanwhile the
  // model block shows it is running. Both are read from one look at the page: read one after
  // the other, a busy machine can let the run end in between.
  const partialHandle = await page.waitForFunction(() => {
    const answer = document.querySelector('[data-testid="chat-answer"]');
    const model = document.querySelector('.react-flow__node:has([data-node-type="model.openai"])');
    const modelRunning = model?.querySelector('[aria-label="running"]') != null;
    const text = answer?.textContent ?? "";
    return answer?.getAttribute("data-status") === "running" && text.includes("You said") && modelRunning ? text : null;
  });
  const partial = (await partialHandle.jsonValue()) ?? "";

  const answer = chat.getByTestId("chat-answer");
  await expect(answer).toHaveAttribute("data-status", "succeeded", { timeout: 20_000 });
  const final = (await answer.textContent()) ?? "";
  expect(final).toContain("What does Skyloom do?");
  expect(final).toContain("not a language model");
  expect(final.length).toBeGreaterThan(partial.length);
  expect(final.startsWith(partial.trim().slice(0, 20))).toBe(true);

  // The trace: every block ran, with a timing, and the canvas shows each one done.
  for (const id of [input, prompt, model, output]) {
    await expect(chat.getByTestId(`trace-${id}`)).toHaveAttribute("data-state", "done");
    await expect(chat.getByTestId(`trace-${id}-duration`)).toHaveText(/\d+(\.\d+)? (ms|s)|<1 ms/);
  }
  for (const type of ["io.chat-input", "prompt.template", "model.openai", "io.chat-output"]) {
    await expect(nodeOfType(page, type).getByLabel("done")).toBeVisible();
  }
  // A trace line opens to the node's inputs and outputs, as text; the JSON is one click away.
  const promptTrace = chat.getByTestId(`trace-${prompt}`);
  await promptTrace.getByRole("button", { name: "Prompt", exact: true }).click();
  await expect(promptTrace.getByTestId("trace-value").first()).toHaveText("input: What does Skyloom do?");
  await promptTrace.getByRole("button", { name: "Show JSON" }).click();
  await expect(promptTrace).toContainText('"input": "What does Skyloom do?"');

  // History lists the run; it opens on its run page with the trace drawn on the flow.
  const history = chat.getByTestId("run-history");
  await expect(history.getByRole("link")).toHaveCount(1);
  await chat.getByTestId("chat-run-link").first().click();
  await expect(page).toHaveURL(/\/runs\/run_/);
  await expect(page.getByTestId("run-status")).toHaveText("Succeeded");
  await expect(page.getByTestId("run-input")).toHaveText("What does Skyloom do?");
  await expect(page.getByTestId("run-output")).toContainText("not a language model");
  for (const id of [input, prompt, model, output]) {
    await expect(page.getByTestId(`run-node-${id}`)).toHaveAttribute("data-state", "done");
  }
  await page.getByTestId(`trace-${model}`).getByRole("button", { name: "Chat Model", exact: true }).click();
  await expect(page.getByTestId(`trace-${model}`)).toContainText('model: Chat model "skyloom-dev"');
});

test("a failing block is marked on the canvas and in the trace, with its message", async ({ page }) => {
  await signUp(page, uniqueEmail("chat-error"));
  const graph = {
    schemaVersion: 1,
    nodes: [
      { id: "in", type: "io.chat-input", version: 1, config: {}, ui: { x: 0, y: 80 } },
      { id: "prompt", type: "prompt.template", version: 1, config: { template: "{input} with {context}" }, ui: { x: 280, y: 60, label: "Needs context" } },
      { id: "model", type: "model.openai", version: 1, config: {}, ui: { x: 560, y: 40 } },
      { id: "out", type: "io.chat-output", version: 1, config: {}, ui: { x: 840, y: 80 } },
    ],
    edges: [
      { id: "e1", from: { node: "in", port: "message" }, to: { node: "prompt", port: "input" } },
      { id: "e2", from: { node: "prompt", port: "prompt" }, to: { node: "model", port: "prompt" } },
      { id: "e3", from: { node: "model", port: "text" }, to: { node: "out", port: "message" } },
    ],
  };
  const created = await page.request.post("/api/trpc/flow.create", { data: { name: "Broken", graph } });
  expect(created.ok()).toBe(true);
  const flowId = ((await created.json()) as { result: { data: { id: string } } }).result.data.id;
  await gotoHydrated(page, `/flows/${flowId}`);
  await openPanel(page, "chat");
  const chat = page.getByTestId("chat-panel");
  await chat.getByTestId("chat-input").fill("hello");
  await chat.getByTestId("chat-send").click();

  await expect(chat.getByTestId("chat-answer")).toHaveAttribute("data-status", "failed");
  // The run refuses the flow as the canvas's validator does (E202), before any block runs.
  await expect(chat.getByTestId("chat-run-error")).toContainText('Prompt "Needs context": The input "context" needs a connection. (E202)');
  await expect(chat.getByTestId("trace-prompt")).toHaveAttribute("data-state", "error");
  await expect(chat.getByTestId("trace-in")).toHaveCount(0);
  await expect(chat.getByTestId("trace-model")).toHaveCount(0);
  await expect(nodeOfType(page, "prompt.template")).toContainText('The input "context" needs a connection.');
});

/** Input → Prompt → Chat Model → Output, the model being the host's default. */
const chatGraph = {
  schemaVersion: 1,
  nodes: [
    { id: "in", type: "io.chat-input", version: 1, config: {}, ui: { x: 0, y: 80 } },
    { id: "prompt", type: "prompt.template", version: 1, config: { template: "{input}" }, ui: { x: 280, y: 60 } },
    { id: "model", type: "model.openai", version: 1, config: {}, ui: { x: 560, y: 40 } },
    { id: "out", type: "io.chat-output", version: 1, config: {}, ui: { x: 840, y: 80 } },
  ],
  edges: [
    { id: "e1", from: { node: "in", port: "message" }, to: { node: "prompt", port: "input" } },
    { id: "e2", from: { node: "prompt", port: "prompt" }, to: { node: "model", port: "prompt" } },
    { id: "e3", from: { node: "model", port: "text" }, to: { node: "out", port: "message" } },
  ],
};

// The model here streams its first words and then waits for as long as it takes: the answer
// is certainly still arriving when Cancel is pressed, on any machine (it flaked under load
// when a paced model could finish first).
heldModelTest("cancel a run midway: the answer stops where it was and says so, and the model's request ends", async ({ page, held }) => {
  await signUp(page, uniqueEmail("chat-cancel"));
  const created = await page.request.post("/api/trpc/flow.create", { data: { name: "Cancel me", graph: chatGraph } });
  expect(created.ok()).toBe(true);
  const flowId = ((await created.json()) as { result: { data: { id: string } } }).result.data.id;
  await gotoHydrated(page, `/flows/${flowId}`);
  await openPanel(page, "chat");
  const chat = page.getByTestId("chat-panel");
  await chat.getByTestId("chat-input").fill("Take your time");
  await chat.getByTestId("chat-send").click();

  const answer = chat.getByTestId("chat-answer");
  await expect(answer).toContainText(HELD_MODEL_FIRST_WORDS);
  await expect(answer).toHaveAttribute("data-status", "running");
  const dropped = held.model.dropped();
  await chat.getByTestId("chat-cancel").click();

  await expect(answer).toHaveAttribute("data-status", "cancelled");
  await expect(chat.getByTestId("chat-run-error")).toContainText("cancelled");
  await expect(chat.getByTestId("chat-cancel")).toHaveCount(0);
  await expect(answer).toContainText(HELD_MODEL_FIRST_WORDS);
  // The cancel reached the model: its request was dropped, not left streaming.
  await expect.poll(() => held.model.dropped()).toBe(dropped + 1);
  // The run is in the history as cancelled.
  await expect(chat.getByTestId("run-history").getByRole("link")).toHaveCount(1);
});
