import type { ModelSpec, RuntimeId } from "./models";

/**
 * The model servers Skyloom deploys, with pinned images and the exact command lines. Every
 * one serves an OpenAI-compatible API, which is how a deployed endpoint becomes a chat model.
 */
export type RuntimeSpec = {
  id: RuntimeId;
  title: string;
  image: string;
  port: number;
  /** Where the server answers 200 once it can serve (Kubernetes readiness probe). */
  healthPath: string;
  /** Path prefix of the OpenAI-compatible API. */
  apiBase: string;
};

export const RUNTIMES: Readonly<Record<RuntimeId, RuntimeSpec>> = {
  // The image's entrypoint is `python3 -m vllm.entrypoints.openai.api_server`; /health is
  // served only after the weights are loaded.
  vllm: { id: "vllm", title: "vLLM OpenAI server", image: "vllm/vllm-openai:v0.8.5", port: 8000, healthPath: "/health", apiBase: "/v1" },
  // Entrypoint `text-generation-launcher`; OpenAI-compatible Messages API under /v1.
  tgi: { id: "tgi", title: "Text Generation Inference", image: "ghcr.io/huggingface/text-generation-inference:3.0.1", port: 8080, healthPath: "/health", apiBase: "/v1" },
  // Entrypoint `/bin/ollama`; the model is pulled at start, so the command wraps `serve`.
  ollama: { id: "ollama", title: "Ollama", image: "ollama/ollama:0.5.7", port: 11434, healthPath: "/api/version", apiBase: "/v1" },
};

export const RUNTIME_IDS = ["vllm", "ollama", "tgi"] as const satisfies readonly RuntimeId[];

export type RuntimeLaunch = { command: string[]; args: string[]; env: { name: string; value: string }[] };

/**
 * The command line that serves `model` on `gpuCount` GPUs. Tensor parallelism spreads one
 * model over all GPUs of the workload (vLLM `--tensor-parallel-size`, TGI `--num-shard`);
 * Ollama splits layers across visible GPUs by itself.
 */
export function runtimeLaunch(runtime: RuntimeId, model: ModelSpec, gpuCount: number): RuntimeLaunch {
  const spec = RUNTIMES[runtime];
  switch (runtime) {
    case "vllm": {
      const args = [
        "--model", model.id,
        "--served-model-name", model.id,
        "--host", "0.0.0.0",
        "--port", String(spec.port),
        "--max-model-len", String(model.servedContext),
      ];
      if (gpuCount > 1) args.push("--tensor-parallel-size", String(gpuCount));
      if (model.kind === "embeddings") args.push("--task", "embed");
      if (model.kind === "speech") args.push("--task", "transcription");
      return { command: [], args, env: [] };
    }
    case "tgi": {
      const maxTotal = model.servedContext;
      const args = [
        "--model-id", model.id,
        "--hostname", "0.0.0.0",
        "--port", String(spec.port),
        "--max-input-tokens", String(Math.max(1, maxTotal - Math.min(1024, Math.floor(maxTotal / 4)))),
        "--max-total-tokens", String(maxTotal),
      ];
      if (gpuCount > 1) args.push("--num-shard", String(gpuCount));
      return { command: [], args, env: [] };
    }
    case "ollama": {
      const tag = model.runtimes.ollama?.tag ?? model.id;
      // Serve, wait until the API answers, pull the model, then stay in the foreground.
      const script = `ollama serve & until ollama list >/dev/null 2>&1; do sleep 1; done; ollama pull ${tag} && wait`;
      return {
        command: ["/bin/sh", "-c"],
        args: [script],
        env: [
          { name: "OLLAMA_HOST", value: `0.0.0.0:${spec.port}` },
          { name: "OLLAMA_KEEP_ALIVE", value: "-1" },
        ],
      };
    }
  }
}

/** The name clients send as `model` in OpenAI requests to this endpoint. */
export function servedModelName(runtime: RuntimeId, model: ModelSpec): string {
  return runtime === "ollama" ? (model.runtimes.ollama?.tag ?? model.id) : model.id;
}
