import { agentToolsBlock } from "../blocks/agent-tools/block";
import { canvasNoteBlock } from "../blocks/canvas-note/block";
import { chatInputBlock } from "../blocks/io-chat-input/block";
import { chatOutputBlock } from "../blocks/io-chat-output/block";
import { logicRouterBlock } from "../blocks/logic-router/block";
import { memoryConversationBlock } from "../blocks/memory-conversation/block";
import { modelOpenAiBlock } from "../blocks/model-openai/block";
import { outputStructuredBlock } from "../blocks/output-structured/block";
import { promptTemplateBlock } from "../blocks/prompt-template/block";
import { toolCalculatorBlock } from "../blocks/tool-calculator/block";
import { toolCodeBlock } from "../blocks/tool-code/block";
import { toolHttpBlock } from "../blocks/tool-http/block";

/**
 * The Skyloom blocks the importers map other builders' nodes onto, taken from their
 * definitions: like the rest of the code outside a block's folder, the importers never write a
 * block type out (test/agents/blocks/roles.test.ts).
 */
export const BLOCK = {
  chatInput: chatInputBlock.type,
  chatOutput: chatOutputBlock.type,
  prompt: promptTemplateBlock.type,
  chatModel: modelOpenAiBlock.type,
  agent: agentToolsBlock.type,
  memory: memoryConversationBlock.type,
  httpTool: toolHttpBlock.type,
  calculator: toolCalculatorBlock.type,
  codeTool: toolCodeBlock.type,
  router: logicRouterBlock.type,
  structuredOutput: outputStructuredBlock.type,
  note: canvasNoteBlock.type,
} as const;
