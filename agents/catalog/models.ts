/**
 * Popular open models Skyloom can deploy with one block. Each entry says how big the model is,
 * what it does, and what each runtime needs to serve it at its default precision: bf16 weights
 * for vLLM and TGI (weights + KV cache for the served context + CUDA overhead, rounded up), the
 * library's default 4-bit quantisation (Q4_K_M) for Ollama. `gpu: auto` sizes GPUs from these.
 */
export type ModelKind = "chat" | "embeddings" | "speech" | "image";
export type RuntimeId = "vllm" | "ollama" | "tgi";

export type ModelRuntimeNeeds = {
  /** GPU memory the runtime needs to serve the model at `servedContext` tokens. */
  vramGb: number;
  /** Ollama's library tag (ollama only). */
  tag?: string;
};

export type ModelSpec = {
  /** The Hugging Face repository id; also the name the endpoint serves it under. */
  id: string;
  title: string;
  kind: ModelKind;
  /** Parameters, in billions. */
  paramsB: number;
  /** The longest context the model supports. */
  contextLength: number;
  /** The context Skyloom serves by default (vLLM `--max-model-len`), to bound the KV cache. */
  servedContext: number;
  /** Needs a Hugging Face token with the licence accepted (Llama, Gemma). */
  gated: boolean;
  /** Disk for the weights cache, in GiB. */
  diskGi: number;
  /** Runtimes that can serve it; empty when none of vLLM, Ollama or TGI serves this kind. */
  runtimes: Partial<Record<RuntimeId, ModelRuntimeNeeds>>;
};

const chat = (
  id: string,
  title: string,
  paramsB: number,
  contextLength: number,
  servedContext: number,
  gated: boolean,
  bf16VramGb: number,
  ollama: { tag: string; vramGb: number } | null,
): ModelSpec => ({
  id,
  title,
  kind: "chat",
  paramsB,
  contextLength,
  servedContext,
  gated,
  diskGi: Math.ceil(paramsB * 2 * 1.1 + 10),
  runtimes: {
    vllm: { vramGb: bf16VramGb },
    tgi: { vramGb: bf16VramGb },
    ...(ollama ? { ollama } : {}),
  },
});

export const MODEL_CATALOG: readonly ModelSpec[] = [
  // Chat and reasoning
  chat("meta-llama/Llama-3.1-8B-Instruct", "Llama 3.1 8B Instruct", 8.03, 131_072, 8_192, true, 20, { tag: "llama3.1:8b", vramGb: 7 }),
  chat("meta-llama/Llama-3.1-70B-Instruct", "Llama 3.1 70B Instruct", 70.6, 131_072, 8_192, true, 160, { tag: "llama3.1:70b", vramGb: 46 }),
  chat("meta-llama/Llama-3.2-3B-Instruct", "Llama 3.2 3B Instruct", 3.21, 131_072, 8_192, true, 10, { tag: "llama3.2:3b", vramGb: 4 }),
  chat("meta-llama/Llama-3.3-70B-Instruct", "Llama 3.3 70B Instruct", 70.6, 131_072, 8_192, true, 160, { tag: "llama3.3:70b", vramGb: 46 }),
  chat("Qwen/Qwen2.5-7B-Instruct", "Qwen 2.5 7B Instruct", 7.62, 32_768, 8_192, false, 19, { tag: "qwen2.5:7b", vramGb: 6 }),
  chat("Qwen/Qwen2.5-32B-Instruct", "Qwen 2.5 32B Instruct", 32.8, 32_768, 8_192, false, 72, { tag: "qwen2.5:32b", vramGb: 22 }),
  chat("Qwen/Qwen2.5-72B-Instruct", "Qwen 2.5 72B Instruct", 72.7, 32_768, 8_192, false, 165, { tag: "qwen2.5:72b", vramGb: 50 }),
  chat("Qwen/Qwen2.5-Coder-7B-Instruct", "Qwen 2.5 Coder 7B Instruct", 7.62, 32_768, 8_192, false, 19, { tag: "qwen2.5-coder:7b", vramGb: 6 }),
  chat("mistralai/Mistral-7B-Instruct-v0.3", "Mistral 7B Instruct v0.3", 7.25, 32_768, 8_192, false, 18, { tag: "mistral:7b", vramGb: 6 }),
  chat("mistralai/Mixtral-8x7B-Instruct-v0.1", "Mixtral 8x7B Instruct", 46.7, 32_768, 8_192, false, 100, { tag: "mixtral:8x7b", vramGb: 28 }),
  chat("google/gemma-2-9b-it", "Gemma 2 9B Instruct", 9.24, 8_192, 8_192, true, 22, { tag: "gemma2:9b", vramGb: 8 }),
  chat("google/gemma-2-27b-it", "Gemma 2 27B Instruct", 27.2, 8_192, 8_192, true, 60, { tag: "gemma2:27b", vramGb: 18 }),
  chat("microsoft/Phi-3-mini-4k-instruct", "Phi-3 Mini 4K Instruct", 3.82, 4_096, 4_096, false, 10, { tag: "phi3:mini", vramGb: 4 }),
  chat("microsoft/phi-4", "Phi-4 14B", 14.7, 16_384, 16_384, false, 34, { tag: "phi4:14b", vramGb: 11 }),
  chat("deepseek-ai/DeepSeek-R1-Distill-Qwen-7B", "DeepSeek-R1 Distill Qwen 7B", 7.62, 131_072, 16_384, false, 20, { tag: "deepseek-r1:7b", vramGb: 6 }),
  chat("deepseek-ai/DeepSeek-R1-Distill-Llama-8B", "DeepSeek-R1 Distill Llama 8B", 8.03, 131_072, 16_384, false, 21, { tag: "deepseek-r1:8b", vramGb: 7 }),
  chat("deepseek-ai/DeepSeek-R1-Distill-Qwen-32B", "DeepSeek-R1 Distill Qwen 32B", 32.8, 131_072, 16_384, false, 74, { tag: "deepseek-r1:32b", vramGb: 22 }),
  chat("deepseek-ai/DeepSeek-R1-Distill-Llama-70B", "DeepSeek-R1 Distill Llama 70B", 70.6, 131_072, 16_384, false, 162, { tag: "deepseek-r1:70b", vramGb: 46 }),
  // Embeddings (vLLM serves /v1/embeddings with --task embed)
  { id: "BAAI/bge-m3", title: "BGE-M3 (multilingual embeddings)", kind: "embeddings", paramsB: 0.568, contextLength: 8_192, servedContext: 8_192, gated: false, diskGi: 10, runtimes: { vllm: { vramGb: 4 }, ollama: { tag: "bge-m3", vramGb: 2 } } },
  { id: "BAAI/bge-large-en-v1.5", title: "BGE Large EN v1.5 (embeddings)", kind: "embeddings", paramsB: 0.335, contextLength: 512, servedContext: 512, gated: false, diskGi: 5, runtimes: { vllm: { vramGb: 3 }, ollama: { tag: "bge-large", vramGb: 2 } } },
  { id: "intfloat/e5-mistral-7b-instruct", title: "E5 Mistral 7B Instruct (embeddings)", kind: "embeddings", paramsB: 7.11, contextLength: 32_768, servedContext: 4_096, gated: false, diskGi: 26, runtimes: { vllm: { vramGb: 18 } } },
  { id: "intfloat/multilingual-e5-large-instruct", title: "Multilingual E5 Large Instruct (embeddings)", kind: "embeddings", paramsB: 0.56, contextLength: 512, servedContext: 512, gated: false, diskGi: 5, runtimes: { vllm: { vramGb: 3 } } },
  { id: "nomic-ai/nomic-embed-text-v1.5", title: "Nomic Embed Text v1.5 (embeddings)", kind: "embeddings", paramsB: 0.137, contextLength: 8_192, servedContext: 8_192, gated: false, diskGi: 3, runtimes: { ollama: { tag: "nomic-embed-text", vramGb: 1 } } },
  // Speech to text (vLLM serves /v1/audio/transcriptions with --task transcription)
  { id: "openai/whisper-large-v3", title: "Whisper Large v3 (speech to text)", kind: "speech", paramsB: 1.55, contextLength: 448, servedContext: 448, gated: false, diskGi: 10, runtimes: { vllm: { vramGb: 8 } } },
  { id: "openai/whisper-large-v3-turbo", title: "Whisper Large v3 Turbo (speech to text)", kind: "speech", paramsB: 0.809, contextLength: 448, servedContext: 448, gated: false, diskGi: 6, runtimes: { vllm: { vramGb: 6 } } },
  // Image generation: none of vLLM, Ollama or TGI serves diffusion models, so these are
  // listed for sizing (a workload.container with your own image), not for model.endpoint.
  { id: "stabilityai/stable-diffusion-xl-base-1.0", title: "Stable Diffusion XL 1.0 (image)", kind: "image", paramsB: 3.5, contextLength: 77, servedContext: 77, gated: false, diskGi: 20, runtimes: {} },
  { id: "black-forest-labs/FLUX.1-schnell", title: "FLUX.1 [schnell] (image)", kind: "image", paramsB: 12, contextLength: 512, servedContext: 512, gated: false, diskGi: 40, runtimes: {} },
];

export const MODEL_IDS = MODEL_CATALOG.map((m) => m.id) as [string, ...string[]];

const byId = new Map(MODEL_CATALOG.map((m) => [m.id, m]));

export function findModel(id: string): ModelSpec | undefined {
  return byId.get(id);
}
