import { describe, expect, it } from "vitest";
import { compileGraph } from "#agents/compile/compile";
import { planGraph } from "#agents/compile/plan";
import { formatMicroSpon, microSponToBaseUnits } from "#agents/compile/pricing";
import { serviceNameFor } from "#agents/compile/workloads";
import { toYaml } from "#agents/compile/yaml";
import type { GraphDoc } from "#agents/graph/index";
import { parse } from "yaml";
import { FIXTURES, loadFixture } from "./support/fixtures";

describe("compileGraph", () => {
  it("gives byte-identical manifests for the same graph, whatever the order of nodes and edges", () => {
    for (const name of FIXTURES) {
      const { graph, name: flowName } = loadFixture(name);
      const a = compileGraph(graph, { name: flowName });
      const shuffled: GraphDoc = { ...graph, nodes: [...graph.nodes].reverse(), edges: [...graph.edges].reverse() };
      const b = compileGraph(shuffled, { name: flowName });
      expect(JSON.stringify(b.manifests), name).toBe(JSON.stringify(a.manifests));
      expect(b.quote, name).toEqual(a.quote);
    }
  });

  it("resolves an endpoint wired into an agent as a binding the runtime can use", () => {
    const { graph, name } = loadFixture("agent-with-endpoint");
    const { plan } = planGraph(graph, { name });
    expect(plan?.bindings).toEqual([
      {
        endpointNode: "llm",
        workload: "support-llm",
        agentNode: "agent",
        agentPort: "model",
        model: "meta-llama/Llama-3.1-8B-Instruct",
        servedName: "llama3.1:8b",
        runtime: "ollama",
        port: 11434,
        apiBase: "/v1",
      },
    ]);
  });

  it("produces no manifests for an invalid flow, and says so", () => {
    const { graph, name } = loadFixture("every-diagnostic");
    const result = compileGraph(graph, { name });
    expect(result.ok).toBe(false);
    expect(result.manifests).toEqual({});
    expect(result.diagnostics.every((d) => d.node !== undefined || d.edge !== undefined)).toBe(true);
  });

  it("reports E311 for a flow with nothing to deploy", () => {
    const graph: GraphDoc = { schemaVersion: 1, nodes: [{ id: "in", type: "io.chat-input", version: 1, config: {}, ui: { x: 0, y: 0 } }], edges: [] };
    const result = compileGraph(graph, { name: "agent only" });
    expect(result.ok).toBe(false);
    expect(result.diagnostics.map((d) => d.code)).toEqual(["E311"]);
  });

  it("puts workloads with different mode or duration into separate ICL leases", () => {
    const graph: GraphDoc = {
      schemaVersion: 1,
      nodes: [
        { id: "a", type: "workload.container", version: 1, config: { name: "a", image: "redis:7.2-alpine", durationHours: 2 }, ui: { x: 0, y: 0 } },
        { id: "b", type: "workload.container", version: 1, config: { name: "b", image: "redis:7.2-alpine", durationHours: 5 }, ui: { x: 0, y: 0 } },
      ],
      edges: [],
    };
    const files = compileGraph(graph, { name: "two" }).manifests["spheron-icl"] ?? [];
    expect(files.map((f) => f.fileName)).toEqual(["spheron-icl.a.yaml", "spheron-icl.b.yaml"]);
    expect(files.map((f) => (parse(f.content) as { profiles: { duration: string } }).profiles.duration)).toEqual(["2h", "5h"]);
  });
});

describe("pricing", () => {
  it("formats micro-SPON exactly and converts to 18-decimal base units", () => {
    expect(formatMicroSpon(1_200_000)).toBe("1.2");
    expect(formatMicroSpon(50_000)).toBe("0.05");
    expect(formatMicroSpon(3n)).toBe("0.000003");
    expect(microSponToBaseUnits(1_200_000)).toBe(1_200_000_000_000_000_000n);
  });
});

describe("YAML writer", () => {
  it("round-trips strings that YAML would otherwise read as numbers, booleans, dates or comments", () => {
    const value = { list: ["8000", "0.5", "1:20", "2024-01-01", "yes", "off", "null", "", "a: b", "#c", "x #y", "--flag", "-1", "0.0.0.0", "multi\nline", "é ü"] };
    expect(parse(toYaml(value))).toEqual(value);
  });

  it("writes nested lists of maps and empty collections", () => {
    const value = { a: [{ b: 1, c: [true, null] }, []], d: {}, e: [] };
    expect(parse(toYaml(value))).toEqual(value);
  });
});

describe("service names", () => {
  it("uses the configured name, else the block kind and node id as a DNS label", () => {
    expect(serviceNameFor("n_kn1qt1ao", "", "model.endpoint")).toBe("endpoint-n-kn1qt1ao");
    expect(serviceNameFor("Node 7", "", "workload.job")).toBe("job-node-7");
    expect(serviceNameFor("x", "cache", "workload.container")).toBe("cache");
    expect(serviceNameFor("a".repeat(80), "", "workload.container")).toMatch(/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/);
  });
});
