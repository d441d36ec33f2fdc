import { z } from "zod";
import { findGpu, GPU_IDS, gpuPickerLabels } from "../catalog/gpus";
import {
  durationField,
  envField,
  envList,
  plainSecretProblems,
  type EnvValue,
  maxPriceField,
  modeField,
  regionField,
  splitRegions,
  stringListField,
  tierField,
  toMicroSpon,
  workloadNameField,
} from "./workload-config";
import type { DeployResult, WorkloadSpec } from "./workload-spec";

/** The config both custom-image blocks (workload.container, workload.job) share. */
export const containerBaseFields = {
  name: workloadNameField,
  command: stringListField("Command"),
  args: stringListField("Arguments"),
  env: envField,
  cpu: z.number().min(0.1, "At least 0.1 CPU").max(256).default(1).meta({ title: "CPU cores" }),
  memoryGi: z.number().min(0.125, "At least 0.125 GiB").max(2_048).default(2).meta({ title: "Memory (GiB)" }),
  storageGi: z.number().min(0.125, "At least 0.125 GiB").max(10_000).default(10).meta({ title: "Disk (GiB)" }),
  gpu: z
    .enum(["none", ...GPU_IDS])
    .default("none")
    .meta({
      title: "GPU",
      description: "none for a CPU-only workload.",
      enumLabels: { none: "None (CPU only)", ...gpuPickerLabels() },
    }),
  // 0 is what a CPU-only service has; a GPU with count 0 is refused in containerDeploy (E314).
  gpuCount: z
    .number()
    .int()
    .min(0, "GPU count cannot be negative")
    .max(8, "At most 8 GPUs per replica")
    .default(1)
    .meta({ title: "GPU count", description: "GPUs per replica.", showWhen: { field: "gpu", notEquals: "none" } }),
  mode: modeField,
  tier: tierField,
  region: regionField,
  maxPricePerHour: maxPriceField,
  durationHours: durationField,
};

type ContainerBase = {
  image: string;
  command: string[];
  args: string[];
  env: Record<string, EnvValue>;
  cpu: number;
  memoryGi: number;
  storageGi: number;
  gpu: string;
  gpuCount: number;
  mode: "provider" | "fizz";
  tier: WorkloadSpec["tier"];
  region: string;
  maxPricePerHour: number | null;
  durationHours: number;
};

/** Builds the spec of a custom-image workload; ports and volumes come from the service block. */
export function containerDeploy(
  config: ContainerBase,
  extra: Pick<WorkloadSpec, "kind" | "ports" | "replicas" | "readiness"> & { persistent: WorkloadSpec["resources"]["persistent"] },
): DeployResult {
  let gpu: WorkloadSpec["resources"]["gpu"] = null;
  if (config.gpu !== "none") {
    if (config.gpuCount < 1) {
      return {
        spec: null,
        problems: [{ code: "E314", severity: "error", message: `A GPU workload needs at least 1 GPU; set GPU to "None (CPU only)" for a CPU service.` }],
      };
    }
    const spec = findGpu(config.gpu);
    if (!spec) return { spec: null, problems: [{ code: "E302", severity: "error", message: `"${config.gpu}" is not a GPU in the catalog.` }] };
    if (config.mode === "fizz" && !spec.fizz) {
      return {
        spec: null,
        problems: [{ code: "E305", severity: "error", message: `Community GPUs (Fizz nodes) do not offer ${spec.title}; choose another GPU or the data-centre mode.` }],
      };
    }
    gpu = { count: config.gpuCount, models: [spec.id], priceMicroSponPerGpuHour: spec.priceMicroSponPerHour };
  }
  return {
    spec: {
      kind: extra.kind,
      image: config.image,
      command: config.command,
      args: config.args,
      env: envList(config.env),
      ports: extra.ports,
      resources: {
        cpu: config.cpu,
        memoryGi: config.memoryGi,
        storageGi: config.storageGi,
        shmGi: 0,
        persistent: extra.persistent,
        gpu,
      },
      replicas: extra.replicas,
      mode: config.mode,
      tier: config.tier,
      regions: splitRegions(config.region),
      maxMicroSponPerHour: toMicroSpon(config.maxPricePerHour),
      durationHours: config.durationHours,
      readiness: extra.readiness,
      serves: null,
    },
    problems: plainSecretProblems(config.env),
  };
}
