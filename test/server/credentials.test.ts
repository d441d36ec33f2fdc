import { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { credentials } from "#db/schema";
import { maskSecret, resolveCredential } from "#server/services/credentials";
import { createTestBackend, type TestBackend, type TestClient } from "../support/harness";
import { joinTeam } from "../support/teams";

let backend: TestBackend;
let owner: TestClient;
let outsider: TestClient;

beforeAll(async () => {
  backend = await createTestBackend();
  owner = await backend.signedUpClient("owner@example.com", "Owner");
  outsider = await backend.signedUpClient("outsider@example.com", "Outsider");
});
afterAll(() => backend.close());

const SECRET = "sk-live-abcdefghijklmnopqrstuvwxyz123456";

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  return error instanceof TRPCError ? error.code : String(error);
}

describe("credential router", () => {
  it("stores the secret encrypted and only ever answers with a masked hint", async () => {
    const created = await owner.trpc.credential.create({ name: "OpenAI", kind: "openai", secret: SECRET, baseUrl: "https://api.openai.com/v1" });
    expect(created).toMatchObject({ name: "OpenAI", kind: "openai", baseUrl: "https://api.openai.com/v1", masked: "••••••3456" });
    expect(JSON.stringify(created)).not.toContain("abcdef");

    const list = await owner.trpc.credential.list();
    expect(list).toHaveLength(1);
    expect(JSON.stringify(list)).not.toContain("sk-live");

    const row = backend.db.select().from(credentials).where(eq(credentials.id, created.id)).get();
    expect(row?.ciphertext).toBeDefined();
    expect(row?.ciphertext).not.toContain(SECRET);
    expect(Buffer.from(row?.ciphertext ?? "", "base64").toString("utf8")).not.toContain("sk-live");
    expect(JSON.stringify(row?.meta)).not.toContain("abcdef");

    const me = await owner.trpc.auth.me();
    expect(resolveCredential(backend.db, backend.services.secretKey, me?.team?.id ?? "", created.id)).toEqual({
      kind: "openai",
      secret: SECRET,
      baseUrl: "https://api.openai.com/v1",
    });
    // Another key cannot open it (GCM authenticates).
    expect(() => resolveCredential(backend.db, Buffer.alloc(32, 9), me?.team?.id ?? "", created.id)).toThrow();
  });

  it("masks short secrets completely", () => {
    expect(maskSecret("short")).toBe("••••••");
    expect(maskSecret("exactly-12ch")).toBe("••••••12ch");
  });

  it("renames and deletes; names are unique per team", async () => {
    const c = await owner.trpc.credential.create({ name: "Webhook token", kind: "secret", secret: "token-1234567890" });
    expect(c.baseUrl).toBe("");
    expect(await codeOf(owner.trpc.credential.create({ name: "Webhook token", kind: "secret", secret: "x" }))).toBe("CONFLICT");
    const renamed = await owner.trpc.credential.rename({ id: c.id, name: "CRM token" });
    expect(renamed).toMatchObject({ name: "CRM token", masked: "••••••7890" });
    expect(await owner.trpc.credential.remove({ id: c.id })).toEqual({ id: c.id });
    expect((await owner.trpc.credential.list()).map((x) => x.name)).toEqual(["OpenAI"]);
    expect(await codeOf(owner.trpc.credential.rename({ id: c.id, name: "again" }))).toBe("NOT_FOUND");
  });

  it("rejects bad input with a message naming the field, and writes nothing", async () => {
    const before = (await owner.trpc.credential.list()).length;
    await expect(owner.trpc.credential.create({ name: "", kind: "openai", secret: SECRET })).rejects.toThrow("name: Give the credential a name");
    await expect(owner.trpc.credential.create({ name: "x", kind: "openai", secret: "  " })).rejects.toThrow("secret: Paste the secret");
    await expect(owner.trpc.credential.create({ name: "x", kind: "openai", secret: SECRET, baseUrl: "ftp://host" })).rejects.toThrow(
      "baseUrl: Enter an http(s) URL",
    );
    expect((await owner.trpc.credential.list()).length).toBe(before);
  });

  it("another team sees nothing and a foreign id is NOT_FOUND", async () => {
    const [mine] = await owner.trpc.credential.list();
    expect(await outsider.trpc.credential.list()).toEqual([]);
    expect(await codeOf(outsider.trpc.credential.rename({ id: mine?.id ?? "", name: "stolen" }))).toBe("NOT_FOUND");
    expect(await codeOf(outsider.trpc.credential.remove({ id: mine?.id ?? "" }))).toBe("NOT_FOUND");
    const me = await outsider.trpc.auth.me();
    expect(() => resolveCredential(backend.db, backend.services.secretKey, me?.team?.id ?? "", mine?.id ?? "")).toThrow("Credential not found.");
  });

  it("needs a login and the editor role to change", async () => {
    expect(await codeOf(backend.client().trpc.credential.list())).toBe("UNAUTHORIZED");
    const team = (await owner.trpc.team.list()).find((t) => t.active);
    const viewer = await backend.signedUpClient("viewer@example.com");
    await joinTeam(owner.trpc, viewer.trpc, "viewer");
    await viewer.trpc.team.switch({ teamId: team?.id ?? "" });
    expect((await viewer.trpc.credential.list()).map((c) => c.masked)).toEqual(["••••••3456"]);
    expect(await codeOf(viewer.trpc.credential.create({ name: "v", kind: "secret", secret: "x" }))).toBe("FORBIDDEN");
  });
});
