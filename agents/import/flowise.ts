import { z } from "zod";
import { ImportBuilder, type Mapping } from "./builder";
import { asTemplateText, chatModelConfig, clip, codeToolConfig, isRecord, numberOf, own, safeKey, point, record, reportSecrets, text, toolName } from "./common";
import { checkCounts, readEnvelope, SourceId } from "./envelope";
import type { ImportResult, SourceRef } from "./report";
import { BLOCK } from "./blocks";

/**
 * Flowise chatflow (the "Export" of a chatflow, or ChatFlow.flowData): `{ nodes, edges }`,
 * each node's component in `data.name`, wiring in the edges' handles
 * (`<id>-input-<name>-<Type>`). See ../shared/specs/peers.md §4.
 */
const FlowiseNode = z.object({
  id: SourceId,
  position: z.unknown().optional(),
  data: z.object({ name: z.string().max(200), label: z.string().max(500).optional(), category: z.string().max(200).optional(), inputs: z.unknown().optional(), credential: z.unknown().optional() }),
});
const FlowiseEdge = z.object({ source: SourceId, target: SourceId, sourceHandle: z.string().max(2_000).optional(), targetHandle: z.string().max(2_000).optional() });
export const FlowiseFileSchema = z.object({ nodes: z.array(FlowiseNode), edges: z.array(FlowiseEdge).optional() });
type Node = z.output<typeof FlowiseNode>;

/** Flowise's chat models and whether their API is OpenAI's. */
export const CHAT_MODELS: Record<string, { provider: string; compatible: boolean }> = {
  chatOpenAI: { provider: "OpenAI", compatible: true },
  chatOpenAICustom: { provider: "OpenAI-compatible server", compatible: true },
  chatLocalAI: { provider: "LocalAI", compatible: true },
  chatOllama: { provider: "Ollama", compatible: true },
  groqChat: { provider: "Groq", compatible: true },
  chatMistralAI: { provider: "Mistral", compatible: true },
  chatTogetherAI: { provider: "Together", compatible: true },
  chatOpenRouter: { provider: "OpenRouter", compatible: true },
  chatDeepseek: { provider: "DeepSeek", compatible: true },
  azureChatOpenAI: { provider: "Azure OpenAI", compatible: false },
  chatAnthropic: { provider: "Anthropic", compatible: false },
  chatGoogleGenerativeAI: { provider: "Google Gemini", compatible: false },
  awsChatBedrock: { provider: "AWS Bedrock", compatible: false },
};
const AGENTS = new Set(["toolAgent", "conversationalAgent", "openAIFunctionAgent", "openAIToolAgent", "mrklAgentChat", "reactAgentChat", "xmlAgent", "conversationChain"]);
const KNOWLEDGE_CATEGORIES = new Set(["Vector Stores", "Retrievers", "Document Loaders", "Embeddings", "Text Splitters", "Record Manager"]);
const SCALE = 0.8;

/** `<id>-input-<name>-<Type>` → name; `<id>-output-<name>-<T1|T2>` → name. */
export function handleName(handle: string | undefined, nodeId: string, side: "input" | "output"): string | undefined {
  if (!handle) return undefined;
  const prefix = `${nodeId}-${side}-`;
  if (!handle.startsWith(prefix)) return undefined;
  const rest = handle.slice(prefix.length);
  const cut = rest.lastIndexOf("-");
  return cut > 0 ? rest.slice(0, cut) : rest;
}

export function importFlowiseValue(value: unknown, name: string): ImportResult {
  const file = readEnvelope(FlowiseFileSchema, value, "Flowise chatflow");
  const edges = file.edges ?? edgesFromInputs(file.nodes);
  checkCounts(file.nodes.length, edges.length);
  const b = new ImportBuilder("flowise", name, SCALE);

  const chains = file.nodes.filter((n) => n.data.name === "llmChain");
  for (const node of file.nodes) if (node.data.name !== "llmChain") mapNode(b, node);
  for (const chain of chains) mapLlmChain(b, chain, edges);
  for (const edge of edges) {
    b.connectSource({
      source: edge.source,
      target: edge.target,
      sourceHint: handleName(edge.sourceHandle, edge.source, "output"),
      targetHint: handleName(edge.targetHandle, edge.target, "input"),
    });
  }
  b.complete();
  return b.finish(file.nodes.length, edges.length);
}

/** Wiring from `{{otherNode.data.instance}}` references, for a file without its edges. */
function edgesFromInputs(nodes: readonly Node[]): z.output<typeof FlowiseEdge>[] {
  const out: z.output<typeof FlowiseEdge>[] = [];
  for (const node of nodes) {
    for (const [input, v] of Object.entries(record(node.data.inputs))) {
      for (const item of Array.isArray(v) ? v : [v]) {
        const match = typeof item === "string" ? /^\{\{([A-Za-z0-9_-]+)\.data\.instance\}\}$/.exec(item) : null;
        if (match?.[1]) out.push({ source: match[1], target: node.id, targetHandle: `${node.id}-input-${input}-Ref` });
      }
    }
  }
  return out;
}

function refOf(node: Node): SourceRef {
  return { id: node.id, type: node.data.name, ...(node.data.label ? { label: node.data.label } : {}) };
}

function mapNode(b: ImportBuilder, node: Node): void {
  const ref = refOf(node);
  const inputs = record(node.data.inputs);
  const at = b.at(point(node.position));
  const opts = { idBase: node.id, label: node.data.label, source: ref };
  const name = node.data.name;
  if (node.data.credential || inputs.FLOWISE_CREDENTIAL_ID) b.secret(ref, "credential");
  reportSecrets(b, ref, inputs);
  const one = (type: string, config: Record<string, unknown>, outputs: Record<string, string>, message: string, inputsMap?: Record<string, string>) => {
    const id = b.addBlock(type, config, at, opts);
    const mapping: Mapping = { ref, entry: id, exit: id, outputs, ...(inputsMap ? { inputs: inputsMap } : {}) };
    b.mapped(mapping, message);
  };

  const model = own(CHAT_MODELS, name);
  if (model || node.data.category === "Chat Models") {
    const settings = model ?? { provider: node.data.label ?? name, compatible: false };
    const config = chatModelConfig(b, ref, {
      ...settings,
      model: text(inputs.modelName) ?? text(inputs.model),
      temperature: inputs.temperature,
      maxTokens: inputs.maxTokens,
      baseUrl: text(inputs.basePath) ?? text(inputs.baseUrl) ?? text(inputs.baseURL),
    });
    return one(BLOCK.chatModel, config, { "*": "model" }, `${settings.provider} chat model → Chat Model.`);
  }
  if (AGENTS.has(name)) {
    const system = text(inputs.systemMessage) ?? text(inputs.systemMessagePrompt);
    const config: Record<string, unknown> = {};
    if (system?.trim()) config.systemPrompt = clip(b, ref, asTemplateText(system), 20_000, "system message");
    const iterations = numberOf(inputs.maxIterations);
    if (iterations !== undefined) config.maxIterations = Math.min(50, Math.max(1, Math.round(iterations)));
    return one(BLOCK.agent, config, { "*": "text" }, `${node.data.label ?? name} → Agent.`, { model: "model", tools: "tools", memory: "memory" });
  }
  if (name === "promptTemplate" || name === "chatPromptTemplate") {
    const parts = name === "promptTemplate" ? [text(inputs.template)] : [text(inputs.systemMessagePrompt), text(inputs.humanMessagePrompt)];
    const template = fillConstants(b, ref, parts.filter((p): p is string => !!p?.trim()).join("\n\n"), inputs.promptValues);
    if (name === "chatPromptTemplate") b.entry("I406", "info", ref, "The system and human messages were joined into one prompt template.");
    const config = template ? { template: clip(b, ref, template, 100_000, "prompt template") } : {};
    return one(BLOCK.prompt, config, { "*": "prompt" }, `${node.data.label ?? name} → Prompt.`);
  }
  if (node.data.category === "Memory" || /Memory$/.test(name)) {
    const k = numberOf(inputs.k);
    if (name !== "bufferMemory" && name !== "bufferWindowMemory") {
      b.entry("I406", "info", ref, `${node.data.label ?? name} keeps history in its own store; Skyloom keeps it in its conversation memory.`);
    }
    return one(BLOCK.memory, k !== undefined ? { windowSize: Math.min(200, Math.max(1, Math.round(k * 2))) } : {}, { "*": "memory" }, `${node.data.label ?? name} → Conversation Memory.`);
  }
  if (name === "calculator") return one(BLOCK.calculator, {}, { "*": "tool" }, "Calculator → Calculator tool.");
  if (name === "requestsGet" || name === "requestsPost") return one(BLOCK.httpTool, httpConfig(b, ref, inputs, name === "requestsGet" ? "GET" : "POST"), { "*": "tool" }, `${node.data.label ?? name} → HTTP Request tool.`);
  if (name === "customTool") {
    const config = codeToolConfig(b, ref, {
      name: text(inputs.customToolName),
      description: text(inputs.customToolDesc),
      code: text(inputs.customToolFunc) ?? "",
      language: "JavaScript",
      from: "Flowise",
    });
    return one(BLOCK.codeTool, config, { "*": "tool" }, `Custom tool → Code Tool (code kept as text).`);
  }
  if (name === "stickyNote") {
    const id = b.addNote(text(inputs.note) ?? "", at, node.id, node.data.label ?? "Note");
    return b.mapped({ ref, entry: id, exit: id }, "Sticky note → Note.");
  }
  if (KNOWLEDGE_CATEGORIES.has(node.data.category ?? "") || /retriev/i.test(name)) {
    b.placeholder(ref, at, "Knowledge (retriever) blocks are not in Skyloom yet; rebuild this part once the knowledge base block is available.");
    return;
  }
  const code = text(inputs.ifElseFunction) ?? text(inputs.functionInputVariables) ?? text(inputs.javascriptFunction) ?? text(inputs.ifCondition);
  if (code) {
    b.entry("I404", "warning", ref, "This node's JavaScript was kept as text in the note and not run.");
    b.placeholder(ref, at, "A custom JavaScript function has no Skyloom block; its code is kept below as text and was not run.", [clip(b, ref, code, 15_000, "code")]);
    return;
  }
  b.placeholder(ref, at, `Skyloom has no block for the Flowise component "${name}"${node.data.category ? ` (${node.data.category})` : ""}.`);
}

/**
 * Flowise's prompt values give each variable a value: `{{question}}` (the message) stays a
 * variable, a fixed text ("French") is written into the template.
 */
function fillConstants(b: ImportBuilder, ref: SourceRef, template: string, promptValues: unknown): string {
  let values: unknown = promptValues;
  if (typeof values === "string") {
    try {
      values = JSON.parse(values);
    } catch {
      return template;
    }
  }
  let out = template;
  for (const [key, value] of Object.entries(record(values))) {
    if (typeof value !== "string" || value.includes("{{") || !out.includes(`{${key}}`)) continue;
    out = out.split(`{${key}}`).join(asTemplateText(value));
    b.entry("I406", "info", ref, `The prompt value "${key}" is fixed text; it was written into the template.`);
  }
  return out;
}

export function httpConfig(b: ImportBuilder, ref: SourceRef, inputs: Record<string, unknown>, method: "GET" | "POST"): Record<string, unknown> {
  const config: Record<string, unknown> = { method, name: toolName(text(inputs.name), method === "GET" ? "http_get" : "http_post") };
  const url = text(inputs.url);
  if (url) config.url = url;
  const description = text(inputs.description) ?? text(inputs.desc);
  if (description?.trim()) config.description = description.trim().slice(0, 1_000);
  const body = text(inputs.body);
  if (body) config.body = body;
  let headers: unknown = inputs.headers;
  if (typeof headers === "string" && headers.trim()) {
    try {
      headers = JSON.parse(headers);
    } catch {
      b.entry("I406", "warning", ref, "The headers are not JSON and were not imported.");
      headers = undefined;
    }
  }
  if (isRecord(headers)) {
    const kept: Record<string, string> = {};
    for (const [key, v] of Object.entries(headers)) {
      if (/^(authorization|x-api-key|api-key|cookie)$/i.test(key) || /key|token|secret/i.test(key)) b.secret(ref, `header ${key}`);
      else if (typeof v === "string" && safeKey(key)) kept[key] = v;
    }
    config.headers = kept;
  }
  return config;
}

/**
 * An LLM Chain is a prompt fed to a model: Skyloom draws that as Prompt → Chat Model, so the
 * chain folds into its model (a default one when the chain had none).
 */
function mapLlmChain(b: ImportBuilder, chain: Node, edges: readonly z.output<typeof FlowiseEdge>[]): void {
  const ref = refOf(chain);
  const modelEdge = edges.find((e) => e.target === chain.id && handleName(e.targetHandle, chain.id, "input") === "model");
  let model = modelEdge ? b.mappingOf(modelEdge.source) : undefined;
  if (model && b.nodeById(model.exit)?.type !== BLOCK.chatModel) model = undefined;
  const modelId = model?.exit ?? b.addBlock(BLOCK.chatModel, {}, b.at(point(chain.position)), { idBase: chain.id, label: chain.data.label, source: ref });
  b.mapped(
    { ref, entry: modelId, exit: modelId, inputs: { prompt: "prompt", memory: "memory" }, outputs: { "*": "text" } },
    model ? "LLM Chain → its prompt wired into its Chat Model." : "LLM Chain without a model → a default Chat Model.",
  );
}
