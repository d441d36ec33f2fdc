/**
 * The GPUs Skyloom can ask the marketplace for: Spheron's short names (specs/spheron-and-akash.md
 * §1), memory per GPU, and a default price per GPU-hour in SPON used by `gpu: auto` and the
 * quote when the marketplace has no live offer.
 *
 * Where the prices come from (`priceSource`):
 * - "sdk-gpu-config": the list price in Spheron's SDK 2.6 gpu-config (USD ≈ uSPON), taken 1:1
 *   as SPON, the unit Skyloom's ledger and local marketplace count in.
 * - "spheron-blog-2026": the lowest on-demand price Spheron published for that GPU (Mar 2026).
 * - "estimate": Skyloom's own estimate between those figures (the spec's suggested bids);
 *   no public table exists for these in the protocol era.
 * `fizz: false` marks GPUs the SDK does not price for fizz nodes (price 0 there).
 */
export type GpuSpec = {
  /** Spheron's short name, as written in ICL `vendor.nvidia[].model`. */
  id: string;
  title: string;
  vramGb: number;
  /** Default price in micro-SPON (1e-6 SPON) per GPU-hour: integers keep the maths exact. */
  priceMicroSponPerHour: number;
  priceSource: "sdk-gpu-config" | "spheron-blog-2026" | "estimate";
  /** Offered by fizz (community) nodes. */
  fizz: boolean;
  /** How Akash SDL names it: model, and the memory size where Akash tells variants apart. */
  akash: { model: string; ram?: string; interface?: "pcie" | "sxm" };
  /** The node label value NVIDIA's GPU feature discovery sets (`nvidia.com/gpu.product`). */
  k8sProduct: string;
};

const gpu = (
  id: string,
  title: string,
  vramGb: number,
  priceSpon: number,
  priceSource: GpuSpec["priceSource"],
  fizz: boolean,
  akash: GpuSpec["akash"],
  k8sProduct: string,
): GpuSpec => ({ id, title, vramGb, priceMicroSponPerHour: Math.round(priceSpon * 1e6), priceSource, fizz, akash, k8sProduct });

/** Sorted by memory, then price: the order `gpu: auto` considers them in. */
export const GPU_CATALOG: readonly GpuSpec[] = [
  gpu("t4", "NVIDIA T4 16 GB", 16, 0.035, "sdk-gpu-config", true, { model: "t4" }, "Tesla-T4"),
  gpu("v100", "NVIDIA V100 16 GB", 16, 0.088, "sdk-gpu-config", true, { model: "v100", ram: "16Gi" }, "Tesla-V100-SXM2-16GB"),
  gpu("rtx5080", "NVIDIA GeForce RTX 5080 16 GB", 16, 0.185, "sdk-gpu-config", true, { model: "rtx5080" }, "NVIDIA-GeForce-RTX-5080"),
  gpu("rtx4000-ada", "NVIDIA RTX 4000 Ada 20 GB", 20, 0.14, "sdk-gpu-config", true, { model: "rtx4000ada" }, "NVIDIA-RTX-4000-Ada-Generation"),
  gpu("a10", "NVIDIA A10 24 GB", 24, 0.091, "sdk-gpu-config", true, { model: "a10" }, "NVIDIA-A10"),
  gpu("l4", "NVIDIA L4 24 GB", 24, 0.098, "sdk-gpu-config", true, { model: "l4" }, "NVIDIA-L4"),
  gpu("a10g", "NVIDIA A10G 24 GB", 24, 0.123, "sdk-gpu-config", true, { model: "a10g" }, "NVIDIA-A10G"),
  gpu("rtx3090", "NVIDIA GeForce RTX 3090 24 GB", 24, 0.126, "sdk-gpu-config", true, { model: "rtx3090" }, "NVIDIA-GeForce-RTX-3090"),
  gpu("a30", "NVIDIA A30 24 GB", 24, 0.15, "sdk-gpu-config", true, { model: "a30" }, "NVIDIA-A30"),
  gpu("rtx4090", "NVIDIA GeForce RTX 4090 24 GB", 24, 0.175, "sdk-gpu-config", true, { model: "rtx4090" }, "NVIDIA-GeForce-RTX-4090"),
  gpu("rtx5090", "NVIDIA GeForce RTX 5090 32 GB", 32, 0.25, "sdk-gpu-config", true, { model: "rtx5090" }, "NVIDIA-GeForce-RTX-5090"),
  gpu("a100-pcie-40g", "NVIDIA A100 PCIe 40 GB", 40, 0.9, "estimate", false, { model: "a100", ram: "40Gi", interface: "pcie" }, "NVIDIA-A100-PCIE-40GB"),
  gpu("a100-sxm-40g", "NVIDIA A100 SXM 40 GB", 40, 0.95, "estimate", false, { model: "a100", ram: "40Gi", interface: "sxm" }, "NVIDIA-A100-SXM4-40GB"),
  gpu("a40", "NVIDIA A40 48 GB", 48, 0.112, "sdk-gpu-config", true, { model: "a40" }, "NVIDIA-A40"),
  gpu("rtxa6000", "NVIDIA RTX A6000 48 GB", 48, 0.45, "estimate", false, { model: "a6000" }, "NVIDIA-RTX-A6000"),
  gpu("rtx6000-ada", "NVIDIA RTX 6000 Ada 48 GB", 48, 0.6, "estimate", true, { model: "rtx6000ada" }, "NVIDIA-RTX-6000-Ada-Generation"),
  gpu("l40", "NVIDIA L40 48 GB", 48, 0.7, "estimate", false, { model: "l40" }, "NVIDIA-L40"),
  gpu("l40s", "NVIDIA L40S 48 GB", 48, 0.8, "estimate", false, { model: "l40s" }, "NVIDIA-L40S"),
  gpu("a100-80g", "NVIDIA A100 80 GB", 80, 1.2, "estimate", false, { model: "a100", ram: "80Gi" }, "NVIDIA-A100-SXM4-80GB"),
  gpu("h100", "NVIDIA H100 80 GB", 80, 2.11, "spheron-blog-2026", false, { model: "h100", ram: "80Gi" }, "NVIDIA-H100-80GB-HBM3"),
  gpu("gh200", "NVIDIA GH200 96 GB", 96, 2.5, "estimate", true, { model: "gh200" }, "NVIDIA-GH200-480GB"),
  gpu("h200", "NVIDIA H200 141 GB", 141, 1.56, "spheron-blog-2026", true, { model: "h200" }, "NVIDIA-H200"),
  gpu("b200", "NVIDIA B200 180 GB", 180, 6.03, "spheron-blog-2026", true, { model: "b200" }, "NVIDIA-B200"),
];

export const GPU_IDS = GPU_CATALOG.map((g) => g.id) as [string, ...string[]];

const byId = new Map(GPU_CATALOG.map((g) => [g.id, g]));

export function findGpu(id: string): GpuSpec | undefined {
  return byId.get(id);
}

/** "NVIDIA L4 24 GB · 0.098 SPON/h" per GPU id, for the config form's GPU picker. */
export function gpuPickerLabels(): Record<string, string> {
  return Object.fromEntries(GPU_CATALOG.map((g) => [g.id, `${g.title} · ${g.priceMicroSponPerHour / 1e6} SPON/h`]));
}
