import { formatWeiPerSecond } from "./price";

/**
 * A deployment's progress as a person follows it, built from the marketplace's event log
 * (server/marketplace LeaseEventType): order placed → bids arriving → lease won by a node →
 * manifest accepted → starting → ready, each with the time it happened. A failover places a
 * new order for the same deployment; the timeline then shows that attempt and keeps one line
 * per earlier attempt saying how it ended.
 */
export type MarketEvent = {
  seq: number;
  type: string;
  /** Epoch milliseconds, or an ISO string (tRPC sends dates as strings). */
  at: number | string;
  data: Record<string, unknown>;
};

export const STEP_KEYS = ["order", "bids", "lease", "manifest", "starting", "ready"] as const;
export type StepKey = (typeof STEP_KEYS)[number];
export type StepState = "done" | "active" | "pending" | "failed";

export type TimelineStep = { key: StepKey; label: string; state: StepState; at: number | null; detail: string | null };

export type TimelineOutcome =
  | { kind: "in-progress" }
  | { kind: "ready" }
  | { kind: "failed"; message: string }
  | { kind: "stopped"; message: string }
  | { kind: "sleeping"; message: string };

export type Timeline = { attempt: number; steps: TimelineStep[]; outcome: TimelineOutcome; earlierAttempts: string[] };

const LABELS: Record<StepKey, string> = {
  order: "Order placed",
  bids: "Bids arriving",
  lease: "Lease won",
  manifest: "Manifest accepted",
  starting: "Starting",
  ready: "Ready",
};

/** Why a lease ended, in words (LeaseCloseReason). */
export const CLOSE_REASONS: Record<string, string> = {
  "tenant-closed": "stopped by you",
  "node-down": "the node stopped answering",
  "manifest-timeout": "the node did not accept the manifest in time",
  "manifest-rejected": "the node rejected the manifest",
  "workload-failed": "the workload failed on the node",
  expired: "its paid duration ended",
  idle: "asleep after idle minutes",
  "node-closed": "the node closed it",
};

export function eventTime(at: number | string): number {
  return typeof at === "number" ? at : Date.parse(at);
}

const text = (value: unknown): string | null => (typeof value === "string" && value !== "" ? value : null);

type Attempt = {
  number: number;
  steps: Map<StepKey, { at: number; detail: string | null; failed?: boolean }>;
  bids: number;
  declines: number;
  end: string | null;
  /** Each service's last reported state on this attempt's lease. */
  services: Map<string, string>;
};

function newAttempt(number: number, at: number, excluded: number): Attempt {
  const steps: Attempt["steps"] = new Map();
  steps.set("order", { at, detail: number > 1 ? `attempt ${number}${excluded > 0 ? `, without ${excluded} earlier node${excluded === 1 ? "" : "s"}` : ""}` : null });
  return { number, steps, bids: 0, declines: 0, end: null, services: new Map() };
}

function bidsDetail(a: Attempt): string {
  const bids = `${a.bids} bid${a.bids === 1 ? "" : "s"}`;
  return a.declines > 0 ? `${bids}, ${a.declines} declined` : bids;
}

/** Folds the event log (any order; sorted by seq here) into the current attempt's timeline. */
export function timelineFromEvents(events: readonly MarketEvent[]): Timeline {
  const sorted = [...events].sort((x, y) => x.seq - y.seq);
  const nodeNames = new Map<string, string>();
  const attempts: Attempt[] = [];
  let outcome: TimelineOutcome = { kind: "in-progress" };
  /** The attempt whose outcome is "ready" only because every service so far is not-run. */
  let readyByNotRun: Attempt | null = null;
  const current = () => attempts[attempts.length - 1];

  for (const e of sorted) {
    const at = eventTime(e.at);
    const d = e.data;
    const nodeId = text(d.nodeId);
    if (nodeId && text(d.nodeName)) nodeNames.set(nodeId, text(d.nodeName) as string);
    const nodeName = nodeId ? (nodeNames.get(nodeId) ?? nodeId) : "a node";
    if (e.type === "OrderCreated") {
      const excluded = Array.isArray(d.excludedNodes) ? d.excludedNodes.length : 0;
      attempts.push(newAttempt(typeof d.attempt === "number" ? d.attempt : attempts.length + 1, at, excluded));
      outcome = { kind: "in-progress" };
      continue;
    }
    if (e.type === "DeploymentWaking") {
      outcome = { kind: "in-progress" };
      continue;
    }
    const a = current();
    if (!a) continue;
    // A later service event of the same report (a model starting) undoes a ready that only
    // not-run containers had made: the step "ready" is drawn below, once it really is.
    if (readyByNotRun === a && e.type === "ServiceStarting") {
      readyByNotRun = null;
      a.steps.delete("ready");
      outcome = { kind: "in-progress" };
    }
    const service = text(d.service);
    if (service && e.type.startsWith("Service")) a.services.set(service, text(d.state) ?? e.type);
    switch (e.type) {
      case "BidPlaced":
      case "BidDeclined":
        if (e.type === "BidPlaced") a.bids += 1;
        else a.declines += 1;
        a.steps.set("bids", { at: a.steps.get("bids")?.at ?? at, detail: bidsDetail(a) });
        break;
      case "LeaseCreated": {
        const price = text(d.priceWeiPerSecond);
        const gpu = text(d.gpuModel);
        a.steps.set("lease", { at, detail: `by ${nodeName}${gpu ? ` (${gpu})` : ""}${price ? ` at ${formatWeiPerSecond(price)}` : ""}` });
        break;
      }
      case "ManifestReceived":
        a.steps.set("manifest", { at, detail: `by ${nodeName}` });
        break;
      case "ManifestRejected":
        a.steps.set("manifest", { at, detail: text(d.reason) ?? "rejected", failed: true });
        break;
      case "ServiceStarting":
        if (!a.steps.has("starting")) a.steps.set("starting", { at, detail: text(d.service) });
        break;
      case "ServiceReady":
        a.steps.set("ready", { at, detail: text(d.service) });
        outcome = { kind: "ready" };
        break;
      case "ServiceNotRun":
        // A container the node cannot run: leased, billed and monitored, but not started. When
        // every service is settled that way, the deployment is ready as leased.
        if (!a.steps.has("starting")) a.steps.set("starting", { at, detail: text(d.message) ?? `${service ?? "a service"} is not run on this node` });
        if ([...a.services.values()].every((s) => s === "not-run")) {
          a.steps.set("ready", { at, detail: "leased (image not run)" });
          outcome = { kind: "ready" };
          readyByNotRun = a;
        }
        break;
      case "ServiceUnhealthy":
        if (!a.steps.has("ready")) a.steps.set("starting", { at, detail: text(d.message) ?? "unhealthy", failed: true });
        break;
      case "ServiceFailed":
        a.steps.set(a.steps.has("starting") ? "ready" : "starting", { at, detail: text(d.message) ?? "failed", failed: true });
        break;
      case "OrderClosed":
        if (text(d.reason) === "no-bids") {
          a.steps.set("bids", { at, detail: bidsDetail(a), failed: true });
          outcome = { kind: "failed", message: text(d.message) ?? "No node bid on the order." };
        }
        break;
      case "LeaseClosed": {
        const reason = text(d.reason) ?? "";
        a.end = `Attempt ${a.number} on ${nodeName} ended: ${CLOSE_REASONS[reason] ?? reason}.`;
        if (reason === "tenant-closed") outcome = { kind: "stopped", message: "Stopped." };
        else if (reason === "expired") outcome = { kind: "stopped", message: "Stopped: its paid duration ended." };
        else if (reason === "idle") outcome = { kind: "sleeping", message: "Asleep after its idle minutes; the next request wakes it." };
        break;
      }
      case "DeploymentSleeping":
        outcome = { kind: "sleeping", message: "Asleep after its idle minutes; the next request wakes it." };
        break;
      case "DeploymentClosed":
        outcome = { kind: "stopped", message: typeof d.message === "string" ? d.message : text(d.reason) === "expired" ? "Stopped: its paid duration ended." : "Stopped." };
        break;
      default:
        break;
    }
  }

  const last = current();
  const earlierAttempts = attempts.slice(0, -1).map((a) => a.end ?? `Attempt ${a.number} ended.`);
  return { attempt: last?.number ?? 0, steps: stepsOf(last, outcome), outcome, earlierAttempts };
}

function stepsOf(attempt: Attempt | undefined, outcome: TimelineOutcome): TimelineStep[] {
  // A step the log skipped (a node that reports ready at once) is done if a later one is.
  const lastReached = Math.max(-1, ...STEP_KEYS.map((key, i) => (attempt?.steps.has(key) ? i : -1)));
  let seenOpen = false;
  return STEP_KEYS.map((key, i) => {
    const step = attempt?.steps.get(key);
    if (step) return { key, label: LABELS[key], state: step.failed ? "failed" : "done", at: step.at, detail: step.detail };
    if (i < lastReached) return { key, label: LABELS[key], state: "done", at: null, detail: null };
    // The first step not reached yet is where things stand, unless it all ended.
    const state: StepState = !seenOpen && outcome.kind === "in-progress" && attempt ? "active" : "pending";
    seenOpen = true;
    return { key, label: LABELS[key], state, at: null, detail: null };
  });
}

/** "+1.2 s" after the order was placed; a person reads how long each step took. */
export function offsetFromStart(step: TimelineStep, steps: readonly TimelineStep[]): string | null {
  const start = steps[0]?.at;
  if (step.at === null || start === null || start === undefined) return null;
  const ms = Math.max(0, step.at - start);
  return ms < 1000 ? `+${ms} ms` : `+${(ms / 1000).toFixed(1)} s`;
}
