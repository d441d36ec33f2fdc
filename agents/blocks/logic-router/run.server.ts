import { BlockRunError } from "../../runtime/context";
import { implement } from "../../runtime/implement";
import { langChainMessages } from "../../runtime/langchain.server";
import { messageText } from "../../runtime/llm.server";
import { SKIPPED } from "../../runtime/values";
import { logicRouterBlock, OTHERWISE } from "./block";

type Route = { name: string; operator: "contains" | "equals" | "starts-with" | "matches"; value: string; description: string };

// User regexes run on at most this much text, which bounds a pathological pattern's cost.
const MAX_MATCH_CHARS = 10_000;

export function routeMatches(route: Route, text: string): boolean {
  const subject = text.slice(0, MAX_MATCH_CHARS).toLowerCase();
  const value = route.value.toLowerCase();
  switch (route.operator) {
    case "contains":
      return subject.includes(value);
    case "equals":
      return subject.trim() === value.trim();
    case "starts-with":
      return subject.trimStart().startsWith(value);
    case "matches":
      return new RegExp(route.value, "i").test(text.slice(0, MAX_MATCH_CHARS));
  }
}

/** The instruction a model gets for routing; the dev model understands its last line too. */
export function routingPrompt(routes: readonly Route[]): string {
  const names = [...routes.map((r) => r.name), OTHERWISE];
  return [
    "Classify the user's message into exactly one route.",
    ...routes.map((r) => `- ${r.name}: ${r.description || `messages about ${r.name}`}`),
    `- ${OTHERWISE}: anything else`,
    `Reply with one of: ${names.join(" | ")}`,
  ].join("\n");
}

export const logicRouterRunner = implement(logicRouterBlock, async ({ config, inputs, ctx }) => {
  const text = inputs.input;
  let chosen: string;
  if (config.mode === "condition") {
    chosen = config.routes.find((r) => routeMatches(r, text))?.name ?? OTHERWISE;
  } else {
    const model = inputs.model;
    if (!model) throw new BlockRunError('Model routing needs a chat model on the Router\'s "Model" input.');
    let answer: string;
    const { HumanMessage, SystemMessage } = await langChainMessages();
    try {
      const reply = await model.model.invoke([new SystemMessage(routingPrompt(config.routes)), new HumanMessage(text)], { signal: ctx.signal });
      answer = messageText(reply).trim().toLowerCase();
      const usage = reply.usage_metadata;
      ctx.meter.record({ nodeId: ctx.nodeId, model: model.trace.model, promptTokens: usage?.input_tokens ?? 0, completionTokens: usage?.output_tokens ?? 0 });
    } catch (error) {
      if (ctx.signal.aborted) throw error;
      throw new BlockRunError(`The routing model failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    ctx.addDetail("modelAnswer", answer);
    // Exact name first, then a name the answer mentions; anything else is "otherwise".
    chosen =
      config.routes.find((r) => r.name === answer)?.name ??
      config.routes.find((r) => new RegExp(`\\b${r.name.replace(/[-]/g, "\\-")}\\b`).test(answer))?.name ??
      OTHERWISE;
  }
  ctx.addDetail("route", chosen);
  const outputs: Record<string, unknown> = {};
  for (const name of [...config.routes.map((r) => r.name), OTHERWISE]) outputs[name] = name === chosen ? text : SKIPPED;
  return outputs;
});
