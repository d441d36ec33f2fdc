import { GPU_CATALOG, findGpu, type GpuSpec } from "./gpus";

/** Fraction of VRAM kept free above what the runtime needs (fragmentation, activations). */
export const VRAM_HEADROOM = 1.1;
/** GPU counts a model can be split over: tensor parallelism divides attention heads evenly. */
export const GPU_COUNTS = [1, 2, 4, 8] as const;
/** With `gpu: auto`, GPUs within this factor of the cheapest are also allowed (up to four models), so more providers can bid; the bid is the dearest of them. */
const AUTO_PRICE_SPREAD = 2;
const AUTO_MAX_MODELS = 4;
/** Fewer GPUs are preferred while they cost at most 1.3 × the cheapest split (in tenths, to stay in integers). */
const FEWER_GPUS_PREMIUM_TENTHS = 13;

export type GpuRequest = {
  needVramGb: number;
  gpu: "auto" | string;
  /** null: as many as the model needs. */
  gpuCount: number | null;
  fizz: boolean;
};

export type GpuChoice =
  | { ok: true; count: number; models: GpuSpec[]; /** per GPU, the dearest allowed model */ priceMicroSponPerGpuHour: number; tight: boolean }
  | { ok: false; reason: "unknown-gpu" | "does-not-fit" | "nothing-fits" | "not-in-fizz"; message: string };

const fits = (g: GpuSpec, count: number, need: number) => g.vramGb * count >= need * VRAM_HEADROOM;

/**
 * Picks the GPUs for a model. `auto` looks at every GPU and count (1, 2, 4, 8) that holds the
 * model with headroom, keeps the fewest GPUs whose total price stays within 1.3 × the cheapest
 * option (so the count rises only when one GPU cannot hold the model or costs far more), takes
 * the cheapest GPU at that count and also allows the GPUs priced up to 2 × it.
 * A named GPU with no count gets the smallest count that holds the model.
 */
export function chooseGpus(req: GpuRequest): GpuChoice {
  const need = req.needVramGb;
  if (req.gpu === "auto") {
    const pool = GPU_CATALOG.filter((g) => !req.fizz || g.fizz);
    const counts = req.gpuCount === null ? GPU_COUNTS : [req.gpuCount];
    const options: { count: number; price: number; total: number }[] = [];
    for (const count of counts) {
      for (const g of pool) {
        if (fits(g, count, need)) options.push({ count, price: g.priceMicroSponPerHour, total: g.priceMicroSponPerHour * count });
      }
    }
    if (options.length === 0) {
      const where = req.gpuCount === null ? "even on 8 GPUs" : `on ${req.gpuCount} GPU${req.gpuCount === 1 ? "" : "s"}`;
      return {
        ok: false,
        reason: "nothing-fits",
        message: `No ${req.fizz ? "community (Fizz node) " : ""}GPU in the catalog holds ${need} GB (+${Math.round((VRAM_HEADROOM - 1) * 100)}% headroom) ${where}.`,
      };
    }
    // Fewer GPUs win unless they cost clearly more: splitting a model has its own overheads.
    const cheapest = Math.min(...options.map((o) => o.total));
    const affordable = options.filter((o) => o.total * 10 <= cheapest * FEWER_GPUS_PREMIUM_TENTHS);
    const count = Math.min(...affordable.map((o) => o.count));
    const chosen = { count, price: Math.min(...affordable.filter((o) => o.count === count).map((o) => o.price)) };
    const models = pool
      .filter((g) => fits(g, chosen.count, need) && g.priceMicroSponPerHour <= chosen.price * AUTO_PRICE_SPREAD)
      .sort((a, b) => a.priceMicroSponPerHour - b.priceMicroSponPerHour || (a.id < b.id ? -1 : 1))
      .slice(0, AUTO_MAX_MODELS);
    return {
      ok: true,
      count: chosen.count,
      models,
      priceMicroSponPerGpuHour: Math.max(...models.map((g) => g.priceMicroSponPerHour)),
      tight: false,
    };
  }

  const g = findGpu(req.gpu);
  if (!g) return { ok: false, reason: "unknown-gpu", message: `"${req.gpu}" is not a GPU in the catalog.` };
  if (req.fizz && !g.fizz) {
    return { ok: false, reason: "not-in-fizz", message: `Community GPUs (Fizz nodes) do not offer ${g.title}; choose another GPU or the data-centre mode.` };
  }
  if (req.gpuCount === null) {
    const count = GPU_COUNTS.find((c) => fits(g, c, need));
    if (count === undefined) {
      return {
        ok: false,
        reason: "does-not-fit",
        message: `The model needs ${need} GB of GPU memory; even 8 × ${g.title} (${g.vramGb * 8} GB) leave no headroom.`,
      };
    }
    return { ok: true, count, models: [g], priceMicroSponPerGpuHour: g.priceMicroSponPerHour, tight: false };
  }
  const total = g.vramGb * req.gpuCount;
  if (total < need) {
    return {
      ok: false,
      reason: "does-not-fit",
      message: `The model needs ${need} GB of GPU memory; ${req.gpuCount} × ${g.title} have ${total} GB. Raise the GPU count or pick a larger GPU.`,
    };
  }
  return {
    ok: true,
    count: req.gpuCount,
    models: [g],
    priceMicroSponPerGpuHour: g.priceMicroSponPerHour,
    tight: !fits(g, req.gpuCount, need),
  };
}
