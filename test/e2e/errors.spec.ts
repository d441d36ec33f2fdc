import type { Page } from "@playwright/test";
import { expect, signUp, test, uniqueEmail } from "./support/fixtures";
import { trpcCall } from "./support/agent-api";
import { nodeOfType, openPanel } from "./support/canvas";
import { waitForHydration } from "./support/hydration";

// What a new user trips over: errors that blame the wrong block or speak in ids, and tool
// failures that look like successes. The shared Skyloom of the suite does not allow private
// addresses, so a loopback URL fails as a user's unreachable server would.
test.use({ viewport: { width: 1600, height: 1000 } });

type NodeSpec = { id: string; type: string; config?: unknown; label?: string };
function graphOf(nodes: NodeSpec[], edges: string[]) {
  return {
    schemaVersion: 1,
    nodes: nodes.map((n, i) => ({ id: n.id, type: n.type, version: 1, config: n.config ?? {}, ui: { x: (i % 4) * 300, y: i < 4 ? 60 : 420, ...(n.label ? { label: n.label } : {}) } })),
    edges: edges.map((e, i) => {
      const [from, to] = e.split("->").map((s) => s.trim().split(".")) as [[string, string], [string, string]];
      return { id: `e${i}`, from: { node: from[0], port: from[1] }, to: { node: to[0], port: to[1] } };
    }),
  };
}

/** Input → Agent (with a Chat Model and the given tools) → Output. */
function agentGraph(model: NodeSpec, tools: NodeSpec[] = []) {
  return graphOf(
    [{ id: "in", type: "io.chat-input" }, model, { id: "agent", type: "agent.tools", label: "Helper" }, { id: "out", type: "io.chat-output" }, ...tools],
    ["in.message -> agent.prompt", `${model.id}.model -> agent.model`, "agent.text -> out.message", ...tools.map((t) => `${t.id}.tool -> agent.tools`)],
  );
}

async function openFlowWithChat(page: Page, name: string, graph: unknown) {
  const flow = await trpcCall<{ id: string }>(page.request, "flow.create", { name, graph });
  await page.goto(`/flows/${flow.id}`);
  await waitForHydration(page);
  await openPanel(page, "chat");
  return page.getByTestId("chat-panel");
}

test("a failing HTTP tool: the chat shows the call folded with its error, the tool block is marked, the run page shows it under the flow's name", async ({ page }) => {
  await signUp(page, uniqueEmail("tool-error"));
  const weather = {
    id: "http",
    type: "tool.http",
    label: "Weather API",
    config: { name: "weather", description: "Weather for a city", url: "http://127.0.0.1:9/weather?city={city}" },
  };
  const chat = await openFlowWithChat(page, "Weather helper", agentGraph({ id: "model", type: "model.openai" }, [weather]));
  await chat.getByTestId("chat-input").fill("weather in Oslo");
  await chat.getByTestId("chat-send").click();

  // The agent answered anyway: the run succeeded, and says a tool call failed.
  await expect(chat.getByTestId("chat-answer")).toHaveAttribute("data-status", "succeeded", { timeout: 20_000 });
  await expect(chat.getByTestId("chat-run-status")).toHaveText("Succeeded");
  await expect(chat.getByTestId("run-tool-warning").first()).toHaveText("1 tool call failed");

  // The call is listed by name, folded: the error shows once it is opened.
  const call = chat.getByRole("list", { name: "Tool calls" }).getByTestId("tool-call").first();
  await expect(call).toHaveAttribute("data-state", "error");
  await expect(call.locator("summary")).toContainText("Called weather");
  await expect(call.locator("summary")).toContainText("Weather API");
  await expect(call.locator("summary")).toContainText("failed");
  await expect(call.getByText("Refused to connect to 127.0.0.1")).toBeHidden();
  await call.locator("summary").click();
  await expect(call.getByTestId("trace-value").first()).toHaveText("city: weather in Oslo");
  await expect(call.getByTestId("trace-value").nth(1)).toContainText("GET http://127.0.0.1:9/weather failed: Refused to connect to 127.0.0.1");
  await call.getByRole("button", { name: "Show JSON" }).click();
  await expect(call.getByTestId("trace-value").first()).toContainText('"city": "weather in Oslo"');

  // On the canvas the tool's block is failed, with its error; the agent is done.
  const toolBlock = nodeOfType(page, "tool.http").getByTestId("block-node");
  await expect(toolBlock).toHaveAttribute("data-run-state", "error");
  await expect(toolBlock.getByLabel("failed")).toBeVisible();
  await expect(toolBlock.getByTestId("node-run-message")).toContainText("GET http://127.0.0.1:9/weather failed");
  await expect(nodeOfType(page, "agent.tools").getByTestId("block-node")).toHaveAttribute("data-run-state", "done");
  await expect(chat.getByTestId("trace-http")).toHaveAttribute("data-state", "error");

  // The run list says it too.
  await expect(chat.getByTestId("run-history").getByTestId("run-tool-warning")).toHaveText("1 tool call failed");

  // The run page: titled by the flow's name and the time, the tool's block failed, the call in the trace.
  await chat.getByTestId("chat-run-link").click();
  await expect(page).toHaveURL(/\/runs\/run_/);
  await expect(page.getByTestId("run-title")).toHaveText(/^Weather helper — \d{1,2} [A-Z][a-z]{2}, \d{2}:\d{2}$/);
  await expect(page).toHaveTitle(/^Weather helper — .* · Skyloom$/);
  await expect(page.getByTestId("run-status")).toHaveText("Succeeded");
  await expect(page.getByTestId("run-tool-warning")).toHaveText("1 tool call failed");
  await expect(page.getByTestId("run-node-http")).toHaveAttribute("data-state", "error");
  await expect(page.getByTestId("run-node-http-error")).toContainText("GET http://127.0.0.1:9/weather failed");
  await expect(page.getByTestId("run-node-agent")).toHaveAttribute("data-state", "done");
  const toolTrace = page.getByTestId("trace-http");
  await expect(toolTrace).toHaveAttribute("data-state", "error");
  await expect(toolTrace.getByTestId("tool-call")).toHaveAttribute("data-state", "error");
});

test("a Chat Model with a bad base URL is the block marked red, with the URL; the Agent is not blamed", async ({ page }) => {
  await signUp(page, uniqueEmail("model-error"));
  const model = { id: "model", type: "model.openai", label: "GPT", config: { baseUrl: "http://127.0.0.1:1/v1" } };
  const chat = await openFlowWithChat(page, "Bad model", agentGraph(model));
  await chat.getByTestId("chat-input").fill("hello");
  await chat.getByTestId("chat-send").click();

  await expect(chat.getByTestId("chat-answer")).toHaveAttribute("data-status", "failed", { timeout: 20_000 });
  await expect(chat.getByTestId("chat-run-error")).toContainText('Chat Model "GPT": Could not connect to http://127.0.0.1:1/v1');
  await expect(chat.getByTestId("chat-run-error")).toContainText("Check the Base URL.");
  await expect(chat.getByTestId("chat-run-error")).not.toContainText("(agent)");

  const modelBlock = nodeOfType(page, "model.openai").getByTestId("block-node");
  await expect(modelBlock).toHaveAttribute("data-run-state", "error");
  await expect(modelBlock.getByTestId("node-run-message")).toContainText("Could not connect to http://127.0.0.1:1/v1");
  await expect(modelBlock.getByLabel("failed")).toBeVisible();
  await expect(modelBlock.getByLabel("done")).toHaveCount(0);

  const agentBlock = nodeOfType(page, "agent.tools").getByTestId("block-node");
  await expect(agentBlock).toHaveAttribute("data-run-state", "stopped");
  await expect(agentBlock.getByLabel("failed")).toHaveCount(0);
  await expect(agentBlock.getByTestId("node-run-message")).toHaveText('Stopped because Chat Model "GPT" failed.');
  await expect(chat.getByTestId("trace-model")).toHaveAttribute("data-state", "error");
  await expect(chat.getByTestId("trace-agent")).toHaveAttribute("data-state", "stopped");
});

test("publishing a half-built flow names the block by its label, not by its id", async ({ page }) => {
  await signUp(page, uniqueEmail("publish-error"));
  const graph = graphOf(
    [
      { id: "n_in7x2k", type: "io.chat-input" },
      { id: "n_qoqllmsy", type: "agent.tools", label: "Support agent" },
      { id: "n_out9p3", type: "io.chat-output" },
    ],
    ["n_in7x2k.message -> n_qoqllmsy.prompt", "n_qoqllmsy.text -> n_out9p3.message"],
  );
  const flow = await trpcCall<{ id: string }>(page.request, "flow.create", { name: "Half built", graph });
  await page.goto(`/flows/${flow.id}`);
  await waitForHydration(page);
  await openPanel(page, "publish");
  const panel = page.getByTestId("publish-panel");
  await panel.getByRole("button", { name: "Publish", exact: true }).click();
  const error = panel.getByRole("alert");
  await expect(error).toContainText('Agent "Support agent": The input "Model" needs a connection. (E202)');
  await expect(error).not.toContainText("n_qoqllmsy");
  await expect(error).not.toContainText("port model");
});
