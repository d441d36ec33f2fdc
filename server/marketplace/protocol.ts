import { z } from "zod";
import { NODE_TIERS } from "./marketplace";
import { payoutAddressProblem } from "./payout-address";

/**
 * The wire protocol between the matchmaker and node processes (ADR 024): JSON over HTTP, the
 * node always calling the matchmaker (so a node behind NAT can join). Every body is checked
 * with these schemas on arrival, on both sides: neither trusts the other.
 *
 *   POST {base}/join                       JoinRequest → JoinResponse (join token or node secret)
 *   GET  {base}/work?after=V               long poll → WorkSnapshot (open orders, my leases)
 *   POST {base}/heartbeat                  Heartbeat → 204, no body (was 200 { ok }; nodes read neither)
 *   POST {base}/orders/:orderId/answer     OrderAnswer (bid or decline) → { ok }
 *   POST {base}/leases/:leaseId/manifest   ManifestReport (accepted with hash, or rejected)
 *   POST {base}/leases/:leaseId/report     LeaseReport (service states, metrics, logs) → { ok }
 *
 * Calls after /join carry `Authorization: Bearer <nodeId>.<secret>`. Amounts are decimal
 * strings of wei (bigint on both ends).
 */
export const MARKET_BASE_PATH = "/market/v1";

const weiString = z.string().regex(/^\d{1,40}$/, "an amount in wei, as a decimal string");
const name = z.string().trim().min(1).max(120);

export const GpuInventorySchema = z.object({ model: z.string().min(1).max(40), count: z.number().int().min(1).max(64) });
export const InventorySchema = z.object({
  gpus: z.array(GpuInventorySchema).max(32),
  cpu: z.number().positive().max(4096),
  memoryGi: z.number().positive().max(65536),
  storageGi: z.number().positive().max(1_000_000),
});
export const CapabilitiesSchema = z.object({
  modelServing: z.object({ backend: z.enum(["dev-model", "upstream"]), label: z.string().max(200) }).nullable(),
  containers: z.boolean(),
  /** The node's price table (wei per second per unit), so quotes can show live prices. */
  prices: z
    .object({ cpuCore: weiString, memoryGi: weiString, storageGi: weiString, gpu: z.record(z.string().max(40), weiString) })
    .refine((p) => Object.keys(p.gpu).length <= 64, "at most 64 GPU prices")
    .optional(),
});

export const JoinRequestSchema = z.object({
  token: z.string().max(200).optional(),
  /** A node rejoining after a restart keeps its id by proving its secret. */
  nodeId: z.string().max(80).optional(),
  secret: z.string().max(200).optional(),
  kind: z.enum(["provider", "fizz"]),
  name,
  region: z.string().regex(/^[a-z0-9-]{2,40}$/, "a region slug such as us-east"),
  tier: z.enum(NODE_TIERS),
  inventory: InventorySchema,
  capabilities: CapabilitiesSchema,
  /** Where the node's earnings are paid; absent: an address derived from its id (ADR 031). */
  payoutAddress: z
    .string()
    .max(42)
    .superRefine((a, ctx) => {
      const problem = payoutAddressProblem(a);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    })
    .optional(),
});
export type JoinRequest = z.infer<typeof JoinRequestSchema>;

export const JoinResponseSchema = z.object({
  nodeId: z.string(),
  secret: z.string(),
  heartbeatIntervalMs: z.number().int().positive(),
  pollTimeoutMs: z.number().int().positive(),
});
export type JoinResponse = z.infer<typeof JoinResponseSchema>;

const RequirementsSchema = z.object({
  mode: z.enum(["provider", "fizz"]),
  tier: z.string(),
  regions: z.array(z.string()),
  cpu: z.number(),
  memoryGi: z.number(),
  storageGi: z.number(),
  shmGi: z.number(),
  persistentStorage: z.boolean(),
  ingressPorts: z.boolean(),
  replicas: z.number().int(),
  gpu: z.object({ count: z.number().int(), models: z.array(z.string()) }).nullable(),
  needsContainers: z.boolean(),
  needsModelServing: z.boolean(),
});

export const WorkOrderSchema = z.object({
  orderId: z.string(),
  deploymentId: z.string(),
  requirements: RequirementsSchema,
  maxPriceWeiPerSecond: weiString,
  manifestHash: z.string(),
  bidDeadline: z.number(),
  /** This node already bid or declined. */
  answered: z.boolean(),
});
export type WorkOrder = z.infer<typeof WorkOrderSchema>;

export const WorkLeaseSchema = z.object({
  leaseId: z.string(),
  orderId: z.string(),
  deploymentId: z.string(),
  state: z.enum(["awaiting-manifest", "active"]),
  gpuModel: z.string().nullable(),
  gpuCount: z.number().int(),
  /** What the lease holds on the node (a restarted node counts it as used again). */
  requirements: RequirementsSchema,
  manifestHash: z.string(),
  /** The manifest text; the node checks its sha256 against manifestHash before running it. */
  manifest: z.string(),
  accessToken: z.string(),
});
export type WorkLease = z.infer<typeof WorkLeaseSchema>;

export const WorkSnapshotSchema = z.object({
  version: z.number(),
  orders: z.array(WorkOrderSchema),
  leases: z.array(WorkLeaseSchema),
});
export type WorkSnapshot = z.infer<typeof WorkSnapshotSchema>;

export const OrderAnswerSchema = z.union([
  z.object({ bid: z.object({ priceWeiPerSecond: weiString, gpuModel: z.string().max(40).nullable() }) }),
  z.object({ decline: z.string().trim().min(1).max(500) }),
]);
export type OrderAnswer = z.infer<typeof OrderAnswerSchema>;

export const ManifestReportSchema = z.union([
  z.object({ accepted: z.literal(true), hash: z.string().regex(/^[0-9a-f]{64}$/) }),
  z.object({ accepted: z.literal(false), reason: z.string().max(500) }),
]);
export type ManifestReport = z.infer<typeof ManifestReportSchema>;

export const ServiceStatusSchema = z.object({
  name: z.string().max(80),
  state: z.enum(["starting", "ready", "unhealthy", "not-run", "failed"]),
  uri: z.string().max(300).nullable(),
  message: z.string().max(500).nullable(),
  notRun: z.object({ reason: z.literal("no-container-engine"), image: z.string().max(300) }).nullish(),
});

export const MetricsSchema = z.object({
  requests: z.number().int().min(0),
  errors: z.number().int().min(0),
  promptTokens: z.number().int().min(0),
  completionTokens: z.number().int().min(0),
  latencyP50Ms: z.number().min(0),
  latencyP99Ms: z.number().min(0),
});

export const LeaseReportSchema = z.object({
  services: z.array(ServiceStatusSchema).max(32),
  metrics: MetricsSchema.nullable(),
  logs: z.array(z.object({ at: z.number(), line: z.string().max(2000) })).max(500),
});
export type LeaseReport = z.infer<typeof LeaseReportSchema>;

export const HeartbeatSchema = z.object({
  /** Reports for leases whose state changed since the last one (may be empty). */
  leases: z.record(z.string(), LeaseReportSchema),
});
export type Heartbeat = z.infer<typeof HeartbeatSchema>;
