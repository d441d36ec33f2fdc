/**
 * Token prices for /v1 usage: per model, in wei per 1K input and per 1K output tokens, set by
 * the operator (SKYLOOM_TOKEN_PRICES) over the defaults below. A model not listed costs the
 * `*` price. Endpoints deployed on the marketplace are paid by their lease, so a Model Endpoint
 * node adds no token price.
 *
 * A run's usage arrives as one total of input and output tokens, not per model, so a run is
 * priced at the dearest model its graph uses: the team never pays less than a model it called,
 * and an agent's price can be shown before it runs (ADR 030).
 */
import type { GraphDoc } from "#agents/graph/index";
import { modelOpenAiBlock } from "#agents/blocks/model-openai/block";
import { ConfigError } from "#server/env";
import { sponToWei } from "./amounts";
import { tokenCostWei, type TokenPrice } from "./pricing";

export type PriceTable = { byModel: ReadonlyMap<string, TokenPrice>; fallback: TokenPrice };

/** What `npm start` charges: the local development model costs a little, so the money path is visible. */
export const DEFAULT_TOKEN_PRICES = "skyloom-dev=0.0001/0.0002,*=0.002/0.006";

const ENTRY = /^([^=,/\s]{1,200})=(\d+(?:\.\d{1,18})?)\/(\d+(?:\.\d{1,18})?)$/;

/** "model=in/out,…" in SPON per 1K tokens (`*` for every other model) → a price table. */
export function parsePriceTable(text: string, variable = "SKYLOOM_TOKEN_PRICES"): PriceTable {
  const byModel = new Map<string, TokenPrice>();
  let fallback: TokenPrice | undefined;
  for (const part of text.split(",").map((p) => p.trim()).filter(Boolean)) {
    const m = ENTRY.exec(part);
    if (!m) throw new ConfigError(variable, `has "${part}"; write model=INPUT/OUTPUT in SPON per 1K tokens, e.g. gpt-4o-mini=0.0015/0.006,*=0.002/0.006.`);
    const price = { inputWeiPer1k: sponToWei(m[2]!), outputWeiPer1k: sponToWei(m[3]!) };
    if (m[1] === "*") fallback = price;
    else byModel.set(m[1]!, price);
  }
  return { byModel, fallback: fallback ?? { inputWeiPer1k: 0n, outputWeiPer1k: 0n } };
}

/** The operator's prices over the defaults (a model the operator names replaces its default). */
export function priceTableFrom(operator: string | undefined): PriceTable {
  const defaults = parsePriceTable(DEFAULT_TOKEN_PRICES);
  if (!operator) return defaults;
  const given = parsePriceTable(operator);
  const hasFallback = /(^|,)\s*\*=/.test(operator);
  return { byModel: new Map([...defaults.byModel, ...given.byModel]), fallback: hasFallback ? given.fallback : defaults.fallback };
}

export const priceOf = (table: PriceTable, model: string): TokenPrice => table.byModel.get(model) ?? table.fallback;

type ChatModelUse = { model: string; maxTokens: number };

/** Pinned graphs are cached and never change: each is read once (the gateway prices every request). */
const modelsByGraph = new WeakMap<GraphDoc, ChatModelUse[]>();

/** The chat models a graph calls (Chat Model nodes), with each one's answer budget. */
function chatModelsOf(graph: GraphDoc): ChatModelUse[] {
  const known = modelsByGraph.get(graph);
  if (known) return known;
  const models: ChatModelUse[] = [];
  for (const node of graph.nodes) {
    if (node.type !== modelOpenAiBlock.type) continue;
    const parsed = modelOpenAiBlock.config.safeParse(node.config ?? {});
    // A config this build cannot read still calls a model: price it at the `*` price.
    models.push(parsed.success ? { model: parsed.data.model, maxTokens: parsed.data.maxTokens } : { model: "", maxTokens: 1024 });
  }
  modelsByGraph.set(graph, models);
  return models;
}

const dearer = (a: TokenPrice, b: TokenPrice): TokenPrice =>
  a.inputWeiPer1k + a.outputWeiPer1k >= b.inputWeiPer1k + b.outputWeiPer1k ? a : b;

/** The price a run of `graph` is billed at: its dearest chat model's (zero when it calls none). */
export function runPrice(table: PriceTable, graph: GraphDoc): TokenPrice {
  let price: TokenPrice = { inputWeiPer1k: 0n, outputWeiPer1k: 0n };
  for (const { model } of chatModelsOf(graph)) price = dearer(price, priceOf(table, model));
  return price;
}

/** Rough tokens of a text (4 characters a token, as OpenAI's rule of thumb), rounded up. */
export const approxTokens = (chars: number): number => Math.ceil(chars / 4);

/**
 * What to hold before a run starts: every chat model reads the whole input and may write its
 * whole answer budget (maxTokens), at the run's price. Usually more than the run costs; the
 * settlement charges what it did cost and releases the rest.
 */
export function estimateRunCost(table: PriceTable, graph: GraphDoc, inputChars: number): { price: TokenPrice; estimateWei: bigint } {
  const price = runPrice(table, graph);
  const models = chatModelsOf(graph);
  const input = approxTokens(inputChars) * Math.max(1, models.length);
  const output = models.reduce((sum, m) => sum + m.maxTokens, 0);
  return { price, estimateWei: tokenCostWei(price, input, output) };
}
