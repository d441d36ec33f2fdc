import type { Plan } from "../plan";

export const TARGET_IDS = ["spheron-icl", "akash-sdl", "kubernetes"] as const;
export type TargetId = (typeof TARGET_IDS)[number];

export type ManifestFile = { fileName: string; content: string };

/** Options a target may read; each target ignores the others' options. */
export type TargetOptions = {
  /** Akash: price denomination. USDC is pegged like Skyloom's SPON reference prices. */
  akashDenom?: "usdc" | "uakt";
  /** Akash with uakt: how many uakt one SPON is worth (required for uakt). */
  uaktPerSpon?: number;
  /** A line saying which flow (and version) the manifest came from. */
  source?: string;
};

export type Target = {
  id: TargetId;
  title: string;
  emit(plan: Plan, options: TargetOptions): ManifestFile[];
};
