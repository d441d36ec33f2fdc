import { z } from "zod";
import { ImportBuilder, type Mapping } from "./builder";
import { asTemplateText, chatModelConfig, clip, codeToolConfig, isRecord, list, numberOf, own, point, safeKey, record, reportSecrets, text, toolName } from "./common";
import { checkCounts, readEnvelope, SourceId } from "./envelope";
import type { ImportResult, SourceRef } from "./report";
import { BLOCK } from "./blocks";

/**
 * Langflow flow export: `{ name, data: { nodes, edges } }`. Each node's component is
 * `data.type`, its settings `data.node.template.<field>.value`, and its own Python source
 * `template.code.value`, which is never run (and not copied: it is Langflow's code).
 * Edges name their ends in `data.sourceHandle.name` and `data.targetHandle.fieldName`.
 */
const LangflowNode = z.object({
  id: SourceId,
  type: z.string().max(100).optional(),
  position: z.unknown().optional(),
  data: z.object({ type: z.string().max(200).optional(), node: z.unknown().optional() }).loose(),
});
const LangflowEdge = z.object({
  source: SourceId,
  target: SourceId,
  data: z.object({ sourceHandle: z.unknown().optional(), targetHandle: z.unknown().optional() }).optional(),
});
const Graph = z.object({ nodes: z.array(LangflowNode), edges: z.array(LangflowEdge).optional() });
export const LangflowFileSchema = z.object({ name: z.string().max(500).optional(), data: Graph });
type Node = z.output<typeof LangflowNode>;

const MODELS: Record<string, { provider: string; compatible: boolean; baseUrl?: string }> = {
  OpenAIModel: { provider: "OpenAI", compatible: true, baseUrl: "openai_api_base" },
  OllamaModel: { provider: "Ollama", compatible: true, baseUrl: "base_url" },
  LMStudioModel: { provider: "LM Studio", compatible: true, baseUrl: "base_url" },
  GroqModel: { provider: "Groq", compatible: true, baseUrl: "groq_api_base" },
  MistralModel: { provider: "Mistral", compatible: true },
  DeepSeekModelComponent: { provider: "DeepSeek", compatible: true, baseUrl: "api_base" },
  LanguageModelComponent: { provider: "Language Model", compatible: true },
  AnthropicModel: { provider: "Anthropic", compatible: false },
  GoogleGenerativeAIModel: { provider: "Google Gemini", compatible: false },
  AzureOpenAIModel: { provider: "Azure OpenAI", compatible: false },
};
const KNOWLEDGE = /chroma|faiss|astra|pinecone|qdrant|weaviate|pgvector|milvus|retriev|vectorstore|embedding|splittext|^file$|directory|urlcomponent|parsedata/i;
const OPERATORS: Record<string, string> = { equals: "equals", contains: "contains", "starts with": "starts-with", regex: "matches" };

export function importLangflowValue(value: unknown, fallbackName: string): ImportResult {
  // A component export or an older file may carry the graph at the top level.
  const raw = record(value);
  const file = readEnvelope(LangflowFileSchema, "data" in raw ? raw : { name: raw.name, data: raw }, "Langflow flow");
  const edges = file.data.edges ?? [];
  checkCounts(file.data.nodes.length, edges.length);
  const b = new ImportBuilder("langflow", file.name?.trim() || fallbackName, 0.8);
  for (const node of file.data.nodes) mapNode(b, node);
  for (const edge of edges) {
    const handles = edgeHandles(edge);
    b.connectSource({ source: edge.source, target: edge.target, ...handles });
  }
  b.complete();
  return b.finish(file.data.nodes.length, edges.length);
}

function edgeHandles(edge: z.output<typeof LangflowEdge>): { sourceHint?: string; targetHint?: string } {
  const source = record(edge.data?.sourceHandle);
  const target = record(edge.data?.targetHandle);
  return { ...(text(source.name) ? { sourceHint: text(source.name) } : {}), ...(text(target.fieldName) ? { targetHint: text(target.fieldName) } : {}) };
}

/** `template.<field>.value` of a node. */
function field(template: Record<string, unknown>, name: string): unknown {
  return record(template[name]).value;
}

/** Password fields (and secret-looking names) with a value or a global variable are reported. */
function reportTemplateSecrets(b: ImportBuilder, ref: SourceRef, template: Record<string, unknown>): void {
  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(template)) if (isRecord(spec) && name !== "code") values[name] = spec.value;
  reportSecrets(b, ref, values, (name) => record(template[name]).password === true || /api_key|token|secret|password/i.test(name));
}

function mapNode(b: ImportBuilder, node: Node): void {
  const inner = record(node.data.node);
  const type = node.data.type ?? node.type ?? "unknown";
  const label = text(inner.display_name);
  const ref: SourceRef = { id: node.id, type, ...(label ? { label } : {}) };
  const at = b.at(point(node.position));
  if (node.type === "noteNode") {
    const id = b.addNote(text(inner.description) ?? "", at, node.id, label || "Note");
    b.mapped({ ref, entry: id, exit: id }, "Note → Note.");
    return;
  }
  const template = record(inner.template);
  const get = (name: string) => field(template, name);
  reportTemplateSecrets(b, ref, template);
  const opts = { idBase: node.id, label, source: ref };
  const one = (blockType: string, config: Record<string, unknown>, ports: Omit<Mapping, "ref" | "entry" | "exit">, message: string) => {
    const id = b.addBlock(blockType, config, at, opts);
    b.mapped({ ref, entry: id, exit: id, ...ports }, message);
  };

  const model = own(MODELS, type);
  if (model) {
    const config = chatModelConfig(b, ref, {
      ...model,
      model: text(get("model_name")) ?? text(get("model")),
      temperature: get("temperature"),
      maxTokens: get("max_tokens"),
      baseUrl: model.baseUrl ? text(get(model.baseUrl)) : undefined,
    });
    return one(BLOCK.chatModel, config, { inputs: { input_value: "prompt", system_message: "system" }, outputs: { text_output: "text", model_output: "model", "*": "text" } }, `${model.provider} model → Chat Model.`);
  }
  switch (type) {
    case "ChatInput":
    case "TextInput":
      return one(BLOCK.chatInput, {}, { outputs: { "*": "message" } }, `${label ?? type} → Chat Input.`);
    case "ChatOutput":
    case "TextOutput":
      return one(BLOCK.chatOutput, {}, { inputs: { "*": "message" } }, `${label ?? type} → Chat Output.`);
    case "Prompt":
    case "Prompt Template": {
      const value = text(get("template"));
      return one(BLOCK.prompt, value?.trim() ? { template: clip(b, ref, value, 100_000, "prompt template") } : {}, { outputs: { "*": "prompt" } }, "Prompt → Prompt.");
    }
    case "Agent":
    case "ToolCallingAgent": {
      const config: Record<string, unknown> = {};
      const system = text(get("system_prompt"));
      if (system?.trim()) config.systemPrompt = clip(b, ref, asTemplateText(system), 20_000, "agent instructions");
      const iterations = numberOf(get("max_iterations"));
      if (iterations !== undefined) config.maxIterations = Math.min(50, Math.max(1, Math.round(iterations)));
      const agent = b.addBlock(BLOCK.agent, config, at, opts);
      const extra: string[] = [];
      if (type === "Agent") {
        // Langflow's Agent picks its model in its own settings; Skyloom draws it as a block.
        const provider = text(get("agent_llm")) ?? "OpenAI";
        const modelId = b.addBlock(BLOCK.chatModel, chatModelConfig(b, ref, {
          provider,
          compatible: /openai|ollama|groq|mistral|deepseek/i.test(provider) && !/azure/i.test(provider),
          model: text(get("model_name")),
          temperature: get("temperature"),
          maxTokens: get("max_tokens"),
          baseUrl: text(get("openai_api_base")),
        }), b.at(point(node.position), -300, 200), { idBase: `${node.id}_model`, label: `${provider} model`, source: ref });
        b.connect(modelId, agent, "model", "model");
        extra.push(modelId);
      }
      b.mapped({ ref, entry: agent, exit: agent, inputs: { input_value: "prompt", llm: "model", tools: "tools", memory: "memory" }, outputs: { "*": "text" } }, `${label ?? type} → Agent.`, extra);
      return;
    }
    case "Memory":
    case "MemoryComponent": {
      const n = numberOf(get("n_messages"));
      return one(BLOCK.memory, n !== undefined ? { windowSize: Math.min(200, Math.max(1, Math.round(n))) } : {}, { outputs: { "*": "memory" } }, "Message History → Conversation Memory.");
    }
    case "CalculatorTool":
    case "CalculatorComponent":
      return one(BLOCK.calculator, {}, { outputs: { "*": "tool" } }, "Calculator → Calculator tool.");
    case "APIRequest":
      return one(BLOCK.httpTool, apiRequestConfig(b, ref, get), { outputs: { "*": "tool" } }, "API Request → HTTP Request tool.");
    case "PythonCodeStructuredTool":
    case "PythonFunction": {
      const code = text(get("tool_code")) ?? text(get("function_code")) ?? "";
      const config = codeToolConfig(b, ref, { name: text(get("tool_name")), description: text(get("tool_description")), code, language: "Python", from: "Langflow" });
      return one(BLOCK.codeTool, config, { outputs: { "*": "tool" } }, `${label ?? type} → Code Tool (code kept as text).`);
    }
    case "ConditionalRouter": {
      const operator = own(OPERATORS, text(get("operator")) ?? "equals");
      if (!operator) b.entry("I406", "warning", ref, `The operator "${text(get("operator"))}" has no Skyloom equivalent; "equals" is used.`);
      const route = { name: "match", operator: operator ?? "equals", value: (text(get("match_text")) ?? "").slice(0, 1_000), description: "" };
      return one(BLOCK.router, { mode: "condition", routes: [route] }, { inputs: { input_text: "input", "*": "input" }, outputs: { true_result: "match", false_result: "otherwise" } }, "If-Else → Router.");
    }
    case "StructuredOutput":
    case "StructuredOutputComponent":
      return one(BLOCK.structuredOutput, structuredConfig(get("output_schema")), { inputs: { input_value: "text", llm: "model" }, outputs: { "*": "json" } }, "Structured Output → Structured Output.");
  }
  if (KNOWLEDGE.test(type)) {
    b.placeholder(ref, at, "Knowledge (retriever) blocks are not in Skyloom yet; rebuild this part once the knowledge base block is available.");
    return;
  }
  if (type === "CustomComponent" || type === "PythonREPLTool" || type === "PythonREPLComponent") {
    const code = text(record(template.code).value) ?? "";
    b.entry("I404", "warning", ref, "This component's Python code was kept as text in the note and not run.");
    b.placeholder(ref, at, "Custom Python code has no Skyloom block; it is kept below as text and was not run.", [clip(b, ref, code, 15_000, "code")]);
    return;
  }
  b.placeholder(ref, at, `Skyloom has no block for the Langflow component "${type}".`);
}

function apiRequestConfig(b: ImportBuilder, ref: SourceRef, get: (name: string) => unknown): Record<string, unknown> {
  const method = text(get("method"))?.toUpperCase();
  const config: Record<string, unknown> = { name: toolName(undefined, "api_request") };
  if (method && ["GET", "POST", "PUT", "PATCH", "DELETE"].includes(method)) config.method = method;
  const url = text(get("url_input")) ?? text(get("url")) ?? text(list(get("urls"))[0]);
  if (url) config.url = url;
  const headers: Record<string, string> = {};
  for (const h of list(get("headers")).map(record)) {
    const key = text(h.key);
    const v = text(h.value);
    if (!key || v === undefined) continue;
    if (/^(authorization|cookie)$|key|token|secret/i.test(key)) b.secret(ref, `header ${key}`);
    else if (safeKey(key)) headers[key] = v;
  }
  if (Object.keys(headers).length > 0) config.headers = headers;
  const body = get("body");
  if (typeof body === "string") config.body = body;
  return config;
}

/** Langflow's output schema table (`[{ name, type, description, multiple }]`) as JSON Schema. */
function structuredConfig(table: unknown): Record<string, unknown> {
  const rows = list(table).map(record).filter((r) => text(r.name) && safeKey(text(r.name) as string));
  if (rows.length === 0) return {};
  const types: Record<string, string> = { str: "string", int: "integer", float: "number", bool: "boolean", dict: "object", list: "array" };
  const properties: Record<string, unknown> = {};
  for (const r of rows) {
    const item = { type: own(types, text(r.type) ?? "str") ?? "string", ...(text(r.description) ? { description: text(r.description) } : {}) };
    properties[text(r.name) as string] = r.multiple === true || r.multiple === "True" ? { type: "array", items: item } : item;
  }
  return { schema: { type: "object", properties, required: Object.keys(properties) } };
}
