import { afterEach, describe, expect, it } from "vitest";
import type { GraphDoc } from "#agents/graph/index";
import { compileForDispatch } from "#server/services/dispatch-manifests";
import { createTestBackend, type TestBackend } from "../support/harness";

let backend: TestBackend;
afterEach(() => backend?.close());

const TOKEN = "hf_real-token-0123456789";

function gatedEndpoint(credentialId: string): GraphDoc {
  return {
    schemaVersion: 1,
    nodes: [
      {
        id: "llm",
        type: "model.endpoint",
        version: 1,
        config: { name: "gemma", model: "google/gemma-2-9b-it", env: { HF_TOKEN: { credential: credentialId } } },
        ui: { x: 0, y: 0 },
      },
    ],
    edges: [],
  };
}

describe("manifests for dispatch", () => {
  it("carry the team's credential value, while the preview a person sees carries a placeholder", async () => {
    backend = await createTestBackend();
    const ada = await backend.signedUpClient("ada@example.com");
    const cred = await ada.trpc.credential.create({ name: "Hugging Face", kind: "secret", secret: TOKEN });
    const flow = await ada.trpc.flow.create({ name: "Gemma", graph: gatedEndpoint(cred.id) });

    const preview = await ada.trpc.compile.preview({ flowId: flow.id });
    expect(preview.ok).toBe(true);
    expect(JSON.stringify(preview)).not.toContain(TOKEN);
    expect(JSON.stringify(preview)).toContain(`skyloom-secret://${cred.id}`);

    const teamId = (await ada.trpc.auth.me())?.team?.id ?? "";
    const dispatched = compileForDispatch(backend.db, backend.services.secretKey, teamId, { name: flow.name, graph: flow.graph });
    expect(dispatched.ok).toBe(true);
    for (const files of Object.values(dispatched.manifests)) expect(files?.[0]?.content).toContain(TOKEN);
  });

  it("never resolve another team's credential (E316, nothing emitted)", async () => {
    backend = await createTestBackend();
    const ada = await backend.signedUpClient("ada@example.com");
    const eve = await backend.signedUpClient("eve@example.com");
    const adasCred = await ada.trpc.credential.create({ name: "Hugging Face", kind: "secret", secret: TOKEN });
    const evesTeam = (await eve.trpc.auth.me())?.team?.id ?? "";
    const result = compileForDispatch(backend.db, backend.services.secretKey, evesTeam, { name: "Steal", graph: gatedEndpoint(adasCred.id) });
    expect(result.ok).toBe(false);
    expect(result.manifests).toEqual({});
    expect(result.diagnostics.map((d) => d.code)).toContain("E316");
    expect(JSON.stringify(result)).not.toContain(TOKEN);
  });
});
