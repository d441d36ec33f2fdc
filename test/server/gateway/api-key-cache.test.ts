import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepareHotStatements } from "#db/hot-statements";
import { ApiKeyService } from "#server/services/api-keys";
import { createTestBackend, type TestBackend, type TestClient } from "../../support/harness";

/**
 * The gateway remembers the keys presented lately (ApiKeyService.recent) instead of hashing
 * and reading each one per request. What must not change: a revoked key is refused from the
 * next request on, and a token nobody holds is never remembered.
 */
let backend: TestBackend;
let ada: TestClient;
let reads = 0;
let keys: ApiKeyService;

beforeAll(async () => {
  backend = await createTestBackend();
  ada = await backend.signedUpClient("ada@example.com");
  const statements = prepareHotStatements(backend.sqlite);
  const findApiKey = statements.findApiKey;
  // Counts the database reads behind `find`, so the test sees what was remembered.
  const counted = { get: (hash: string) => ((reads += 1), findApiKey.get(hash)) } as unknown as typeof findApiKey;
  keys = new ApiKeyService(backend.db, Buffer.alloc(32, 7), { findApiKey: counted });
});
afterAll(() => backend.close());

describe("ApiKeyService.find", () => {
  it("reads a presented key once, then answers from memory", async () => {
    const { token, key } = await ada.trpc.apiKey.create({ name: "busy", kind: "secret" });
    reads = 0;
    expect(keys.find(token)).toMatchObject({ id: key.id, revoked: false });
    expect(keys.find(token)).toMatchObject({ id: key.id, revoked: false });
    expect(reads).toBe(1);
    // The remembered key is shared by requests: none of them can change it for the others.
    expect(Object.isFrozen(keys.find(token))).toBe(true);
  });

  it("refuses a revoked key at once, though it was remembered", async () => {
    const scope = { teamId: (await ada.trpc.auth.me())!.team!.id, userId: (await ada.trpc.auth.me())!.user.id };
    const { token, key } = keys.create(scope, { name: "soon revoked", kind: "secret" });
    expect(keys.find(token)?.revoked).toBe(false);
    keys.revoke(scope, key.id);
    expect(keys.find(token)?.revoked).toBe(true);
  });

  it("does not remember tokens that name no key", () => {
    const unknown = `sky_sk_${"B".repeat(43)}`;
    reads = 0;
    expect(keys.find(unknown)).toBeNull();
    expect(keys.find(unknown)).toBeNull();
    expect(reads).toBe(2);
  });
});
