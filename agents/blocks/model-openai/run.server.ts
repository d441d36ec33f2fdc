import type { BaseMessage } from "@langchain/core/messages";
import { chatModelBaseUrl } from "../../catalog/providers";
import { implement } from "../../runtime/implement";
import { langChainMessages } from "../../runtime/langchain.server";
import { callChatModel, messageText, toLangChain } from "../../runtime/llm.server";
import type { ChatModelValue } from "../../runtime/values";
import { modelOpenAiBlock } from "./block";

/**
 * Builds the chat model (base URL, credential, name, temperature, max tokens) and, when a
 * prompt is connected, asks it and streams the answer. Without a prompt it only hands the
 * model on, e.g. to an Agent.
 */
export const modelOpenAiRunner = implement(modelOpenAiBlock, async ({ config, inputs, ctx }) => {
  const credential = config.credentialId ? await ctx.credentials.resolve(config.credentialId) : undefined;
  // A credential without a base URL is an OpenAI key; "" (Skyloom's default model) only without both.
  const baseUrl = chatModelBaseUrl(config, credential);
  const model = await ctx.llm.chatModel({
    baseUrl,
    apiKey: credential?.secret,
    model: config.model,
    temperature: config.temperature,
    maxTokens: config.maxTokens,
    trusted: false,
  });
  const modelValue: ChatModelValue = {
    kind: "chat-model",
    model,
    trace: { model: config.model, baseUrl: baseUrl || "default" },
  };
  const prompt = inputs.prompt;
  if (prompt === undefined) return { model: modelValue };

  const memory = inputs.memory;
  const system = inputs.system;
  const { HumanMessage, SystemMessage } = await langChainMessages();
  const messages: BaseMessage[] = [
    ...(system ? [new SystemMessage(system)] : []),
    ...(memory ? await toLangChain(await memory.load()) : []),
    new HumanMessage(prompt),
  ];
  const answer = await callChatModel(model, messages, ctx, modelValue.trace);
  const text = messageText(answer);
  if (memory) {
    await memory.append([
      { role: "user", content: prompt },
      { role: "assistant", content: text },
    ]);
  }
  return { text, model: modelValue };
});
