import { describe, expect, it } from "vitest";
import { findGpu, GPU_CATALOG } from "#agents/catalog/gpus";
import { MODEL_CATALOG } from "#agents/catalog/models";
import { RUNTIMES, runtimeLaunch } from "#agents/catalog/runtimes";
import { chooseGpus, VRAM_HEADROOM } from "#agents/catalog/select-gpu";
import { isPinnedImage } from "#agents/blocks/workload-config";
import { SPHERON_GPU_SHORT_NAMES } from "../compile/support/icl-rules";

const model = (id: string) => {
  const m = MODEL_CATALOG.find((x) => x.id === id);
  if (!m) throw new Error(id);
  return m;
};

describe("model catalog", () => {
  it("lists at least 20 open models across chat, embeddings, speech and image", () => {
    expect(MODEL_CATALOG.length).toBeGreaterThanOrEqual(20);
    expect(new Set(MODEL_CATALOG.map((m) => m.kind))).toEqual(new Set(["chat", "embeddings", "speech", "image"]));
    expect(new Set(MODEL_CATALOG.map((m) => m.id)).size).toBe(MODEL_CATALOG.length);
    for (const id of ["meta-llama/Llama-3.1-8B-Instruct", "meta-llama/Llama-3.1-70B-Instruct", "Qwen/Qwen2.5-72B-Instruct", "mistralai/Mixtral-8x7B-Instruct-v0.1", "openai/whisper-large-v3", "BAAI/bge-m3"]) {
      expect(model(id)?.id).toBe(id);
    }
  });

  it("gives every model a size, context and per-runtime VRAM that covers its bf16 weights", () => {
    for (const m of MODEL_CATALOG) {
      expect(m.paramsB).toBeGreaterThan(0);
      expect(m.servedContext).toBeLessThanOrEqual(m.contextLength);
      for (const rt of ["vllm", "tgi"] as const) {
        const needs = m.runtimes[rt];
        if (needs) expect(needs.vramGb, `${m.id} ${rt}`).toBeGreaterThan(m.paramsB * 2);
      }
      const ollama = m.runtimes.ollama;
      if (ollama) expect(ollama.tag).toMatch(/^[a-z0-9.-]+(:[a-z0-9.]+)?$/);
    }
  });

  it("pins every runtime image and builds exact arguments with tensor parallelism", () => {
    for (const rt of Object.values(RUNTIMES)) expect(isPinnedImage(rt.image)).toBe(true);
    const llama = model("meta-llama/Llama-3.1-70B-Instruct");
    expect(runtimeLaunch("vllm", llama, 4).args).toEqual([
      "--model", llama.id, "--served-model-name", llama.id, "--host", "0.0.0.0", "--port", "8000", "--max-model-len", "8192", "--tensor-parallel-size", "4",
    ]);
    expect(runtimeLaunch("vllm", llama, 1).args).not.toContain("--tensor-parallel-size");
    expect(runtimeLaunch("tgi", llama, 2).args).toEqual(expect.arrayContaining(["--model-id", llama.id, "--num-shard", "2", "--port", "8080"]));
    expect(runtimeLaunch("vllm", model("BAAI/bge-m3"), 1).args.slice(-2)).toEqual(["--task", "embed"]);
    expect(runtimeLaunch("vllm", model("openai/whisper-large-v3"), 1).args.slice(-2)).toEqual(["--task", "transcription"]);
    const ollama = runtimeLaunch("ollama", model("Qwen/Qwen2.5-7B-Instruct"), 1);
    expect(ollama.args[0]).toContain("ollama pull qwen2.5:7b");
    expect(ollama.env).toContainEqual({ name: "OLLAMA_HOST", value: "0.0.0.0:11434" });
  });
});

describe("GPU catalog", () => {
  it("uses Spheron short names with VRAM and a positive SPON price", () => {
    for (const g of GPU_CATALOG) {
      expect(SPHERON_GPU_SHORT_NAMES.has(g.id), g.id).toBe(true);
      expect(g.vramGb).toBeGreaterThan(0);
      expect(g.priceMicroSponPerHour).toBeGreaterThan(0);
    }
    expect(findGpu("rtx4090")).toMatchObject({ vramGb: 24, priceMicroSponPerHour: 175_000, priceSource: "sdk-gpu-config" });
  });
});

describe("gpu: auto", () => {
  it("picks the cheapest single GPU that holds a 7B model with headroom", () => {
    const choice = chooseGpus({ needVramGb: 19, gpu: "auto", gpuCount: null, fizz: false });
    expect(choice.ok && choice.count).toBe(1);
    if (!choice.ok) return;
    const cheapestFit = GPU_CATALOG.filter((g) => g.vramGb >= 19 * VRAM_HEADROOM).sort((a, b) => a.priceMicroSponPerHour - b.priceMicroSponPerHour)[0];
    expect(choice.models[0]?.id).toBe(cheapestFit?.id);
    expect(choice.models.every((g) => g.vramGb >= 19 * VRAM_HEADROOM)).toBe(true);
    expect(choice.priceMicroSponPerGpuHour).toBe(Math.max(...choice.models.map((g) => g.priceMicroSponPerHour)));
  });

  it("raises gpuCount when one GPU cannot hold the model (or costs far more)", () => {
    const choice = chooseGpus({ needVramGb: 160, gpu: "auto", gpuCount: null, fizz: false });
    expect(choice.ok).toBe(true);
    if (!choice.ok) return;
    expect(choice.count).toBeGreaterThan(1);
    for (const g of choice.models) expect(g.vramGb * choice.count).toBeGreaterThanOrEqual(160 * VRAM_HEADROOM);
  });

  it("only uses fizz GPUs in fizz mode, and says when nothing fits", () => {
    const fizz = chooseGpus({ needVramGb: 60, gpu: "auto", gpuCount: null, fizz: true });
    expect(fizz.ok && fizz.models.every((g) => g.fizz)).toBe(true);
    expect(chooseGpus({ needVramGb: 2_000, gpu: "auto", gpuCount: null, fizz: false })).toMatchObject({ ok: false, reason: "nothing-fits" });
  });

  it("sizes the count for a named GPU and refuses one that is too small", () => {
    expect(chooseGpus({ needVramGb: 160, gpu: "a100-80g", gpuCount: null, fizz: false })).toMatchObject({ ok: true, count: 4 });
    expect(chooseGpus({ needVramGb: 160, gpu: "a100-80g", gpuCount: 1, fizz: false })).toMatchObject({ ok: false, reason: "does-not-fit" });
    expect(chooseGpus({ needVramGb: 155, gpu: "a100-80g", gpuCount: 2, fizz: false })).toMatchObject({ ok: true, tight: true });
    expect(chooseGpus({ needVramGb: 10, gpu: "h100", gpuCount: null, fizz: true })).toMatchObject({ ok: false, reason: "not-in-fizz" });
  });
});
