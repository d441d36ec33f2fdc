import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCredential } from "#server/services/credentials";
import { listProviderModels, modelIds } from "#server/services/provider-models";
import type { Services } from "#server/composition";
import { sessionCaller } from "../support/session-caller";
import { createTestBackend, type TestBackend } from "../support/harness";
import { joinTeam } from "../support/teams";
import { SignupLimiter } from "#server/services/signup-limiter";

// A provider's API on loopback (which the SSRF guard refuses unless the operator allows this
// host:port), answering GET /v1/models only to the right key, plus routes that misbehave.
const GOOD_KEY = "sk-good-1234567890";
let backend: TestBackend;
let deps: Services;
let provider: Server;
let providerUrl: string;
const seenAuth: (string | undefined)[] = [];

beforeAll(async () => {
  provider = createServer((req, res) => {
    seenAuth.push(req.headers.authorization);
    const path = req.url ?? "";
    if (path.startsWith("/hang/")) return; // never answers
    if (path === "/html/v1/models") return void res.writeHead(200, { "content-type": "text/html" }).end("<html>Welcome</html>");
    if (path === "/big/v1/models") {
      res.writeHead(200, { "content-type": "application/json" });
      return void res.end(JSON.stringify({ data: Array.from({ length: 500 }, (_, i) => ({ id: `model-${i}` })) }));
    }
    if (path !== "/v1/models") return void res.writeHead(404).end();
    if (req.headers.authorization !== `Bearer ${GOOD_KEY}`) {
      res.writeHead(401, "Unauthorized", { "content-type": "application/json" });
      return void res.end(JSON.stringify({ error: { message: "Incorrect API key provided" } }));
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ object: "list", data: [{ id: "zeta-7b" }, { id: "alpha-70b" }, { id: "alpha-70b" }, { id: 5 }, { name: "no id" }] }));
  });
  await new Promise<void>((r) => provider.listen(0, "127.0.0.1", () => r()));
  const port = (provider.address() as AddressInfo).port;
  providerUrl = `http://127.0.0.1:${port}/v1`;
  // The operator allowed exactly this host:port; other loopback addresses stay refused.
  backend = await createTestBackend({ env: { SKYLOOM_ALLOW_PRIVATE_URLS: `127.0.0.1:${port}` }, adapters: { signupLimiter: new SignupLimiter(100) } });
  deps = backend.services;
});
afterAll(async () => {
  provider.closeAllConnections();
  await new Promise((r) => provider.close(r));
  await backend.close();
});

async function person(email: string) {
  const caller = sessionCaller(deps).trpc;
  await caller.auth.signup({ email, password: "correct-horse-battery" });
  const me = await caller.auth.me();
  return { trpc: caller, teamId: me?.team?.id ?? "", userId: me?.user.id ?? "" };
}

async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof TRPCError)) throw new Error(`expected a TRPCError, got ${String(error)}`);
  return { code: error.code, message: error.message };
}

describe("credential.models", () => {
  it("lists the provider's model ids with the credential's key, sorted and without duplicates", async () => {
    const alice = await person("alice@example.com");
    const cred = await alice.trpc.credential.create({ name: "Local provider", kind: "openai", secret: GOOD_KEY, baseUrl: providerUrl });
    const list = await alice.trpc.credential.models({ credentialId: cred.id, baseUrl: "" });
    expect(list).toEqual({ baseUrl: providerUrl, source: "credential", models: ["alpha-70b", "zeta-7b"] });
    expect(seenAuth.at(-1)).toBe(`Bearer ${GOOD_KEY}`);
    // The block's own base URL wins over the credential's; the key still goes with it.
    const viaBlock = await alice.trpc.credential.models({ credentialId: cred.id, baseUrl: `${providerUrl}/` });
    expect(viaBlock.source).toBe("block");
    expect(JSON.stringify(viaBlock)).not.toContain(GOOD_KEY);
  });

  it("says in words that a wrong key was refused: 401 Unauthorized — check the API key", async () => {
    const bob = await person("bob@example.com");
    const cred = await bob.trpc.credential.create({ name: "Wrong key", kind: "openai", secret: "sk-wrong-0000000000", baseUrl: providerUrl });
    expect(await failure(bob.trpc.credential.models({ credentialId: cred.id, baseUrl: "" }))).toEqual({
      code: "BAD_REQUEST",
      message: `Could not list models at ${providerUrl}: 401 Unauthorized — check the API key`,
    });
  });

  it("refuses a URL the SSRF guard blocks, before sending anything", async () => {
    const carol = await person("carol@example.com");
    const before = seenAuth.length;
    const refused = await failure(carol.trpc.credential.models({ credentialId: null, baseUrl: "http://127.0.0.1:9/v1" }));
    expect(refused.code).toBe("BAD_REQUEST");
    expect(refused.message).toBe(
      "Could not list models at http://127.0.0.1:9/v1: Refused to connect to 127.0.0.1: it resolves to 127.0.0.1, this machine (loopback). " +
        "An operator can allow such hosts with SKYLOOM_ALLOW_PRIVATE_URLS.",
    );
    const metadata = await failure(carol.trpc.credential.models({ credentialId: null, baseUrl: "http://169.254.169.254/latest" }));
    expect(metadata.message).toContain("a cloud metadata service");
    expect(seenAuth.length).toBe(before);
  });

  it("with neither credential nor base URL, lists Skyloom's default model: the local development model answers /v1/models", async () => {
    const dan = await person("dan@example.com");
    expect(await dan.trpc.credential.models({ credentialId: null, baseUrl: "" })).toEqual({ baseUrl: "", source: "default", models: ["skyloom-dev"] });
    expect(await dan.trpc.credential.defaultModel()).toEqual({ source: "dev-model" });
  });

  it("a credential with a key and no base URL lists OpenAI's models (OpenAI's URL pointed at the local server)", async () => {
    const erin = await person("erin@example.com");
    const cred = createCredential(backend.db, deps.secretKey, { teamId: erin.teamId, userId: erin.userId }, { name: "OpenAI", kind: "openai", secret: GOOD_KEY });
    const list = await listProviderModels(deps, erin.teamId, { credentialId: cred.id, baseUrl: "" }, { openAiBaseUrl: providerUrl });
    expect(list).toEqual({ baseUrl: providerUrl, source: "credential", models: ["alpha-70b", "zeta-7b"] });
    expect(seenAuth.at(-1)).toBe(`Bearer ${GOOD_KEY}`);
  });

  it("another team's credential is NOT_FOUND; a viewer may not make the server call out", async () => {
    const owner = await person("owner@example.com");
    const cred = await owner.trpc.credential.create({ name: "Mine", kind: "openai", secret: GOOD_KEY, baseUrl: providerUrl });
    const stranger = await person("stranger@example.com");
    expect((await failure(stranger.trpc.credential.models({ credentialId: cred.id, baseUrl: "" }))).code).toBe("NOT_FOUND");

    const viewer = await person("viewer@example.com");
    await joinTeam(owner.trpc, viewer.trpc, "viewer");
    await viewer.trpc.team.switch({ teamId: owner.teamId });
    expect((await failure(viewer.trpc.credential.models({ credentialId: cred.id, baseUrl: "" }))).code).toBe("FORBIDDEN");
  });

  it("rejects a base URL that is not http(s) with a message naming the field", async () => {
    const fay = await person("fay@example.com");
    expect((await failure(fay.trpc.credential.models({ credentialId: null, baseUrl: "file:///etc/passwd" }))).message).toMatch(/^baseUrl: Enter an http\(s\) URL/);
  });
});

describe("listProviderModels limits", () => {
  let teamId: string;
  beforeAll(async () => {
    teamId = (await person("limits@example.com")).teamId;
  });

  it("stops reading an answer larger than the limit", async () => {
    await expect(listProviderModels(deps, teamId, { credentialId: null, baseUrl: providerUrl.replace("/v1", "/big/v1") }, { maxBytes: 1024 })).rejects.toThrow(
      /Could not list models at .*\/big\/v1: .*larger than/,
    );
  });

  it("gives up on a server that never answers", async () => {
    await expect(listProviderModels(deps, teamId, { credentialId: null, baseUrl: providerUrl.replace("/v1", "/hang/v1") }, { timeoutMs: 300 })).rejects.toThrow(
      /no answer within 300 ms — is the server running\?/,
    );
  });

  it("says when the answer is not a model list", async () => {
    await expect(listProviderModels(deps, teamId, { credentialId: null, baseUrl: providerUrl.replace("/v1", "/html/v1") })).rejects.toThrow(
      /the answer is not a model list/,
    );
  });

  it("reads OpenAI's shape and a bare array; anything else is not a list", () => {
    expect(modelIds('{"data":[{"id":"b"},{"id":"a"}]}')).toEqual(["a", "b"]);
    expect(modelIds('[{"id":"x"}]')).toEqual(["x"]);
    expect(modelIds('{"models":[]}')).toBeNull();
    expect(modelIds("not json")).toBeNull();
  });
});
