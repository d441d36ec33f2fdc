import { describe, expect, it } from "vitest";
import { offsetFromStart, timelineFromEvents, type MarketEvent } from "#app/lib/marketplace/timeline";

let seq = 0;
const ev = (type: string, at: number, data: Record<string, unknown> = {}): MarketEvent => ({ seq: ++seq, type, at, data });
const T = 1_700_000_000_000;
const SPON_PER_HOUR = "277777777777778"; // 1 SPON/h in wei per second

function happyPath(): MarketEvent[] {
  return [
    ev("OrderCreated", T, { orderId: "o1", attempt: 1, excludedNodes: [] }),
    ev("BidPlaced", T + 40, { nodeId: "n1", nodeName: "provider-us-east", priceWeiPerSecond: SPON_PER_HOUR, gpuModel: "a10" }),
    ev("BidDeclined", T + 50, { nodeId: "n2", nodeName: "fizz-india-3090", reason: "no a10" }),
    ev("BidPlaced", T + 60, { nodeId: "n3", nodeName: "provider-germany", priceWeiPerSecond: "300000000000000", gpuModel: "l4" }),
    ev("OrderMatched", T + 200, { orderId: "o1", nodeId: "n1" }),
    ev("LeaseCreated", T + 200, { leaseId: "l1", nodeId: "n1", priceWeiPerSecond: SPON_PER_HOUR, gpuModel: "a10", gpuCount: 1 }),
    ev("ManifestReceived", T + 250, { leaseId: "l1", nodeId: "n1" }),
    ev("ServiceStarting", T + 260, { leaseId: "l1", nodeId: "n1", service: "llm" }),
    ev("ServiceReady", T + 1_460, { leaseId: "l1", nodeId: "n1", service: "llm", uri: "http://127.0.0.1:1/v1" }),
  ];
}

describe("the deployment timeline", () => {
  it("containers alone reported not-run make the deployment ready as leased (image not run)", () => {
    const leased = happyPath().slice(0, 7);
    const notRun = (service: string, at: number) => ev("ServiceNotRun", at, { leaseId: "l1", nodeId: "n1", service, state: "not-run", message: `${service} is not run` });
    const t = timelineFromEvents([...leased, notRun("api", T + 300), notRun("cache", T + 300)]);
    expect(t.outcome).toEqual({ kind: "ready" });
    expect(t.steps.slice(4).map((s) => [s.label, s.state, s.detail])).toEqual([
      ["Starting", "done", "api is not run"],
      ["Ready", "done", "leased (image not run)"],
    ]);
  });

  it("a container not run next to a model that is still starting waits for the model", () => {
    const leased = happyPath().slice(0, 7);
    const container = ev("ServiceNotRun", T + 300, { leaseId: "l1", nodeId: "n1", service: "api", state: "not-run", message: "api is not run" });
    const model = ev("ServiceStarting", T + 300, { leaseId: "l1", nodeId: "n1", service: "llm", state: "starting" });
    const starting = timelineFromEvents([...leased, container, model]);
    expect(starting.outcome).toEqual({ kind: "in-progress" });
    expect(starting.steps.find((s) => s.key === "ready")?.state).toBe("active");
    const ready = timelineFromEvents([...leased, container, model, ev("ServiceReady", T + 900, { leaseId: "l1", nodeId: "n1", service: "llm", state: "ready" })]);
    expect(ready.outcome).toEqual({ kind: "ready" });
    expect(ready.steps.find((s) => s.key === "ready")?.detail).toBe("llm");
  });

  it("follows order → bids → lease won by a node → manifest → starting → ready, with times", () => {
    const t = timelineFromEvents(happyPath());
    expect(t.outcome).toEqual({ kind: "ready" });
    expect(t.steps.map((s) => [s.label, s.state])).toEqual([
      ["Order placed", "done"],
      ["Bids arriving", "done"],
      ["Lease won", "done"],
      ["Manifest accepted", "done"],
      ["Starting", "done"],
      ["Ready", "done"],
    ]);
    expect(t.steps[1]?.detail).toBe("2 bids, 1 declined");
    // The node is named (from its bid), with the GPU and the price it won at.
    expect(t.steps[2]?.detail).toBe("by provider-us-east (a10) at 1.00 SPON/h");
    expect(t.steps[5]?.at).toBe(T + 1_460);
    expect(offsetFromStart(t.steps[5]!, t.steps)).toBe("+1.5 s");
    expect(offsetFromStart(t.steps[1]!, t.steps)).toBe("+40 ms");
  });

  it("marks where things stand while in progress, whatever order the events came in", () => {
    const events = happyPath().slice(0, 4).reverse();
    const t = timelineFromEvents(events);
    expect(t.outcome.kind).toBe("in-progress");
    expect(t.steps.map((s) => s.state)).toEqual(["done", "done", "active", "pending", "pending", "pending"]);
    expect(offsetFromStart(t.steps[2]!, t.steps)).toBeNull();
  });

  it("says in words why nobody bid", () => {
    const message = "no bids: nothing offers an A100 in eu-west under 2 SPON/h; allow more regions or raise the price";
    const t = timelineFromEvents([
      ev("OrderCreated", T, { attempt: 1, excludedNodes: [] }),
      ev("BidDeclined", T + 10, { nodeId: "n2", nodeName: "fizz-india-3090", reason: "no a100" }),
      ev("OrderClosed", T + 500, { orderId: "o1", reason: "no-bids", message }),
    ]);
    expect(t.outcome).toEqual({ kind: "failed", message });
    expect(t.steps[1]).toMatchObject({ state: "failed", detail: "0 bids, 1 declined" });
    expect(t.steps.slice(2).every((s) => s.state === "pending")).toBe(true);
  });

  it("after a failover shows the new attempt and says how the earlier one ended", () => {
    const t = timelineFromEvents([
      ...happyPath(),
      ev("NodeDown", T + 5_000, { nodeId: "n1", nodeName: "provider-us-east" }),
      ev("LeaseClosed", T + 5_000, { leaseId: "l1", nodeId: "n1", reason: "node-down" }),
      ev("OrderCreated", T + 5_001, { orderId: "o2", attempt: 2, excludedNodes: ["n1"] }),
      ev("BidPlaced", T + 5_050, { nodeId: "n3", nodeName: "provider-germany", priceWeiPerSecond: SPON_PER_HOUR, gpuModel: "l4" }),
    ]);
    expect(t.attempt).toBe(2);
    expect(t.outcome.kind).toBe("in-progress");
    expect(t.earlierAttempts).toEqual(["Attempt 1 on provider-us-east ended: the node stopped answering."]);
    expect(t.steps[0]).toMatchObject({ state: "done", detail: "attempt 2, without 1 earlier node" });
    expect(t.steps.map((s) => s.state)).toEqual(["done", "done", "active", "pending", "pending", "pending"]);
  });

  it("ends as stopped when the tenant closes it, and as asleep when idle", () => {
    const stopped = timelineFromEvents([...happyPath(), ev("LeaseClosed", T + 9_000, { nodeId: "n1", reason: "tenant-closed" }), ev("DeploymentClosed", T + 9_000, {})]);
    expect(stopped.outcome).toEqual({ kind: "stopped", message: "Stopped." });
    const asleep = timelineFromEvents([...happyPath(), ev("LeaseClosed", T + 9_000, { nodeId: "n1", reason: "idle" }), ev("DeploymentSleeping", T + 9_000, {})]);
    expect(asleep.outcome.kind).toBe("sleeping");
  });

  it("shows a rejected manifest and a failed start as failed steps", () => {
    const rejected = timelineFromEvents([...happyPath().slice(0, 6), ev("ManifestRejected", T + 300, { nodeId: "n1", reason: "hash mismatch" })]);
    expect(rejected.steps[3]).toMatchObject({ state: "failed", detail: "hash mismatch" });
    const failed = timelineFromEvents([...happyPath().slice(0, 8), ev("ServiceFailed", T + 900, { nodeId: "n1", message: "out of memory" })]);
    expect(failed.steps[5]).toMatchObject({ state: "failed", detail: "out of memory" });
  });

  it("counts a step the log skipped as done when a later one happened", () => {
    const t = timelineFromEvents([happyPath()[0]!, happyPath()[5]!, happyPath()[8]!]);
    expect(t.steps.map((s) => s.state)).toEqual(["done", "done", "done", "done", "done", "done"]);
    expect(t.steps[1]?.at).toBeNull();
  });

  it("is empty before any order", () => {
    const t = timelineFromEvents([]);
    expect(t.attempt).toBe(0);
    expect(t.steps.every((s) => s.state === "pending")).toBe(true);
  });
});
