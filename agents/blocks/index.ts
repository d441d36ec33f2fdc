/**
 * The client-safe block registry: every block Skyloom knows, in palette order. Adding a
 * block means one new folder and one line here (and its runner in index.server.ts).
 */
import { agentToolsBlock } from "./agent-tools/block";
import { canvasNoteBlock } from "./canvas-note/block";
import { knowledgeRetrieverBlock } from "./knowledge-retriever/block";
import { logicRouterBlock } from "./logic-router/block";
import { memoryConversationBlock } from "./memory-conversation/block";
import { outputStructuredBlock } from "./output-structured/block";
import { toolCalculatorBlock } from "./tool-calculator/block";
import { toolCodeBlock } from "./tool-code/block";
import { toolHttpBlock } from "./tool-http/block";
import { chatInputBlock } from "./io-chat-input/block";
import { chatOutputBlock } from "./io-chat-output/block";
import { modelEndpointBlock } from "./model-endpoint/block";
import { modelOpenAiBlock } from "./model-openai/block";
import { promptTemplateBlock } from "./prompt-template/block";
import { createBlockRegistry, type DuplicateType } from "./registry";
import { workloadContainerBlock } from "./workload-container/block";
import { workloadJobBlock } from "./workload-job/block";

export const BLOCKS = [chatInputBlock, promptTemplateBlock, modelOpenAiBlock, chatOutputBlock, agentToolsBlock, memoryConversationBlock, toolCalculatorBlock, toolHttpBlock, toolCodeBlock, knowledgeRetrieverBlock, logicRouterBlock, outputStructuredBlock, modelEndpointBlock, workloadContainerBlock, workloadJobBlock, canvasNoteBlock] as const;

/** Fails the typecheck when two blocks in BLOCKS share a type. */
type AssertNoDuplicates<T extends never> = T;
export type RegisteredBlocksAreUnique = AssertNoDuplicates<DuplicateType<typeof BLOCKS>>;

export type BlockType = (typeof BLOCKS)[number]["type"];

export const blockRegistry = createBlockRegistry(BLOCKS);

export { defineBlock, parseBlockConfig, migrateConfig, defaultConfig, blockPorts, BLOCK_CATEGORIES } from "./define-block";
export type { BlockDefinition, AnyBlockDefinition, BlockCategory, BlockRole, BlockRoles } from "./define-block";
export { memoryKeysOf } from "./registry";
export type { BlockSummary, BlockRegistry } from "./registry";
