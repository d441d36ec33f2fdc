import { describe, expect, it } from "vitest";
import { defaultConfig, type AnyBlockDefinition } from "#agents/blocks/define-block";
import { modelEndpointBlock } from "#agents/blocks/model-endpoint/block";
import { workloadContainerBlock } from "#agents/blocks/workload-container/block";
import { workloadJobBlock } from "#agents/blocks/workload-job/block";
import { isPinnedImage } from "#agents/blocks/workload-config";

const endpoint = (config: object) => modelEndpointBlock.deploy?.(modelEndpointBlock.config.parse(config));
const container = (config: object) => workloadContainerBlock.deploy?.(workloadContainerBlock.config.parse(config));
const job = (config: object) => workloadJobBlock.deploy?.(workloadJobBlock.config.parse(config));

describe("workload blocks", () => {
  it("are workload parts whose defaults parse and deploy without problems", () => {
    const blocks: AnyBlockDefinition[] = [modelEndpointBlock, workloadContainerBlock, workloadJobBlock];
    for (const block of blocks) {
      expect(block.part).toBe("workload");
      const result = block.deploy?.(defaultConfig(block));
      expect(result?.problems, block.type).toEqual([]);
      expect(result?.spec?.image && isPinnedImage(result.spec.image)).toBe(true);
    }
  });

  it("model.endpoint outputs a chat model (and an endpoint for containers)", () => {
    expect(modelEndpointBlock.outputs).toEqual([
      expect.objectContaining({ id: "model", type: "chat-model" }),
      expect.objectContaining({ id: "endpoint", type: "endpoint" }),
    ]);
  });

  it("splits a 70B model over several GPUs with matching tensor parallelism and shared memory", () => {
    const spec = endpoint({ model: "meta-llama/Llama-3.1-70B-Instruct", env: { HF_TOKEN: "x" } })?.spec;
    const count = spec?.resources.gpu?.count ?? 0;
    expect(count).toBeGreaterThan(1);
    expect(spec?.args.join(" ")).toContain(`--tensor-parallel-size ${count}`);
    expect(spec?.resources.shmGi).toBeGreaterThan(0);
    expect(spec?.serves).toMatchObject({ runtime: "vllm", port: 8000, apiBase: "/v1", servedName: "meta-llama/Llama-3.1-70B-Instruct" });
  });

  it("warns about gated models without a token, and lets user environment override the runtime's", () => {
    expect(endpoint({ model: "google/gemma-2-9b-it" })?.problems.map((p) => p.code)).toEqual(["E313"]);
    expect(endpoint({ model: "google/gemma-2-9b-it", env: { HF_TOKEN: { credential: "cred_hf" } } })?.problems).toEqual([]);
    // A token typed in plain text satisfies the gate but is a secret in the manifests (E315).
    expect(endpoint({ model: "google/gemma-2-9b-it", env: { HF_TOKEN: "hf_x" } })?.problems.map((p) => p.code)).toEqual(["E315"]);
    expect(endpoint({ model: "google/gemma-2-9b-it", runtime: "ollama" })?.problems).toEqual([]);
    const env = endpoint({ runtime: "ollama", env: { OLLAMA_KEEP_ALIVE: "10m", EXTRA: "1" } })?.spec?.env;
    expect(env).toEqual([
      { name: "OLLAMA_HOST", value: "0.0.0.0:11434" },
      { name: "OLLAMA_KEEP_ALIVE", value: "10m" },
      { name: "EXTRA", value: "1" },
    ]);
  });

  it("refuses a runtime that cannot serve the model, and GPU counts that do not split evenly", () => {
    expect(endpoint({ model: "intfloat/e5-mistral-7b-instruct", runtime: "ollama" })?.problems[0]).toMatchObject({ code: "E306", severity: "error" });
    expect(modelEndpointBlock.config.safeParse({ gpuCount: 3 }).success).toBe(false);
  });

  it("container: a GPU fizz does not offer is E305; ports, volume and health path reach the spec", () => {
    expect(container({ gpu: "a100-80g", mode: "fizz" })?.problems[0]).toMatchObject({ code: "E305" });
    const spec = container({
      image: "ghcr.io/x/api:1.0.0",
      ports: [{ port: 3000, public: true }, { port: 9000, http: false }],
      persistentVolume: { sizeGi: 5, mount: "/data" },
      healthPath: "/ready",
      gpu: "l4",
      gpuCount: 2,
    })?.spec;
    expect(spec?.ports).toEqual([
      { port: 3000, public: true, http: true, proto: "tcp" },
      { port: 9000, public: false, http: false, proto: "tcp" },
    ]);
    expect(spec?.resources.persistent).toEqual({ sizeGi: 5, mount: "/data" });
    expect(spec?.resources.gpu).toMatchObject({ count: 2, models: ["l4"] });
    expect(spec?.readiness).toEqual({ httpPath: "/ready", port: 3000 });
  });

  it("container: zero GPUs is a CPU service; a GPU with count 0 is E314", () => {
    const cpu = container({ gpu: "none", gpuCount: 0 });
    expect(cpu?.problems).toEqual([]);
    expect(cpu?.spec?.resources.gpu).toBeNull();
    expect(container({ gpu: "l4", gpuCount: 0 })?.problems[0]).toMatchObject({ code: "E314", severity: "error" });
    expect(workloadContainerBlock.config.safeParse({ gpuCount: -1 }).success).toBe(false);
  });

  it("container refuses unpinned images and bad environment names", () => {
    expect(workloadContainerBlock.config.safeParse({ image: "redis" }).success).toBe(false);
    expect(workloadContainerBlock.config.safeParse({ image: "redis:latest" }).success).toBe(false);
    expect(workloadContainerBlock.config.safeParse({ image: "redis@sha256:" + "a".repeat(64) }).success).toBe(true);
    expect(workloadContainerBlock.config.safeParse({ env: { "1BAD": "x" } }).success).toBe(false);
  });

  it("job: runs to completion with no ports and one replica", () => {
    const spec = job({ command: ["python", "train.py"], gpu: "rtx4090", mode: "fizz" })?.spec;
    expect(spec).toMatchObject({ kind: "job", ports: [], replicas: 1, mode: "fizz", readiness: null });
    expect(spec?.command).toEqual(["python", "train.py"]);
  });
});
