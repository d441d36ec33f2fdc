import { z } from "zod";
import { ImportBuilder, type Mapping } from "./builder";
import { asTemplateText, chatModelConfig, clip, codeToolConfig, list, own, point, record, reportSecrets, text } from "./common";
import { checkCounts, readEnvelope, SourceId } from "./envelope";
import { CHAT_MODELS, handleName, httpConfig } from "./flowise";
import type { ImportResult, SourceRef } from "./report";
import { BLOCK } from "./blocks";

/**
 * Flowise Agentflow V2: the chatflow envelope with `type: "agentFlow"` nodes whose settings
 * (the model, its messages, the tools) live inside each node's inputs, and branch edges whose
 * source handle ends in the branch's index (`<id>-output-<n>`).
 */
const Node = z.object({
  id: SourceId,
  position: z.unknown().optional(),
  data: z.object({ name: z.string().max(200), label: z.string().max(500).optional(), inputs: z.unknown().optional() }),
});
const Edge = z.object({ source: SourceId, target: SourceId, sourceHandle: z.string().max(2_000).optional() });
const FileSchema = z.object({ nodes: z.array(Node), edges: z.array(Edge).optional() });
type AgentflowNode = z.output<typeof Node>;

const OPERATORS: Record<string, string> = { contains: "contains", equal: "equals", startsWith: "starts-with", regex: "matches" };

export function importAgentflowValue(value: unknown, name: string): ImportResult {
  const file = readEnvelope(FileSchema, value, "Flowise Agentflow");
  const edges = file.edges ?? [];
  checkCounts(file.nodes.length, edges.length);
  const b = new ImportBuilder("flowise-agentflow", name, 0.8);
  for (const node of file.nodes) mapNode(b, node);
  for (const e of edges) b.connectSource({ source: e.source, target: e.target, sourceHint: handleName(`${e.sourceHandle ?? ""}-x`, e.source, "output") });
  b.complete();
  return b.finish(file.nodes.length, edges.length);
}

/** A model chosen inside a node (`llmModel` + `llmModelConfig`), as a Chat Model block. */
function addModel(b: ImportBuilder, ref: SourceRef, inputs: Record<string, unknown>, prefix: string, at: { x: number; y: number }, idBase: string): string {
  const component = text(inputs[`${prefix}Model`]) ?? "chatOpenAI";
  const settings = record(inputs[`${prefix}ModelConfig`]);
  reportSecrets(b, ref, settings);
  const known = own(CHAT_MODELS, component) ?? { provider: component, compatible: false };
  const config = chatModelConfig(b, ref, {
    ...known,
    model: text(settings.modelName) ?? text(settings.model),
    temperature: settings.temperature,
    maxTokens: settings.maxTokens,
    baseUrl: text(settings.basePath) ?? text(settings.baseUrl),
  });
  return b.addBlock(BLOCK.chatModel, config, at, { idBase, label: `${known.provider} model`, source: ref });
}

function systemMessage(messages: unknown): string | undefined {
  const system = list(messages).map(record).filter((m) => m.role === "system").map((m) => text(m.content) ?? "");
  return system.length > 0 ? system.join("\n\n") : undefined;
}

function mapNode(b: ImportBuilder, node: AgentflowNode): void {
  const ref: SourceRef = { id: node.id, type: node.data.name, ...(node.data.label ? { label: node.data.label } : {}) };
  const inputs = record(node.data.inputs);
  const at = b.at(point(node.position));
  const opts = { idBase: node.id, label: node.data.label, source: ref };
  const label = node.data.label ?? node.data.name;
  const done = (mapping: Omit<Mapping, "ref">, message: string, extra: string[] = []) => b.mapped({ ref, ...mapping }, message, extra);

  switch (node.data.name) {
    case "startAgentflow": {
      const id = b.addBlock(BLOCK.chatInput, {}, at, opts);
      return done({ entry: id, exit: id, outputs: { "*": "message" } }, "Start → Chat Input.");
    }
    case "directReplyAgentflow": {
      const id = b.addBlock(BLOCK.chatOutput, {}, at, opts);
      if (text(inputs.directReplyMessage)?.trim()) b.entry("I406", "info", ref, "The reply text was not imported: the Chat Output shows the answer it is given.");
      return done({ entry: id, exit: id, inputs: { "*": "message" } }, "Direct Reply → Chat Output.");
    }
    case "llmAgentflow": {
      const model = addModel(b, ref, inputs, "llm", at, node.id);
      const extra: string[] = [];
      const system = systemMessage(inputs.llmMessages);
      if (system?.trim()) {
        const prompt = b.addBlock(BLOCK.prompt, { template: clip(b, ref, asTemplateText(system), 100_000, "system message") }, b.at(point(node.position), -280, 120), { idBase: `${node.id}_system`, label: `${label} system message`, source: ref });
        b.connect(prompt, model, "prompt", "system");
        extra.push(prompt);
      }
      if (inputs.llmEnableMemory === true) extra.push(addMemory(b, ref, model, node));
      return done({ entry: model, exit: model, inputs: { "*": "prompt" }, outputs: { "*": "text" } }, "LLM → Chat Model.", extra);
    }
    case "agentAgentflow": {
      const config: Record<string, unknown> = {};
      const system = systemMessage(inputs.agentMessages);
      if (system?.trim()) config.systemPrompt = clip(b, ref, asTemplateText(system), 20_000, "system message");
      const agent = b.addBlock(BLOCK.agent, config, at, opts);
      const model = addModel(b, ref, inputs, "agent", b.at(point(node.position), -280, 160), `${node.id}_model`);
      b.connect(model, agent, "model", "model");
      const extra = [model, ...addTools(b, ref, inputs.agentTools, agent, node)];
      if (inputs.agentEnableMemory === true) extra.push(addMemory(b, ref, agent, node));
      return done({ entry: agent, exit: agent, inputs: { "*": "prompt" }, outputs: { "*": "text" } }, "Agent → Agent with its model and tools.", extra);
    }
    case "conditionAgentflow": {
      const routes: Record<string, unknown>[] = [];
      for (const c of list(inputs.conditions).map(record)) {
        const operator = own(OPERATORS, text(c.operation));
        if (!operator) {
          b.entry("I406", "warning", ref, `The condition "${text(c.operation) ?? "?"}" has no Skyloom operator; that branch now never matches.`);
        }
        routes.push({ name: `branch_${routes.length + 1}`, operator: operator ?? "equals", value: operator ? String(c.value2 ?? "") : "\u0000never", description: "" });
      }
      const id = b.addBlock(BLOCK.router, { mode: "condition", routes: routes.slice(0, 10) }, at, opts);
      b.entry("I406", "info", ref, "Each condition now tests the message the Router receives.");
      return done({ entry: id, exit: id, inputs: { "*": "input" }, outputs: branchOutputs(routes) }, "Condition → Router.");
    }
    case "conditionAgentAgentflow": {
      const scenarios = list(inputs.conditionAgentScenarios).map(record);
      const routes = scenarios.slice(0, 10).map((s, i) => ({ name: `scenario_${i + 1}`, operator: "contains", value: "", description: (text(s.scenario) ?? "").slice(0, 500) }));
      const id = b.addBlock(BLOCK.router, { mode: "model", routes }, at, opts);
      const model = addModel(b, ref, inputs, "conditionAgent", b.at(point(node.position), -280, 160), `${node.id}_model`);
      b.connect(model, id, "model", "model");
      return done({ entry: id, exit: id, inputs: { "*": "input" }, outputs: branchOutputs(routes) }, "Condition Agent → Router that a model decides.", [model]);
    }
    case "stickyNoteAgentflow": {
      const id = b.addNote(text(inputs.note) ?? "", at, node.id, label);
      return done({ entry: id, exit: id }, "Sticky note → Note.");
    }
    case "customFunctionAgentflow": {
      b.entry("I404", "warning", ref, "This node's JavaScript was kept as text in the note and not run.");
      b.placeholder(ref, at, "A custom function step has no Skyloom block; its code is kept below as text and was not run.", [clip(b, ref, text(inputs.customFunctionJavascriptFunction) ?? "", 15_000, "code")]);
      return;
    }
    case "retrieverAgentflow":
      b.placeholder(ref, at, "Knowledge (retriever) blocks are not in Skyloom yet; rebuild this part once the knowledge base block is available.");
      return;
    default:
      b.placeholder(ref, at, `Skyloom has no block for the Agentflow step "${node.data.name}".`);
  }
}

/** Branch n of a condition node → the router's route n; the one after the last → otherwise. */
function branchOutputs(routes: readonly Record<string, unknown>[]): Record<string, string> {
  const outputs: Record<string, string> = { "*": "otherwise" };
  routes.slice(0, 10).forEach((r, i) => (outputs[String(i)] = String(r.name)));
  return outputs;
}

function addMemory(b: ImportBuilder, ref: SourceRef, target: string, node: AgentflowNode): string {
  const memory = b.addBlock(BLOCK.memory, {}, b.at(point(node.position), -280, 320), { idBase: `${node.id}_memory`, source: ref });
  b.connect(memory, target, "memory", "memory");
  return memory;
}

function addTools(b: ImportBuilder, ref: SourceRef, tools: unknown, agent: string, node: AgentflowNode): string[] {
  const made: string[] = [];
  for (const [i, tool] of list(tools).map(record).entries()) {
    const kind = text(tool.agentSelectedTool) ?? "";
    const settings = record(tool.agentSelectedToolConfig);
    reportSecrets(b, ref, settings);
    const at = b.at(point(node.position), -280 + i * 40, 480 + i * 90);
    let config: Record<string, unknown> | undefined;
    let type = "";
    if (kind === "calculator") [type, config] = [BLOCK.calculator, {}];
    else if (kind === "requestsGet" || kind === "requestsPost") [type, config] = [BLOCK.httpTool, httpConfig(b, ref, settings, kind === "requestsGet" ? "GET" : "POST")];
    else if (kind === "customTool") {
      [type, config] = [BLOCK.codeTool, codeToolConfig(b, ref, { name: text(settings.customToolName), description: text(settings.customToolDesc), code: text(settings.customToolFunc) ?? "", language: "JavaScript", from: "Flowise" })];
    }
    if (!config) {
      b.entry("I406", "warning", ref, `The agent's tool "${kind || "?"}" has no Skyloom block and was not imported.`);
      continue;
    }
    const id = b.addBlock(type, config, at, { idBase: `${node.id}_tool_${i + 1}`, source: ref });
    b.connect(id, agent, "tool", "tools");
    made.push(id);
  }
  return made;
}
