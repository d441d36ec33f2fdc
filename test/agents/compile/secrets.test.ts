import { parse, parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { compileGraph } from "#agents/compile/compile";
import { redactPlainSecrets } from "#agents/compile/secrets";
import { envField } from "#agents/blocks/workload-config";
import type { GraphDoc } from "#agents/graph/index";
import { configFields } from "#app/components/canvas/config-form/schema-fields";
import { z } from "zod";

const TOKEN = "hf_this-is-the-real-secret-value";

function graphWith(nodes: { id: string; type: string; config: object }[]): GraphDoc {
  return { schemaVersion: 1, nodes: nodes.map((n) => ({ ...n, version: 1, ui: { x: 0, y: 0 } })), edges: [] };
}

const gated = graphWith([
  { id: "llm", type: "model.endpoint", config: { name: "gemma", model: "google/gemma-2-9b-it", env: { HF_TOKEN: { credential: "cred_hf" }, LOG_LEVEL: "info" } } },
]);

describe("credential-backed environment variables", () => {
  it("show as a placeholder in every manifest; Kubernetes reads them from a Secret", () => {
    const result = compileGraph(gated, { name: "Gated" });
    expect(result.ok).toBe(true);
    expect(result.diagnostics.map((d) => d.code)).not.toContain("E313");
    const all = Object.values(result.manifests).flat().map((f) => f.content).join("\n");
    expect(all).not.toContain(TOKEN);
    expect(result.manifests["spheron-icl"]?.[0]?.content).toContain("HF_TOKEN=skyloom-secret://cred_hf");
    expect(result.manifests["akash-sdl"]?.[0]?.content).toContain("HF_TOKEN=skyloom-secret://cred_hf");

    const docs = parseAllDocuments(result.manifests.kubernetes?.[0]?.content ?? "").map((d) => d.toJS());
    const secret = docs.find((d) => d.kind === "Secret");
    expect(secret).toMatchObject({ metadata: { name: "gemma-env" }, type: "Opaque", stringData: { HF_TOKEN: "skyloom-secret://cred_hf" } });
    const container = docs.find((d) => d.kind === "Deployment").spec.template.spec.containers[0];
    expect(container.env).toContainEqual({ name: "HF_TOKEN", valueFrom: { secretKeyRef: { name: "gemma-env", key: "HF_TOKEN" } } });
    expect(container.env).toContainEqual({ name: "LOG_LEVEL", value: "info" });
  });

  it("carry the credential's value only when compiled for dispatch with a resolver", () => {
    const result = compileGraph(gated, { name: "Gated" }, { resolveSecret: (id) => (id === "cred_hf" ? TOKEN : null) });
    expect(result.ok).toBe(true);
    expect(result.manifests["spheron-icl"]?.[0]?.content).toContain(`HF_TOKEN=${TOKEN}`);
    expect(result.manifests["akash-sdl"]?.[0]?.content).toContain(`HF_TOKEN=${TOKEN}`);
    const k8s = parseAllDocuments(result.manifests.kubernetes?.[0]?.content ?? "").map((d) => d.toJS());
    expect(k8s.find((d) => d.kind === "Secret").stringData).toEqual({ HF_TOKEN: TOKEN });
    expect(JSON.stringify(k8s.find((d) => d.kind === "Deployment"))).not.toContain(TOKEN);
  });

  it("refuse to dispatch when the credential is gone (E316, naming the variable and the block)", () => {
    const result = compileGraph(gated, { name: "Gated" }, { resolveSecret: () => null });
    expect(result.ok).toBe(false);
    expect(result.manifests).toEqual({});
    expect(result.diagnostics).toContainEqual(expect.objectContaining({ code: "E316", node: "llm", message: expect.stringContaining("HF_TOKEN") }));
  });

  it("a plain-text secret is a warning that says how to fix it", () => {
    const plain = graphWith([{ id: "api", type: "workload.container", config: { name: "api", image: "ghcr.io/x/api:1.0", env: { API_KEY: "sk-123", MODE: "prod" } } }]);
    const warnings = compileGraph(plain, { name: "Plain" }).diagnostics.filter((d) => d.code === "E315");
    expect(warnings).toEqual([expect.objectContaining({ severity: "warning", node: "api", message: expect.stringContaining("Settings → Credentials") })]);
    expect(warnings[0]?.message).toContain("API_KEY");
  });

  it("an empty credential choice is refused by the block's schema; the form draws the env widget", () => {
    expect(envField.safeParse({ HF_TOKEN: { credential: "" } }).success).toBe(false);
    expect(envField.safeParse({ HF_TOKEN: { credential: "cred_1" }, A: "b" }).success).toBe(true);
    expect(configFields(z.object({ env: envField }))[0]?.widget).toBe("env");
  });
});

describe("exported flow files", () => {
  it("leave out plain values under secret-looking names and keep credential references", () => {
    const graph = graphWith([
      { id: "c", type: "workload.container", config: { env: { HF_TOKEN: TOKEN, DB_PASSWORD: "hunter2", MODE: "prod", OPENAI_API_KEY: { credential: "cred_o" } } } },
      { id: "p", type: "prompt.template", config: { template: "{input}" } },
    ]);
    const { graph: out, redacted } = redactPlainSecrets(graph);
    expect(redacted).toEqual([
      { node: "c", name: "HF_TOKEN" },
      { node: "c", name: "DB_PASSWORD" },
    ]);
    expect(out.nodes[0]?.config).toEqual({ env: { HF_TOKEN: "", DB_PASSWORD: "", MODE: "prod", OPENAI_API_KEY: { credential: "cred_o" } } });
    expect(JSON.stringify(out)).not.toContain(TOKEN);
    expect(out.nodes[1]).toBe(graph.nodes[1]);
    expect(parse(JSON.stringify(out))).toEqual(out);
  });
});
