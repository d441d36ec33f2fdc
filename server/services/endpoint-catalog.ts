import { modelEndpointBlock } from "#agents/blocks/model-endpoint/block";
import { chooseGpus, findModel, MODEL_CATALOG, VRAM_HEADROOM, type ModelSpec, type RuntimeId } from "#agents/catalog/index";
import { compileGraph } from "#agents/compile/compile";
import { GRAPH_SCHEMA_VERSION, type GraphDoc } from "#agents/graph/index";
import { deploymentInputsFromCompile } from "../marketplace/from-plan";
import type { CreateDeploymentInput, NodeKind, Offer } from "../marketplace/marketplace";
import { MarketplaceError } from "../marketplace/marketplace";
import { weiPerSecondFromMicroSponPerHour } from "../marketplace/rules";
import { quoteGroup } from "./deployment-quote";
import { badRequest } from "./errors";
import { priceOf, type EndpointCatalogEntry } from "./market-views";

/**
 * The models a one-click endpoint can serve: the chat and embedding models of Skyloom's model
 * catalog (agents/catalog) that vLLM or Ollama serves, each with the GPUs `gpu: auto` picks
 * and why. An endpoint is deployed exactly as a flow with one Model Endpoint block would be,
 * so the compiler sizes, prices and writes its manifest.
 */
export type EndpointTask = "chat" | "embeddings";
export type ModelSize = "small" | "medium" | "large";

export const SIZE_LIMITS_B: Record<ModelSize, [number, number]> = { small: [0, 10], medium: [10, 40], large: [40, Infinity] };

export function sizeOf(paramsB: number): ModelSize {
  return paramsB <= SIZE_LIMITS_B.small[1] ? "small" : paramsB <= SIZE_LIMITS_B.medium[1] ? "medium" : "large";
}

export function runtimeFor(model: ModelSpec): RuntimeId | null {
  if (model.runtimes.vllm) return "vllm";
  if (model.runtimes.ollama) return "ollama";
  return null;
}

export function servableModels(): ModelSpec[] {
  return MODEL_CATALOG.filter((m) => (m.kind === "chat" || m.kind === "embeddings") && runtimeFor(m) !== null);
}

export type EndpointSpec = { modelId: string; mode: NodeKind; gpu: string; durationHours: number | null };

/** The one-block flow an endpoint deploys. */
export function endpointGraph(spec: EndpointSpec, runtime: RuntimeId): GraphDoc {
  return {
    schemaVersion: GRAPH_SCHEMA_VERSION,
    nodes: [
      {
        id: "endpoint",
        type: modelEndpointBlock.type,
        version: modelEndpointBlock.version,
        config: { name: "model", model: spec.modelId, runtime, gpu: spec.gpu, mode: spec.mode, durationHours: Math.min(spec.durationHours ?? 1, 8760) },
        ui: { x: 0, y: 0 },
      },
    ],
    edges: [],
  };
}

export type PlannedEndpoint = { model: ModelSpec; runtime: RuntimeId; input: CreateDeploymentInput; estimateMicroSponPerHour: number; gpu: EndpointCatalogEntry["gpu"] };

/** Compiles the endpoint's one-block flow; a clear BAD_REQUEST when the model cannot be served so. */
export function planEndpoint(teamId: string, spec: EndpointSpec, name: string): PlannedEndpoint {
  const model = findModel(spec.modelId);
  if (!model || !servableModels().includes(model)) throw badRequest(`modelId: "${spec.modelId}" is not a chat or embedding model of the endpoint catalog.`);
  const runtime = runtimeFor(model) as RuntimeId;
  const result = compileGraph(endpointGraph(spec, runtime), { name }, { targets: ["spheron-icl"] });
  const errors = result.diagnostics.filter((d) => d.severity === "error");
  if (!result.ok || !result.plan || errors.length > 0) throw badRequest(errors.map((e) => e.message).join(" ") || `${model.title} cannot be deployed this way.`);
  let input: CreateDeploymentInput;
  try {
    input = deploymentInputsFromCompile(result, { teamId })[0] as CreateDeploymentInput;
  } catch (error) {
    if (error instanceof MarketplaceError) throw badRequest(error.message);
    throw error;
  }
  const workload = result.plan.workloads[0];
  const estimate = workload?.price.estimateMicroSponPerHour ?? 0;
  return { model, runtime, input, estimateMicroSponPerHour: estimate, gpu: gpuChoiceOf(model, runtime, spec) };
}

/** Which GPUs and why, in words, as the catalog and the new-endpoint page show it. */
export function gpuChoiceOf(model: ModelSpec, runtime: RuntimeId, spec: Pick<EndpointSpec, "gpu" | "mode">): EndpointCatalogEntry["gpu"] {
  const need = model.runtimes[runtime]?.vramGb ?? 0;
  const choice = chooseGpus({ needVramGb: need, gpu: spec.gpu, gpuCount: null, fizz: spec.mode === "fizz" });
  if (!choice.ok) return { id: spec.gpu, title: spec.gpu, count: 0, reason: choice.message };
  const first = choice.models[0];
  const needWithHeadroom = Math.ceil(need * VRAM_HEADROOM);
  const others = choice.models.slice(1).map((g) => g.id);
  const reason =
    spec.gpu === "auto"
      ? `${model.title} needs about ${needWithHeadroom} GB of GPU memory with ${runtime} (${need} GB + 10% headroom); ${choice.count} × ${first?.title} is the cheapest that holds it` +
        (others.length > 0 ? `, and nodes with ${others.join(", ")} at up to twice its price may bid too.` : ".")
      : `You chose ${first?.title}; ${choice.count} of them hold the ${needWithHeadroom} GB ${model.title} needs.`;
  return { id: first?.id ?? spec.gpu, title: first?.title ?? spec.gpu, count: choice.count, reason };
}

let staticEntries: Map<NodeKind, { entry: Omit<EndpointCatalogEntry, "live">; input: CreateDeploymentInput }[]> | null = null;

function staticCatalog(mode: NodeKind) {
  staticEntries ??= new Map();
  let entries = staticEntries.get(mode);
  if (!entries) {
    entries = servableModels().flatMap((model) => {
      try {
        const planned = planEndpoint("catalog", { modelId: model.id, mode, gpu: "auto", durationHours: 1 }, "catalog");
        const entry: Omit<EndpointCatalogEntry, "live"> = {
          id: model.id,
          title: model.title,
          task: model.kind as EndpointTask,
          paramsB: model.paramsB,
          size: sizeOf(model.paramsB),
          contextLength: model.contextLength,
          gated: model.gated,
          runtime: planned.runtime,
          gpu: planned.gpu,
          price: priceOf(weiPerSecondFromMicroSponPerHour(planned.estimateMicroSponPerHour)),
        };
        return [{ entry, input: planned.input }];
      } catch {
        return []; // a model that does not fit any GPU of this mode is not offered in it
      }
    });
    staticEntries.set(mode, entries);
  }
  return entries;
}

export type CatalogQuery = { search?: string; task?: EndpointTask; size?: ModelSize; mode?: NodeKind };

export function endpointCatalog(query: CatalogQuery, offers: readonly Offer[]): EndpointCatalogEntry[] {
  const words = (query.search ?? "").toLowerCase().split(/\s+/).filter(Boolean);
  return staticCatalog(query.mode ?? "provider")
    .filter(({ entry }) => (!query.task || entry.task === query.task) && (!query.size || entry.size === query.size))
    .filter(({ entry }) => words.every((w) => `${entry.id} ${entry.title}`.toLowerCase().includes(w)))
    .map(({ entry, input }) => {
      const q = quoteGroup(input, BigInt(entry.price.weiPerSecond), offers);
      const first = q.offers[0];
      const last = q.offers.at(-1);
      return { ...entry, live: first && last ? { low: first.price, high: last.price, offers: q.offers.length } : null };
    });
}
