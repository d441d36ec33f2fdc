import { expect, signUp, test, uniqueEmail } from "./support/fixtures";
import { promptAgentGraph, trpcCall } from "./support/agent-api";
import { openPanel } from "./support/canvas";
import { waitForHydration } from "./support/hydration";

test("the test chat keeps its conversation across a reload until New chat", async ({ page }) => {
  await signUp(page, uniqueEmail("chat-reload"));
  const flow = await trpcCall<{ id: string }>(page.request, "flow.create", { name: "Remembers", graph: promptAgentGraph() });
  await page.goto(`/flows/${flow.id}`);
  await waitForHydration(page);
  await openPanel(page, "chat");
  const chat = page.getByTestId("chat-panel");
  await chat.getByTestId("chat-input").fill("First question");
  await chat.getByTestId("chat-send").click();
  await expect(chat.getByTestId("chat-answer")).toHaveAttribute("data-status", "succeeded");
  const answer = (await chat.getByTestId("chat-answer").textContent()) ?? "";
  expect(answer).toContain("First question");

  await page.reload();
  await waitForHydration(page);
  await openPanel(page, "chat");
  await expect(chat.getByTestId("chat-question")).toHaveText("First question");
  await expect(chat.getByTestId("chat-answer")).toHaveText(answer);
  await expect(chat.getByTestId("chat-answer")).toHaveAttribute("data-status", "succeeded");

  // The next question continues the same conversation (the runs share one conversation id).
  await chat.getByTestId("chat-input").fill("Second question");
  await chat.getByTestId("chat-send").click();
  await expect(chat.getByTestId("chat-answer").nth(1)).toHaveAttribute("data-status", "succeeded");
  const runs = await trpcCall<{ conversationId: string | null }[]>(page.request, "run.list", { flowId: flow.id }, "query");
  expect(runs).toHaveLength(2);
  expect(new Set(runs.map((r) => r.conversationId)).size).toBe(1);

  await chat.getByRole("button", { name: "New chat" }).click();
  await expect(chat.getByTestId("chat-answer")).toHaveCount(0);
  await page.reload();
  await waitForHydration(page);
  await openPanel(page, "chat");
  await expect(chat.getByTestId("chat-input")).toBeVisible();
  await expect(chat.getByTestId("chat-answer")).toHaveCount(0);
});
