import { ImportBuilder } from "./builder";
import { asTemplateText, chatModelConfig, clip, list, record, reportSecrets, text } from "./common";
import type { ImportResult, SourceRef } from "./report";
import { BLOCK } from "./blocks";

const COMPATIBLE = /openai|ollama|groq|mistral|deepseek|together|openrouter|localai|xinference|vllm|siliconflow|moonshot/i;

export function difyModel(b: ImportBuilder, ref: SourceRef, model: unknown): Record<string, unknown> {
  const m = record(model);
  const provider = text(m.provider) ?? "unknown";
  const params = record(m.completion_params);
  reportSecrets(b, ref, params);
  return chatModelConfig(b, ref, {
    provider,
    compatible: COMPATIBLE.test(provider) && !/azure/i.test(provider),
    model: text(m.name) ?? text(m.model),
    temperature: params.temperature,
    maxTokens: params.max_tokens,
  });
}

/** Dify's built-in tools that Skyloom has a block for. */
const CALCULATOR_TOOLS = new Set(["eval_expression", "calculator", "math"]);

/**
 * A Dify chat, agent or completion app (no workflow): its settings live in `model_config`.
 * An agent app becomes Chat Input → Agent (with its model and tools) → Chat Output; a chat
 * app Chat Input → Chat Model (system prompt, memory) → Chat Output.
 */
export function difyModelConfigApp(modelConfig: unknown, name: string, mode: string): ImportResult {
  const config = record(modelConfig);
  const b = new ImportBuilder("dify", name, 1);
  const ref: SourceRef = { id: "model_config", type: `${mode} app` };
  const model = b.addBlock(BLOCK.chatModel, difyModel(b, ref, config.model), { x: 300, y: 220 }, { idBase: "model", source: ref });
  const prePrompt = text(config.pre_prompt) ?? "";
  const agentMode = record(config.agent_mode);
  const extra: string[] = [model];
  let answer = model;
  if (mode === "agent-chat" || agentMode.enabled === true) {
    const systemPrompt = prePrompt.trim() ? { systemPrompt: clip(b, ref, asTemplateText(prePrompt), 20_000, "instructions") } : {};
    answer = b.addBlock(BLOCK.agent, systemPrompt, { x: 600, y: 0 }, { idBase: "agent", label: name, source: ref });
    b.connect(model, answer, "model", "model");
    for (const [i, tool] of list(agentMode.tools).map(record).entries()) {
      const toolName = text(tool.tool_name) ?? "?";
      if (tool.enabled === false) continue;
      if (!CALCULATOR_TOOLS.has(toolName)) {
        b.entry("I406", "warning", ref, `The tool "${text(tool.provider_id) ?? "?"}/${toolName}" has no Skyloom block and was not imported.`);
        continue;
      }
      const id = b.addBlock(BLOCK.calculator, {}, { x: 300, y: 420 + i * 120 }, { idBase: `tool_${i + 1}`, source: ref });
      b.connect(id, answer, "tool", "tools");
      extra.push(id);
    }
  } else if (prePrompt.trim()) {
    const system = b.addBlock(BLOCK.prompt, { template: clip(b, ref, asTemplateText(prePrompt), 100_000, "prompt") }, { x: 0, y: 300 }, { idBase: "system", label: "Instructions", source: ref });
    b.connect(system, model, "prompt", "system");
    extra.push(system);
  }
  if (mode !== "completion") {
    const memory = b.addBlock(BLOCK.memory, {}, { x: 0, y: 480 }, { idBase: "memory", source: ref });
    b.connect(memory, answer, "memory", "memory");
    extra.push(memory);
  }
  if (list(record(config.dataset_configs).datasets).length > 0 || list(record(record(config.dataset_configs).datasets).datasets).length > 0) {
    b.entry("I406", "warning", ref, "The app's knowledge bases were not imported: Skyloom has no knowledge block yet.");
  }
  b.mapped({ ref, entry: answer, exit: answer }, `Dify ${mode} app → ${answer === model ? "Chat Model" : "Agent"}.`, extra);
  b.complete();
  return b.finish(1, 0);
}
