import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSkyloom, type RunningSkyloom } from "#server/index";
import { makePdf } from "../../support/documents";

/** POST /api/knowledge/upload against a started host, with a real session cookie. */
let skyloom: RunningSkyloom;
let dir: string;
let url: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "skyloom-kb-upload-"));
  skyloom = await startSkyloom({ DATA_DIR: dir, PORT: "0", SEED_DEMO: "false", SKYLOOM_MARKETPLACE_NODES: "0" }, { pages: false });
  url = skyloom.url.replace("localhost", "127.0.0.1");
});
afterAll(async () => {
  await skyloom.close();
  rmSync(dir, { recursive: true, force: true });
});

async function trpc(cookie: string, path: string, input: unknown, method: "POST" | "GET" = "POST") {
  const res =
    method === "POST"
      ? await fetch(`${url}/api/trpc/${path}`, { method, headers: { "content-type": "application/json", cookie }, body: JSON.stringify(input) })
      : await fetch(`${url}/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`, { headers: { cookie } });
  return { res, body: (await res.json()) as { result?: { data: unknown }; error?: { message: string } } };
}

async function signedUp(email: string): Promise<string> {
  const { res } = await trpc("", "auth.signup", { email, password: "correct-horse-battery" });
  return (res.headers.get("set-cookie") ?? "").split(";")[0] as string;
}

const upload = (cookie: string, query: string, body: BodyInit, type = "application/octet-stream") =>
  fetch(`${url}/api/knowledge/upload?${query}`, { method: "POST", headers: { "content-type": type, cookie }, body });

describe("POST /api/knowledge/upload", () => {
  it("stores a PDF for an editor of the base's team, and refuses everyone else", async () => {
    const cookie = await signedUp("uploader@example.com");
    const kb = (await trpc(cookie, "knowledge.create", { name: "Uploads" })).body.result?.data as { id: string };
    const pdf = makePdf(["Opening hours", "The museum opens at ten on Sundays."]);
    const res = await upload(cookie, `knowledgeBaseId=${kb.id}&name=${encodeURIComponent("museum guide.pdf")}`, new Uint8Array(pdf));
    expect(res.status).toBe(200);
    const added = (await res.json()) as { duplicate: boolean; document: { name: string; pages: number; format: string } };
    expect(added).toMatchObject({ duplicate: false, document: { name: "museum guide.pdf", pages: 2, format: "pdf" } });
    await skyloom.services.knowledge.whenIdle();
    const search = await trpc(cookie, "knowledge.search", { knowledgeBaseId: kb.id, query: "museum sundays" }, "GET");
    expect((search.body.result?.data as { results: { citation: string }[] }).results[0]?.citation).toBe("museum guide.pdf, page 2");

    const stranger = await signedUp("stranger-upload@example.com");
    const foreign = await upload(stranger, `knowledgeBaseId=${kb.id}&name=x.txt`, "hello");
    expect(foreign.status).toBe(404);
    expect(await foreign.json()).toEqual({ error: { code: "NOT_FOUND", message: "Knowledge base not found." } });
    const anonymous = await upload("", `knowledgeBaseId=${kb.id}&name=x.txt`, "hello");
    expect(anonymous.status).toBe(401);
  });

  it("refuses a form post (no octet-stream type), a file over the limit before reading it, and a bad file with its reason", async () => {
    const cookie = await signedUp("limits-upload@example.com");
    const kb = (await trpc(cookie, "knowledge.create", { name: "Limits" })).body.result?.data as { id: string };
    const form = await upload(cookie, `knowledgeBaseId=${kb.id}&name=a.txt`, "a=b", "application/x-www-form-urlencoded");
    expect(form.status).toBe(415);
    const big = await upload(cookie, `knowledgeBaseId=${kb.id}&name=big.txt`, new Uint8Array(50 * 1024 * 1024 + 1));
    expect(big.status).toBe(413);
    expect(await big.json()).toEqual({ error: { code: "PAYLOAD_TOO_LARGE", message: "big.txt is over 50 MB; a file may be at most 50 MB." } });
    const fake = await upload(cookie, `knowledgeBaseId=${kb.id}&name=fake.pdf`, "not a pdf at all");
    expect(fake.status).toBe(400);
    expect(await fake.json()).toEqual({ error: { code: "BAD_REQUEST", message: "fake.pdf is not a PDF: its content does not start with %PDF-." } });
    const documents = await trpc(cookie, "knowledge.documents.list", { knowledgeBaseId: kb.id }, "GET");
    expect(documents.body.result?.data).toEqual([]);
  });
});
