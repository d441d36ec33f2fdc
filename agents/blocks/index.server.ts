/**
 * The runner registry: the runtime of every agent block, keyed by block type. Its type is
 * computed from BLOCKS, so an agent block without a runner (or a runner for a block that is
 * not registered, or for a workload block) fails the typecheck. Workload blocks have no
 * runner: the executor resolves them to the endpoint they are deployed as.
 */
import type { Implementation } from "../runtime/implement";
import { agentToolsRunner } from "./agent-tools/run.server";
import { BLOCKS } from "./index";
import { chatInputRunner } from "./io-chat-input/run.server";
import { chatOutputRunner } from "./io-chat-output/run.server";
import { knowledgeRetrieverRunner } from "./knowledge-retriever/run.server";
import { logicRouterRunner } from "./logic-router/run.server";
import { memoryConversationRunner } from "./memory-conversation/run.server";
import { modelOpenAiRunner } from "./model-openai/run.server";
import { outputStructuredRunner } from "./output-structured/run.server";
import { promptTemplateRunner } from "./prompt-template/run.server";
import { toolCalculatorRunner } from "./tool-calculator/run.server";
import { toolCodeRunner } from "./tool-code/run.server";
import { toolHttpRunner } from "./tool-http/run.server";

type RegisteredBlock = (typeof BLOCKS)[number];
type AgentBlock = Extract<RegisteredBlock, { part: "agent" }>;
export type AgentBlockType = AgentBlock["type"];

export type RunnerRegistry = { readonly [T in AgentBlockType]: Implementation<Extract<AgentBlock, { type: T }>> };

export const RUNNERS: RunnerRegistry = {
  "io.chat-input": chatInputRunner,
  "io.chat-output": chatOutputRunner,
  "prompt.template": promptTemplateRunner,
  "model.openai": modelOpenAiRunner,
  "agent.tools": agentToolsRunner,
  "memory.conversation": memoryConversationRunner,
  "tool.calculator": toolCalculatorRunner,
  "tool.http": toolHttpRunner,
  "tool.code": toolCodeRunner,
  "knowledge.retriever": knowledgeRetrieverRunner,
  "logic.router": logicRouterRunner,
  "output.structured": outputStructuredRunner,
};

/** The same registry, indexed by any string (the executor looks types up from stored graphs). */
export const runnersByType: Readonly<Partial<Record<string, Implementation>>> = RUNNERS as unknown as Record<string, Implementation>;

/** Every agent block in BLOCKS has a runner; checked once more at start for a clear message. */
export function assertEveryAgentBlockHasARunner(): void {
  for (const block of BLOCKS) {
    if (block.part === "agent" && !(block.type in RUNNERS)) throw new Error(`Block "${block.type}" has no runner in agents/blocks/index.server.ts.`);
  }
}
