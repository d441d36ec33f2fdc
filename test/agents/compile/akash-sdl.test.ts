import { createRequire } from "node:module";
import { validateSDL } from "@akashnetwork/chain-sdk";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { compileGraph } from "#agents/compile/compile";
import { BLOCKS_PER_HOUR, perBlockAmount, USDC_DENOM } from "#agents/compile/targets/akash-sdl/index";
import { compileCorpus } from "./support/corpus";

const require = createRequire(import.meta.url);
const { SDL } = require("@akashnetwork/akashjs/build/sdl") as { SDL: { fromString(text: string, version: string): { manifest(): unknown[] } } };

/** chain-sdk types its input; these tests feed it parsed YAML on purpose, as a user's file would be. */
const validate = (doc: unknown) => validateSDL(doc as Parameters<typeof validateSDL>[0], "mainnet");

const corpus = compileCorpus();
const sdls = corpus.flatMap(({ name, result }) => (result.manifests["akash-sdl"] ?? []).map((f) => ({ where: name, text: f.content })));

describe("akash-sdl", () => {
  it("every SDL passes chain-sdk's strict validateSDL for mainnet", () => {
    expect(sdls.length).toBeGreaterThanOrEqual(10);
    for (const s of sdls) expect(validate(parse(s.text)), s.where).toBeUndefined();
  });

  it("the strict validator is not vacuous: a Spheron-only key is rejected", () => {
    const doc = parse(sdls[0]?.text ?? "") as { profiles: Record<string, unknown> };
    doc.profiles.mode = "provider";
    expect(validate(doc)?.length).toBeGreaterThan(0);
  });

  it("every SDL also builds a manifest with akashjs", () => {
    for (const s of sdls) expect(SDL.fromString(s.text, "beta3").manifest().length, s.where).toBeGreaterThan(0);
  });

  it("has no Spheron keys and prices per block per instance in the USDC denom by default", () => {
    for (const s of sdls) {
      const doc = parse(s.text) as { profiles: Record<string, unknown>; services: Record<string, Record<string, unknown>> };
      expect(Object.keys(doc.profiles).sort()).toEqual(["compute", "placement"]);
      for (const svc of Object.values(doc.services)) expect(svc.pull_policy).toBeUndefined();
      expect(s.text).toContain(`denom: ${USDC_DENOM}`);
    }
    // 1.2 SPON/h per instance = 1,200,000 micro-USDC/h = 2,000 per block.
    expect(perBlockAmount(1_200_000, {})).toEqual({ denom: USDC_DENOM, amount: 1_200_000 / BLOCKS_PER_HOUR });
  });

  it("prices in uakt with an explicit rate, and refuses uakt without one", () => {
    expect(perBlockAmount(1_000_000, { akashDenom: "uakt", uaktPerSpon: 2_000_000 })).toEqual({ denom: "uakt", amount: Math.ceil(2_000_000 / 600) });
    expect(() => perBlockAmount(1_000_000, { akashDenom: "uakt" })).toThrow(/uaktPerSpon/);
  });

  it("a Spheron ICL stripped of Spheron keys, with token mapped to denom uakt, also passes chain-sdk (spec test 3)", () => {
    for (const { name, result } of corpus) {
      for (const f of result.manifests["spheron-icl"] ?? []) {
        const doc = parse(f.content) as {
          version: string;
          services: Record<string, Record<string, unknown>>;
          profiles: { compute: unknown; placement: Record<string, { attributes?: unknown; pricing: Record<string, { token?: string; amount: number; denom?: string }> }> };
        };
        doc.version = "2.0";
        for (const s of Object.values(doc.services)) delete s.pull_policy;
        const stripped = { ...doc, profiles: { compute: doc.profiles.compute, placement: doc.profiles.placement } };
        for (const p of Object.values(stripped.profiles.placement)) {
          delete p.attributes;
          for (const [k, price] of Object.entries(p.pricing)) p.pricing[k] = { denom: "uakt", amount: price.amount };
        }
        expect(validate(stripped), `${name}/${f.fileName}`).toBeUndefined();
      }
    }
  });

  it("pins a single region as a placement attribute", () => {
    const result = compileGraph(
      {
        schemaVersion: 1,
        nodes: [{ id: "w", type: "workload.container", version: 1, config: { image: "redis:7.2-alpine", region: "us-east" }, ui: { x: 0, y: 0 } }],
        edges: [],
      },
      { name: "r" },
    );
    const doc = parse(result.manifests["akash-sdl"]?.[0]?.content ?? "") as { profiles: { placement: Record<string, { attributes: unknown }> } };
    expect(doc.profiles.placement["us-east"]?.attributes).toEqual({ region: "us-east" });
  });
});
