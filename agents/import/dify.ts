import { z } from "zod";
import { ImportBuilder } from "./builder";
import { asTemplateText, clip, list, numberOf, own, point, record, reportNestedSecrets, text } from "./common";
import { checkCounts, readEnvelope, SourceId } from "./envelope";
import { difyModel, difyModelConfigApp } from "./dify-model-config";
import type { ImportResult, SourceRef } from "./report";
import { parseJsonSafely } from "./safe-parse";
import { BLOCK } from "./blocks";

/**
 * Dify app DSL (YAML): `app { name, mode }`, and for workflow apps `workflow.graph { nodes,
 * edges }`; chat and agent apps without a workflow keep their settings in `model_config`.
 * Prompts reference values as `{{#<node id>.<field>#}}` (`{{#sys.query#}}` is the message).
 */
const DifyNode = z.object({
  id: SourceId,
  type: z.string().max(100).optional(),
  position: z.unknown().optional(),
  data: z.object({ type: z.string().max(100).optional(), title: z.string().max(500).optional() }).loose(),
});
const DifyEdge = z.object({ source: SourceId, target: SourceId, sourceHandle: z.string().max(200).optional() });
export const DifyFileSchema = z.object({
  app: z.object({ name: z.string().max(500).optional(), mode: z.string().max(50).optional() }).loose(),
  workflow: z.object({ graph: z.object({ nodes: z.array(DifyNode), edges: z.array(DifyEdge).optional() }) }).loose().optional(),
  model_config: z.unknown().optional(),
});
type Node = z.output<typeof DifyNode>;

const COMPARISONS: Record<string, string> = { contains: "contains", is: "equals", "=": "equals", "start with": "starts-with" };
const REFERENCE = /\{\{#([A-Za-z0-9_-]+)\.([A-Za-z0-9_]+)#\}\}/g;

/** The template variable a Dify reference becomes: `{query}` for the message, else `{n<node>_<field>}`. */
export function variableFor(nodeId: string, fieldName: string): string {
  return nodeId === "sys" ? fieldName : `n${nodeId}_${fieldName}`.slice(0, 64);
}

/** A Dify prompt as a Skyloom template: references become `{variables}`, other braces stay text. */
export function difyTemplate(source: string): string {
  const parts: string[] = [];
  let last = 0;
  for (const m of source.matchAll(REFERENCE)) {
    parts.push(asTemplateText(source.slice(last, m.index)), `{${variableFor(m[1] as string, m[2] as string)}}`);
    last = (m.index ?? 0) + m[0].length;
  }
  parts.push(asTemplateText(source.slice(last)));
  return parts.join("");
}

/** Whether a prompt is just the message (`{{#sys.query#}}`), which needs no Prompt block. */
function isJustTheMessage(source: string): boolean {
  return /^\s*\{\{#sys\.query#\}\}\s*$/.test(source);
}

export function importDifyValue(value: unknown, fallbackName: string): ImportResult {
  const file = readEnvelope(DifyFileSchema, value, "Dify DSL");
  const name = file.app.name?.trim() || fallbackName;
  if (!file.workflow) return difyModelConfigApp(file.model_config, name, file.app.mode ?? "chat");
  const { nodes, edges = [] } = file.workflow.graph;
  checkCounts(nodes.length, edges.length);
  const b = new ImportBuilder("dify", name, 0.9);
  for (const v of list(record(file.workflow).environment_variables).map(record)) {
    if (v.value_type === "secret") b.secret({ id: text(v.name) ?? "?", type: "environment variable" }, text(v.name) ?? "secret");
  }
  const byId = new Map(nodes.map((n) => [n.id, n]));
  for (const node of nodes) mapNode(b, node);
  for (const edge of edges) {
    const sourceType = byId.get(edge.source)?.data.type;
    b.connectSource({
      source: edge.source,
      target: edge.target,
      ...(edge.sourceHandle ? { sourceHint: edge.sourceHandle } : {}),
      targetHint: referenceInto(byId.get(edge.target), edge.source, sourceType),
    });
  }
  b.complete();
  return b.finish(nodes.length, edges.length);
}

/** The variable of the target's prompt that reads the source (the message, for a Start). */
function referenceInto(target: Node | undefined, sourceId: string, sourceType: string | undefined): string | undefined {
  if (!target) return undefined;
  const prompts = JSON.stringify(target.data.prompt_template ?? target.data.answer ?? "");
  for (const m of prompts.matchAll(REFERENCE)) {
    if (m[1] === sourceId || (sourceType === "start" && m[1] === "sys")) return variableFor(m[1] as string, m[2] as string);
  }
  return undefined;
}

function mapNode(b: ImportBuilder, node: Node): void {
  const data = node.data;
  const type = node.type === "custom-note" ? "note" : data.type || "unknown";
  const ref: SourceRef = { id: node.id, type, ...(data.title ? { label: data.title } : {}) };
  const at = b.at(point(node.position));
  const opts = { idBase: `n${node.id}`, label: data.title, source: ref };
  reportNestedSecrets(b, ref, data);
  switch (type) {
    case "start": {
      const id = b.addBlock(BLOCK.chatInput, {}, at, opts);
      if (list(data.variables).length > 0) b.entry("I406", "info", ref, "The Start form's variables were not imported: the flow starts from the chat message.");
      return b.mapped({ ref, entry: id, exit: id, outputs: { "*": "message" } }, "Start → Chat Input.");
    }
    case "answer":
    case "end": {
      const id = b.addBlock(BLOCK.chatOutput, {}, at, opts);
      return b.mapped({ ref, entry: id, exit: id, inputs: { "*": "message" } }, `${type === "answer" ? "Answer" : "End"} → Chat Output.`);
    }
    case "llm":
      return mapLlm(b, node, ref);
    case "if-else": {
      const cases = list(data.cases).map(record);
      const routes: Record<string, unknown>[] = [];
      const outputs: Record<string, string> = { false: "otherwise", "*": "otherwise" };
      for (const c of cases.slice(0, 10)) {
        const conditions = list(c.conditions).map(record);
        if (conditions.length > 1) b.entry("I406", "warning", ref, "Only the first condition of each case was imported.");
        const first = conditions[0] ?? {};
        const operator = own(COMPARISONS, text(first.comparison_operator));
        if (!operator) b.entry("I406", "warning", ref, `The comparison "${text(first.comparison_operator) ?? "?"}" has no Skyloom equivalent; "contains" is used.`);
        const route = `case_${routes.length + 1}`;
        routes.push({ name: route, operator: operator ?? "contains", value: String(first.value ?? "").slice(0, 1_000), description: "" });
        const caseId = text(c.case_id) ?? text(c.id);
        if (caseId) outputs[caseId] = route;
      }
      const id = b.addBlock(BLOCK.router, { mode: "condition", routes }, at, opts);
      b.entry("I406", "info", ref, "Each case now tests the message the Router receives.");
      return b.mapped({ ref, entry: id, exit: id, inputs: { "*": "input" }, outputs }, "IF/ELSE → Router.");
    }
    case "question-classifier": {
      const classes = list(data.classes).map(record).slice(0, 10);
      const outputs: Record<string, string> = { "*": "otherwise" };
      const routes = classes.map((c, i) => {
        const route = `class_${i + 1}`;
        const classId = text(c.id);
        if (classId) outputs[classId] = route;
        return { name: route, operator: "contains", value: "", description: (text(c.name) ?? "").slice(0, 500) };
      });
      const id = b.addBlock(BLOCK.router, { mode: "model", routes }, at, opts);
      const model = b.addBlock(BLOCK.chatModel, difyModel(b, ref, data.model), b.at(point(node.position), -280, 180), { idBase: `n${node.id}_model`, source: ref });
      b.connect(model, id, "model", "model");
      return b.mapped({ ref, entry: id, exit: id, inputs: { "*": "input" }, outputs }, "Question Classifier → Router that a model decides.", [model]);
    }
    case "note": {
      const id = b.addNote(noteText(data.text), at, `n${node.id}`, data.title || "Note");
      return b.mapped({ ref, entry: id, exit: id }, "Note → Note.");
    }
    case "knowledge-retrieval":
      b.placeholder(ref, at, "Knowledge (retriever) blocks are not in Skyloom yet; rebuild this part once the knowledge base block is available.");
      return;
    case "code": {
      b.entry("I404", "warning", ref, "This node's code was kept as text in the note and not run.");
      b.placeholder(ref, at, `A ${text(data.code_language) ?? "code"} step has no Skyloom block; its code is kept below as text and was not run.`, [clip(b, ref, text(data.code) ?? "", 15_000, "code")]);
      return;
    }
    default:
      b.placeholder(ref, at, `Skyloom has no block for the Dify node "${type}".`);
  }
}

/**
 * An LLM node: a Chat Model, with its system message and user prompt as Prompt blocks when
 * they say more than the message itself, and Conversation Memory when the node keeps history.
 */
function mapLlm(b: ImportBuilder, node: Node, ref: SourceRef): void {
  const data = node.data;
  const model = b.addBlock(BLOCK.chatModel, difyModel(b, ref, data.model), b.at(point(node.position)), { idBase: `n${node.id}`, label: data.title, source: ref });
  const messages = Array.isArray(data.prompt_template) ? data.prompt_template.map(record) : [{ role: "user", ...record(data.prompt_template) }];
  const byRole = (role: string) => messages.filter((m) => m.role === role).map((m) => text(m.text) ?? "").filter((t) => t.trim()).join("\n\n");
  if (messages.some((m) => m.role === "assistant")) b.entry("I406", "info", ref, "Example assistant messages in the prompt were not imported.");
  const extra: string[] = [];
  const alsoInto: string[] = [];
  let entry = model;
  const system = byRole("system");
  if (system) {
    const id = b.addBlock(BLOCK.prompt, { template: clip(b, ref, difyTemplate(system), 100_000, "system prompt") }, b.at(point(node.position), -300, -140), { idBase: `n${node.id}_system`, label: `${data.title ?? "LLM"} system prompt`, source: ref });
    b.connect(id, model, "prompt", "system");
    extra.push(id);
    alsoInto.push(id);
  }
  const user = byRole("user");
  if (user && !isJustTheMessage(user)) {
    entry = b.addBlock(BLOCK.prompt, { template: clip(b, ref, difyTemplate(user), 100_000, "prompt") }, b.at(point(node.position), -300, 60), { idBase: `n${node.id}_prompt`, label: `${data.title ?? "LLM"} prompt`, source: ref });
    b.connect(entry, model, "prompt", "prompt");
    extra.push(entry);
  }
  const memory = record(data.memory);
  if (data.memory !== undefined && data.memory !== null) {
    const window = record(memory.window);
    const size = window.enabled === true ? numberOf(window.size) : undefined;
    const id = b.addBlock(BLOCK.memory, size !== undefined ? { windowSize: Math.min(200, Math.max(1, Math.round(size))) } : {}, b.at(point(node.position), -300, 260), { idBase: `n${node.id}_memory`, source: ref });
    b.connect(id, model, "memory", "memory");
    extra.push(id);
  }
  if (record(data.context).enabled === true) b.entry("I406", "warning", ref, "The knowledge context was not imported: Skyloom has no knowledge block yet.");
  b.mapped({ ref, entry, exit: model, alsoInto, inputs: entry === model ? { "*": "prompt" } : {}, outputs: { "*": "text" } }, "LLM → Chat Model.", extra);
}

/** A Dify note's text: its editor state is JSON with the words in `text` fields. */
function noteText(value: unknown): string {
  const source = text(value) ?? "";
  try {
    const words: string[] = [];
    const stack: unknown[] = [parseJsonSafely(source)];
    while (stack.length > 0) {
      const item = stack.pop();
      if (Array.isArray(item)) stack.push(...[...item].reverse());
      else if (item && typeof item === "object") {
        const r = item as Record<string, unknown>;
        if (typeof r.text === "string") words.push(r.text);
        if (Array.isArray(r.children)) stack.push(r.children);
        if (r.root) stack.push(r.root);
      }
    }
    return words.join("\n");
  } catch {
    return source;
  }
}
