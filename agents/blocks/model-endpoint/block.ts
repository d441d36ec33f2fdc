import { z } from "zod";
import { GPU_IDS, gpuPickerLabels } from "../../catalog/gpus";
import { findModel, MODEL_CATALOG, MODEL_IDS } from "../../catalog/models";
import { RUNTIMES, RUNTIME_IDS, runtimeLaunch, servedModelName } from "../../catalog/runtimes";
import { chooseGpus, GPU_COUNTS } from "../../catalog/select-gpu";
import {
  durationField,
  envField,
  envList,
  plainSecretProblems,
  maxPriceField,
  modeField,
  regionField,
  replicasField,
  splitRegions,
  tierField,
  toMicroSpon,
  workloadNameField,
} from "../workload-config";
import type { DeployResult } from "../workload-spec";
import { defineBlock } from "../define-block";

const optionalSize = (title: string, max: number) =>
  z.number().positive().max(max).nullable().default(null).meta({ title, description: "Empty: sized from the model.", section: "advanced" });

// A new user picks a model, where it runs and for how long (and a token for a gated model);
// sizes, prices and names have defaults that fit the model and wait in the Advanced section.
const advanced = { section: "advanced" } as const;

/**
 * Deploys an open model on the compute marketplace behind an OpenAI-compatible server. Its
 * `model` output is a chat model: an agent wired to it answers with the deployed endpoint.
 */
export const modelEndpointBlock = defineBlock({
  type: "model.endpoint",
  version: 1,
  title: "Model Endpoint",
  category: "Workloads",
  part: "workload",
  description: "Deploys an open model on rented GPUs and serves it as an OpenAI-compatible API.",
  icon: "server",
  inputs: [],
  outputs: [
    { id: "model", label: "Chat model", type: "chat-model", description: "Answers with the deployed model." },
    { id: "endpoint", label: "Endpoint", type: "endpoint", description: "For containers that call the model directly." },
  ],
  roles: { modelEndpoint: true },
  config: z.object({
    name: workloadNameField.meta(advanced),
    model: z
      .enum(MODEL_IDS)
      .default("Qwen/Qwen2.5-7B-Instruct")
      .meta({
        title: "Model",
        description: "An open model from Skyloom's catalog.",
        enumLabels: Object.fromEntries(MODEL_CATALOG.map((m) => [m.id, `${m.title} · ${m.paramsB}B`])),
      }),
    runtime: z
      .enum(RUNTIME_IDS)
      .default("vllm")
      .meta({
        title: "Runtime",
        description: "vLLM, Ollama or TGI.",
        enumLabels: Object.fromEntries(RUNTIME_IDS.map((id) => [id, RUNTIMES[id].title])),
        help: "The server program that runs the model and answers like OpenAI's API. vLLM is fastest on large GPUs; Ollama is simple; TGI is Hugging Face's server.",
      }),
    gpu: z
      .enum(["auto", ...GPU_IDS])
      .default("auto")
      .meta({
        title: "GPU",
        description: "auto: the cheapest GPUs that hold the model with headroom.",
        enumLabels: { auto: "Automatic (cheapest that fits)", ...gpuPickerLabels() },
      }),
    gpuCount: z
      .number()
      .int()
      .refine((n) => (GPU_COUNTS as readonly number[]).includes(n), "GPU count is 1, 2, 4 or 8 (tensor parallelism splits the model evenly)")
      .nullable()
      .default(null)
      .meta({ title: "GPU count", description: "Empty: as many as the model needs.", ...advanced }),
    // Community GPUs (Fizz nodes) run one replica.
    replicas: replicasField.meta({ ...advanced, showWhen: { field: "mode", equals: "provider" } }),
    mode: modeField,
    tier: tierField.meta(advanced),
    region: regionField.meta(advanced),
    maxPricePerHour: maxPriceField.meta(advanced),
    durationHours: durationField,
    cpu: optionalSize("CPU cores", 256),
    memoryGi: optionalSize("Memory (GiB)", 2_048),
    storageGi: optionalSize("Disk (GiB)", 10_000),
    // Kept in view: a gated model needs its HF_TOKEN here, and a secret typed here is called out.
    env: envField,
  }),
  deploy(config): DeployResult {
    const model = findModel(config.model);
    if (!model) return { spec: null, problems: [{ code: "E306", severity: "error", message: `"${config.model}" is not in the model catalog.` }] };
    const needs = model.runtimes[config.runtime];
    if (!needs) {
      const others = Object.keys(model.runtimes);
      return {
        spec: null,
        problems: [
          {
            code: "E306",
            severity: "error",
            message:
              others.length > 0
                ? `${RUNTIMES[config.runtime].title} cannot serve ${model.title}; use ${others.join(" or ")}.`
                : `None of vLLM, Ollama or TGI serves ${model.kind} models like ${model.title}; deploy it with a Container block and your own image.`,
          },
        ],
      };
    }
    const fizz = config.mode === "fizz";
    const choice = chooseGpus({ needVramGb: needs.vramGb, gpu: config.gpu, gpuCount: config.gpuCount, fizz });
    if (!choice.ok) {
      const code = choice.reason === "nothing-fits" ? "E303" : choice.reason === "not-in-fizz" ? "E305" : "E302";
      return { spec: null, problems: [{ code, severity: "error", message: choice.message }] };
    }
    const problems: DeployResult["problems"] = [];
    const hasHfToken = Boolean(config.env.HF_TOKEN || config.env.HUGGING_FACE_HUB_TOKEN);
    if (model.gated && config.runtime !== "ollama" && !hasHfToken) {
      problems.push({
        code: "E313",
        severity: "warning",
        message: `${model.title} is gated on Hugging Face: add an HF_TOKEN environment variable (a saved credential with a token from an account that accepted the model's licence), or the download fails.`,
      });
    }
    problems.push(...plainSecretProblems(config.env));
    if (choice.tight) {
      problems.push({
        code: "E302",
        severity: "warning",
        message: `${model.title} barely fits ${choice.count} × ${choice.models[0]?.title}: less than 10% memory headroom; it may run out under load.`,
      });
    }
    const runtime = RUNTIMES[config.runtime];
    const launch = runtimeLaunch(config.runtime, model, choice.count);
    // Multi-GPU servers exchange tensors through /dev/shm; fizz nodes offer none.
    const shmGi = choice.count > 1 && !fizz ? Math.min(64, 8 * choice.count) : 0;
    return {
      spec: {
        kind: "service",
        image: runtime.image,
        command: launch.command,
        args: launch.args,
        // The user's variables come after the runtime's, so they can override them.
        env: [...launch.env.filter((e) => !(e.name in config.env)), ...envList(config.env)],
        ports: [{ port: runtime.port, proto: "tcp", public: true, http: true }],
        resources: {
          cpu: config.cpu ?? Math.min(32, 4 * choice.count),
          memoryGi: config.memoryGi ?? Math.min(128, 16 * choice.count),
          storageGi: config.storageGi ?? model.diskGi,
          shmGi,
          persistent: null,
          gpu: { count: choice.count, models: choice.models.map((g) => g.id), priceMicroSponPerGpuHour: choice.priceMicroSponPerGpuHour },
        },
        replicas: config.replicas,
        mode: config.mode,
        tier: config.tier,
        regions: splitRegions(config.region),
        maxMicroSponPerHour: toMicroSpon(config.maxPricePerHour),
        durationHours: config.durationHours,
        readiness: { httpPath: runtime.healthPath, port: runtime.port },
        serves: {
          model: model.id,
          servedName: servedModelName(config.runtime, model),
          runtime: config.runtime,
          kind: model.kind,
          port: runtime.port,
          apiBase: runtime.apiBase,
        },
      },
      problems,
    };
  },
});
