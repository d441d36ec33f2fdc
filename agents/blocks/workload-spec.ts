import type { RuntimeId } from "../catalog/models";

/**
 * What a workload block contributes to compilation: a target-neutral description of one
 * deployable service or job. A block's `deploy(config)` returns it; `plan` adds the name and
 * the wiring; every target turns the same spec into its own manifest.
 */
export type WorkloadPort = {
  port: number;
  proto: "tcp" | "udp";
  /** Reachable from the internet; otherwise only by the workloads wired to it. */
  public: boolean;
  /** Speaks HTTP: a public HTTP port gets a hostname (ICL `as: 80`) in provider mode. */
  http: boolean;
};

/**
 * One environment variable. `credentialId` marks a saved credential: until dispatch resolves it,
 * `value` is a placeholder (`skyloom-secret://<id>`), so shown and downloaded manifests never
 * carry the secret.
 */
export type WorkloadEnvVar = { name: string; value: string; credentialId?: string };

export type WorkloadSpec = {
  kind: "service" | "job";
  /** Pinned image reference (never `:latest`). */
  image: string;
  command: string[];
  args: string[];
  env: WorkloadEnvVar[];
  ports: WorkloadPort[];
  resources: {
    cpu: number;
    memoryGi: number;
    /** Ephemeral disk. */
    storageGi: number;
    /** Shared memory at /dev/shm (multi-GPU model servers), provider mode only. */
    shmGi: number;
    /** One persistent volume (provider mode only; data lives as long as the lease). */
    persistent: { sizeGi: number; mount: string } | null;
    /** null: a CPU-only workload. `models` are catalog GPU ids any of which may serve it. */
    gpu: { count: number; models: string[]; priceMicroSponPerGpuHour: number } | null;
  };
  replicas: number;
  mode: "provider" | "fizz";
  tier: DeploymentTier;
  /** Region slugs the workload may run in; empty means anywhere. */
  regions: string[];
  /** The user's price cap per hour for the whole workload, in micro-SPON; null uses the estimate. */
  maxMicroSponPerHour: number | null;
  durationHours: number;
  readiness: { httpPath: string; port: number } | null;
  /** Set for model-serving workloads: what an agent wired to it will call. */
  serves: { model: string; servedName: string; runtime: RuntimeId; kind: string; port: number; apiBase: string } | null;
};

export const DEPLOYMENT_TIERS = [
  "community",
  "secured",
  "community-default",
  "secured1",
  "secured2",
  "secured3",
  "community1",
  "community2",
  "community3",
  "community4",
] as const;
export type DeploymentTier = (typeof DEPLOYMENT_TIERS)[number];

/** A problem a block finds in its own config while building its spec. */
export type WorkloadProblem = {
  code: "E302" | "E303" | "E305" | "E306" | "E313" | "E314" | "E315";
  severity: "error" | "warning";
  message: string;
};

export type DeployResult = { spec: WorkloadSpec | null; problems: WorkloadProblem[] };

/** Region slugs Skyloom knows Spheron providers use; others are allowed with a warning. */
export const KNOWN_REGIONS = ["us-east", "us-west", "us-central", "canada", "uk", "germany", "india", "singapore", "japan"] as const;

/** DNS label: what every target accepts as a service / Deployment name. */
export const SERVICE_NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
