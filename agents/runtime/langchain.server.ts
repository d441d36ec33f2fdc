import type * as ChatModels from "@langchain/core/language_models/chat_models";
import type * as Messages from "@langchain/core/messages";
import type * as Tools from "@langchain/core/tools";

/**
 * LangChain, imported on first use. Importing it takes the host half a second to two seconds
 * (more on a busy machine), and most starts serve pages long before anyone runs a flow; so the
 * first model call or tool pays it once, and every later call gets the same modules.
 */
export type LangChainCore = { chatModels: typeof ChatModels; messages: typeof Messages; tools: typeof Tools };

let core: Promise<LangChainCore> | null = null;

export function langChainCore(): Promise<LangChainCore> {
  core ??= Promise.all([
    import("@langchain/core/language_models/chat_models"),
    import("@langchain/core/messages"),
    import("@langchain/core/tools"),
  ]).then(
    ([chatModels, messages, tools]) => ({ chatModels, messages, tools }),
    (error: unknown) => {
      // A failed import is not remembered: the next call tries again.
      core = null;
      throw error;
    },
  );
  return core;
}

/** The message classes (SystemMessage, HumanMessage, ToolMessage, …). */
export async function langChainMessages(): Promise<LangChainCore["messages"]> {
  return (await langChainCore()).messages;
}

/** LangChain's `tool()`: a function the model can call, with its name, description and argument schema. */
export async function langChainTool(): Promise<LangChainCore["tools"]["tool"]> {
  return (await langChainCore()).tools.tool;
}
