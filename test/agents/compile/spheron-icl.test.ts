import { createRequire } from "node:module";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { compileCorpus } from "./support/corpus";
import * as rules from "./support/icl-rules";

/**
 * One test per item of the "What our compiler must emit (ICL v1 target)" checklist in
 * specs/spheron-and-akash.md, run over every ICL the fixtures and variants produce. Each rule
 * also gets a broken document, so a rule that can never fail would show up here.
 */
const require = createRequire(import.meta.url);
const { SDL } = require("@akashnetwork/akashjs/build/sdl") as {
  SDL: { fromString(text: string, version: string): { manifest(): unknown[]; groups(): unknown[] } };
};

type Icl = { where: string; text: string; doc: Record<string, unknown>; http: Map<string, number[]>; gpu: Set<string> };

const corpus = compileCorpus();
const icls: Icl[] = corpus.flatMap(({ name, result }) => {
  const plan = result.plan;
  if (!plan) return [];
  const http = new Map(plan.workloads.map((w) => [w.name, w.spec.ports.filter((p) => p.public && p.http && p.proto === "tcp").map((p) => p.port)]));
  const gpu = new Set(plan.workloads.filter((w) => w.spec.resources.gpu).map((w) => w.name));
  return (result.manifests["spheron-icl"] ?? []).map((f) => ({
    where: `${name}/${f.fileName}`,
    text: f.content,
    doc: parse(f.content) as Record<string, unknown>,
    http,
    gpu,
  }));
});

const base = (): Record<string, unknown> => structuredClone(icls.find((i) => i.where.startsWith("container-with-redis"))?.doc ?? {});
const allOf = (check: (i: Icl) => string[]) =>
  Object.fromEntries(icls.map((i) => [i.where, check(i)] as const).filter(([, v]) => v.length > 0));

describe("spheron-icl obeys the spec's checklist", () => {
  it("compiles a corpus covering provider and fizz, GPU and CPU, volumes, several leases", () => {
    expect(icls.length).toBeGreaterThanOrEqual(10);
    const modes = new Set(icls.map((i) => (i.doc.profiles as { mode: string }).mode));
    expect(modes).toEqual(new Set(["provider", "fizz"]));
    expect(icls.some((i) => i.text.includes("persistent: true"))).toBe(true);
    expect(icls.some((i) => i.text.includes("proto: udp"))).toBe(true);
  });

  it('1. version is the quoted "1.0" and the only top-level keys are services, profiles, deployment', () => {
    expect(allOf((i) => rules.versionAndTopLevel(i.text, i.doc))).toEqual({});
    expect(rules.versionAndTopLevel('version: 1.0\nservices: {}\nprofiles: {}\ndeployment: {}\nextra: 1\n', parse("version: 1.0\nextra: 1"))).toHaveLength(3);
  });

  it("2. services: pinned image, pull_policy, env K=V, command/args string lists, expose with port/as/to, proto tcp|udp", () => {
    expect(allOf((i) => rules.servicesShape(i.doc))).toEqual({});
    const bad = base();
    const svc = (bad.services as Record<string, Record<string, unknown>>)["agent-api"] as Record<string, unknown>;
    Object.assign(svc, { image: "x:latest", env: ["not-a-pair"], args: [1], expose: [{ port: 1, as: 1, proto: "http", to: [{ service: "nobody" }] }] });
    delete svc.pull_policy;
    expect(rules.servicesShape(bad).length).toBeGreaterThanOrEqual(6);
  });

  it("2b. internal edges are {service: consumer}, public edges {global: true}", () => {
    const redis = icls.find((i) => i.where.startsWith("container-with-redis"));
    const services = redis?.doc.services as Record<string, { expose: { to: unknown[] }[] }>;
    expect(services.cache?.expose[0]?.to).toEqual([{ service: "agent-api" }]);
    expect(services["agent-api"]?.expose[0]?.to).toEqual([{ global: true }]);
  });

  it("3. public HTTP maps to as: 80 (hostname URL); other public ports keep as = port", () => {
    expect(allOf((i) => rules.publicHttpMapsTo80(i.doc, i.http))).toEqual({});
    const game = icls.find((i) => i.where.startsWith("udp-and-raw-tcp"));
    const expose = (game?.doc.services as Record<string, { expose: { port: number; as: number }[] }>).game?.expose ?? [];
    expect(expose.map((e) => [e.port, e.as])).toEqual([[7777, 7777], [27015, 27015], [8080, 80], [9090, 9090]]);
    const bad = base();
    ((bad.services as Record<string, { expose: { as: number }[] }>)["agent-api"]?.expose[0] as { as: number }).as = 3000;
    expect(rules.publicHttpMapsTo80(bad, new Map([["agent-api", [3000]]]))).toHaveLength(1);
  });

  it("4. mode is provider|fizz; fizz has no 80/443, no persistent storage or SHM, ≤ 32 CPU / 128Gi / 2000Gi, SPON", () => {
    expect(allOf((i) => rules.modeAndFizzLimits(i.doc))).toEqual({});
    const bad = base();
    (bad.profiles as Record<string, unknown>).mode = "fizz";
    // agent-api is exposed as 80 and has a persistent volume: both break fizz.
    expect(rules.modeAndFizzLimits(bad).length).toBeGreaterThanOrEqual(2);
  });

  it("5. duration matches ^\\d+(min|h|d|mon|y)$ and tier is one explicit known string", () => {
    expect(allOf((i) => rules.durationAndTier(i.doc))).toEqual({});
    const bad = base();
    Object.assign(bad.profiles as object, { duration: "1.5h", tier: ["secured-1"] });
    expect(rules.durationAndTier(bad)).toHaveLength(2);
  });

  it("6. compute profile key == service name == pricing key, same order, exactly one placement", () => {
    expect(allOf((i) => rules.keysAndOrder(i.doc))).toEqual({});
    const bad = base();
    const compute = (bad.profiles as { compute: Record<string, unknown> }).compute;
    (bad.profiles as { compute: Record<string, unknown> }).compute = { cache: compute.cache, "agent-api": compute["agent-api"] };
    expect(rules.keysAndOrder(bad)).toHaveLength(1);
  });

  it("7. cpu.units is a number and sizes use only Mi|Gi|Ti", () => {
    expect(allOf((i) => rules.cpuAndSizes(i.doc))).toEqual({});
    expect(icls.some((i) => /size: [0-9]+Mi$/m.test(i.text))).toBe(true);
    const bad = base();
    const r = (bad.profiles as { compute: Record<string, { resources: Record<string, unknown> }> }).compute.cache?.resources as Record<string, unknown>;
    Object.assign(r, { cpu: { units: "500m" }, memory: { size: "4G" } });
    expect(rules.cpuAndSizes(bad)).toHaveLength(2);
  });

  it("8. GPU: units ≥ 1 and a non-empty nvidia list of known short names; no gpu block on CPU services", () => {
    expect(allOf((i) => rules.gpuShape(i.doc, i.gpu))).toEqual({});
    expect(icls.filter((i) => i.gpu.size > 0).length).toBeGreaterThan(3);
    const bad = base();
    const r = (bad.profiles as { compute: Record<string, { resources: Record<string, unknown> }> }).compute.cache?.resources as Record<string, unknown>;
    r.gpu = { units: 0, attributes: { vendor: { nvidia: [] } } };
    expect(rules.gpuShape(bad, new Set(["cache"]))).toHaveLength(2);
    expect(rules.gpuShape(bad, new Set())).toHaveLength(1);
  });

  it("9. a persistent volume is the one {name: default, persistent, class: beta3} with params.storage.default.mount, provider only", () => {
    expect(allOf((i) => rules.persistentVolume(i.doc))).toEqual({});
    expect(icls.filter((i) => i.text.includes("class: beta3")).length).toBeGreaterThanOrEqual(2);
    const bad = base();
    delete ((bad.services as Record<string, Record<string, unknown>>)["agent-api"] as Record<string, unknown>).params;
    expect(rules.persistentVolume(bad)).toHaveLength(1);
  });

  it("10. pricing is {token: SPON|uSPON, amount} per service, and the quote's escrow is Σ amounts × hours", () => {
    expect(allOf((i) => rules.pricing(i.doc).violations)).toEqual({});
    for (const { name, result } of corpus) {
      let escrowMicro = 0;
      for (const f of result.manifests["spheron-icl"] ?? []) {
        const doc = parse(f.content) as { profiles: { duration: string } };
        escrowMicro += Math.round(rules.pricing(doc).sumPerHour * 1e6) * rules.hoursOf(doc.profiles.duration);
      }
      expect(result.quote?.escrow, name).toBe(String(escrowMicro / 1e6));
      expect(BigInt(result.quote?.escrowBaseUnits ?? "0"), name).toBe(BigInt(escrowMicro) * 10n ** 12n);
    }
    const bad = base();
    const p = (bad.profiles as { placement: Record<string, { pricing: Record<string, unknown> }> }).placement;
    (Object.values(p)[0] as { pricing: Record<string, unknown> }).pricing.cache = { denom: "uakt", amount: "0.1" };
    expect(rules.pricing(bad).violations).toHaveLength(3);
  });

  it("11. placement attributes are only the SDK's keys, regions a ;-list of slugs", () => {
    expect(allOf((i) => rules.placementAttributes(i.doc))).toEqual({});
    expect(icls.some((i) => i.text.includes('region: "germany;us-east"') || i.text.includes("region: germany;us-east"))).toBe(true);
    const bad = base();
    (Object.values((bad.profiles as { placement: Record<string, Record<string, unknown>> }).placement)[0] as Record<string, unknown>).attributes = {
      exclude_region: "x",
      region: "US East",
    };
    expect(rules.placementAttributes(bad)).toHaveLength(2);
  });

  it("12. deployment.<svc>.<placement> = {profile: <svc>, count ≥ 1} for every service", () => {
    expect(allOf((i) => rules.deploymentEntries(i.doc))).toEqual({});
    const ollama = icls.find((i) => i.where.startsWith("ollama-with-volume"));
    expect(JSON.stringify(ollama?.doc.deployment)).toContain('"count":2');
    const bad = base();
    delete (bad.deployment as Record<string, unknown>).cache;
    expect(rules.deploymentEntries(bad)).toHaveLength(2);
  });

  it("13. every ICL parses with akashjs SDL.fromString(text, 'beta3') (the lenient structural oracle)", () => {
    for (const i of icls) {
      const sdl = SDL.fromString(i.text, "beta3");
      expect(sdl.manifest().length, i.where).toBeGreaterThan(0);
      expect(sdl.groups().length, i.where).toBe(1);
    }
  });
});
