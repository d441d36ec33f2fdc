import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { and, eq, ne } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { TEAM_ROLES, memberships, modelEndpoints, nodeJoinTokens, sessions, teamInvitations, type TeamRole } from "#db/schema";
import { newId } from "#agents/graph/ids";
import type { GraphDoc } from "#agents/graph/index";
import { projectRoot } from "#db/root";
import { signUp } from "#server/services/accounts";
import { randomToken, sha256Hex } from "#server/services/crypto";
import { helloAgentGraph } from "#server/services/seed";
import { SignupLimiter } from "#server/services/signup-limiter";
import { createContext } from "#server/trpc/context";
import { appRouter, createCaller, type ServerCaller } from "#server/trpc/root";
import { createTestBackend, type TestBackend } from "../support/harness";
import { outcomeOf } from "../support/trpc-errors";
import { PROCEDURES, type ProcedureEntry, type StrangerGets, type TeamAFixture } from "./procedure-table";

/**
 * Walks every procedure of the app router and checks it against its entry in
 * ./procedure-table.ts: who may call it, which role it needs, and that another team's ids get
 * nowhere. A procedure without an entry fails here by name.
 */
const REGISTERED = Object.keys(appRouter._def.procedures).sort();
const PASSWORD = "correct-horse-battery";

let backend: TestBackend;
/** The people: the owner of team A ("Acme"), one member per role, and a stranger with a team of their own. */
const people = {} as Record<"owner" | "viewer" | "editor" | "admin" | "member" | "outsider" | "stranger", { id: string; email: string }>;
let acmeId: string;
let runId: string;
let pageUrl: string;
let pageServer: Server | undefined;

/** A web page on 127.0.0.1 (a new address per fetch, so each upload is a new document). */
async function servePage(html: string): Promise<string> {
  let served = 0;
  pageServer = createServer((_req, res) => void res.writeHead(200, { "content-type": "text/html" }).end(html.replace("</body>", `<p>${++served}</p></body>`)));
  await new Promise<void>((resolve) => pageServer?.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(pageServer.address() as AddressInfo).port}/timetable.html`;
}

/** A fresh session for a person in their active team: each check starts from a clean one. */
function callerFor(userId: string | null, activeTeamId: string | null): ServerCaller {
  let token: string | undefined;
  if (userId) {
    token = randomToken();
    const now = Date.now();
    backend.db
      .insert(sessions)
      .values({ id: newId("ses"), tokenHash: sha256Hex(token), userId, activeTeamId, createdAt: new Date(now), expiresAt: new Date(now + 3_600_000) })
      .run();
  }
  const cookies = { set: () => undefined, clear: () => undefined };
  return createCaller(createContext(backend.services, { sessionToken: token, clientIp: "127.0.0.1", cookies }));
}

const acmeCaller = (role: "owner" | TeamRole) => callerFor(people[role].id, acmeId);
const strangerCaller = () => callerFor(people.stranger.id, null);

beforeAll(async () => {
  // 127.0.0.1 is allowed so knowledge.documents.addUrl can fetch the page served below.
  backend = await createTestBackend({ adapters: { signupLimiter: new SignupLimiter(1000) }, env: { SKYLOOM_ALLOW_PRIVATE_URLS: "127.0.0.1" } });
  pageUrl = await servePage("<html><head><title>Ferry</title></head><body><h1>Timetable</h1><p>The ferry leaves at nine.</p></body></html>");
  for (const name of ["owner", "viewer", "editor", "admin", "member", "outsider", "stranger"] as const) {
    const email = `${name}@example.com`;
    people[name] = { id: (await signUp(backend.db, { email, password: PASSWORD })).userId, email };
  }
  const owner = callerFor(people.owner.id, null);
  acmeId = (await owner.team.create({ name: "Acme" })).id;
  const acmeOwner = acmeCaller("owner");
  const flow = await acmeOwner.flow.create({ name: "Run source", graph: helloAgentGraph() });
  runId = (await acmeOwner.run.start({ flowId: flow.id, input: "Hello", conversationId: "fixture" })).runId;
  for await (const _event of await acmeOwner.run.events({ id: runId })) void _event;
});
afterAll(async () => {
  await new Promise((resolve) => pageServer?.close(resolve));
  await backend.close();
});

let fixtures = 0;

/** Team A's resources, made fresh for each entry, so one entry's changes never reach another's. */
async function freshFixture(): Promise<TeamAFixture> {
  fixtures += 1;
  const owner = acmeCaller("owner");
  const db = backend.db;
  // Team A's members with their roles again (an entry may have removed, demoted or promoted
  // someone, or handed ownership over), the outsider in no team but their own.
  db.delete(memberships).where(and(eq(memberships.userId, people.outsider.id), ne(memberships.role, "owner"))).run();
  db.delete(memberships).where(eq(memberships.teamId, acmeId)).run();
  const roles = { owner: "owner", viewer: "viewer", editor: "editor", admin: "admin", member: "viewer" } as const;
  db.insert(memberships)
    .values(Object.entries(roles).map(([who, role]) => ({ teamId: acmeId, userId: people[who as keyof typeof roles].id, role, createdAt: new Date() })))
    .run();
  // A fresh pending invitation, written directly: issuing one per entry through the router
  // would reach the team's hourly invitation limit (team.invitations.create has its own entry).
  db.delete(teamInvitations).where(eq(teamInvitations.teamId, acmeId)).run();
  const invitationToken = randomToken();
  const invitationId = newId("inv");
  db.insert(teamInvitations)
    .values({
      id: invitationId,
      teamId: acmeId,
      email: people.outsider.email,
      role: "viewer",
      tokenHash: sha256Hex(invitationToken),
      status: "pending",
      invitedBy: people.owner.id,
      createdAt: new Date(),
      expiresAt: new Date(Date.now() + 3_600_000),
    })
    .run();
  const flow = await owner.flow.create({ name: "Secret plans", graph: helloAgentGraph() });
  const version = await owner.flow.versions.create({ flowId: flow.id, message: "v1" });
  const agent = await owner.agent.publish({ flowId: flow.id, versionId: version.id });
  const apiKey = await owner.apiKey.create({ name: "Team A key" });
  const credential = await owner.credential.create({ name: `Team A secret ${fixtures}`, kind: "secret", secret: "team-a-secret-value" });
  const knowledgeBase = await owner.knowledge.create({ name: `Team A docs ${fixtures}` });
  const document = await owner.knowledge.documents.upload({ knowledgeBaseId: knowledgeBase.id, name: "ferry.md", contentBase64: Buffer.from("# Ferry\n\nThe ferry leaves at nine.").toString("base64") });
  // Earlier fixtures' endpoints stop, so the team's limit on running endpoints is never reached.
  db.update(modelEndpoints).set({ state: "stopped" }).where(eq(modelEndpoints.teamId, acmeId)).run();
  db.delete(nodeJoinTokens).where(eq(nodeJoinTokens.teamId, acmeId)).run();
  const gpuFlow = await owner.flow.create({ name: "GPU model", graph: endpointFlowGraph() });
  const [deployment] = await owner.deployment.create({ flowId: gpuFlow.id, durationHours: 1 });
  const endpoint = await owner.endpoint.create({ modelId: "Qwen/Qwen2.5-7B-Instruct", durationHours: 1, idleMinutes: null });
  const joinToken = await owner.node.joinTokens.create({ name: `Team A node ${fixtures}` });
  // No node bids (the test backend starts none): the orders close at once; let the reconciler settle.
  await backend.services.deployments.reconcile();
  // Ingestion runs in the background; every check below compares the database before and after a call.
  await backend.services.knowledge.whenIdle();
  return {
    teamId: acmeId,
    teamName: "Acme",
    flowId: flow.id,
    versionId: version.id,
    agentId: agent.id,
    agentSlug: agent.slug,
    apiKeyId: apiKey.key.id,
    credentialId: credential.id,
    runId,
    memberUserId: people.member.id,
    outsiderEmail: people.outsider.email,
    login: { email: people.member.email, password: PASSWORD },
    invitationId,
    invitationToken,
    knowledgeBaseId: knowledgeBase.id,
    documentId: document.document.id,
    pageUrl,
    gpuFlowId: gpuFlow.id,
    deploymentId: deployment!.id,
    endpointId: endpoint.id,
    joinTokenId: joinToken.id,
  };
}

/** The compile fixture's flow with one Model Endpoint block. */
function endpointFlowGraph() {
  return (JSON.parse(readFileSync(join(projectRoot(), "test/fixtures/compile/gpu-llm-endpoint/flow.json"), "utf8")) as { graph: GraphDoc }).graph;
}

/** Every row of every table but sessions (runs written behind are stored first). */
function wholeDatabase(): string {
  backend.services.runStore.storeFinished();
  const tables = backend.sqlite
    .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '%drizzle%' and name != 'sessions' order by name")
    .all() as { name: string }[];
  // Rows as sorted JSON: some tables (FTS5's shadow tables) have no rowid to order by; blobs
  // (files, vectors) as their hash.
  const rowJson = (row: unknown) =>
    JSON.stringify(Object.entries(row as Record<string, unknown>).map(([key, value]) => [key, Buffer.isBuffer(value) ? sha256Hex(value.toString("base64")) : value]));
  return JSON.stringify(tables.map(({ name }) => [name, backend.sqlite.prepare(`select * from "${name}"`).all().map(rowJson).sort()]));
}

/** Team A's rows in every table that has a team_id, and its team row. */
function teamRows(teamId: string): string {
  backend.services.runStore.storeFinished();
  const tables = backend.sqlite.prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'").all() as { name: string }[];
  const scoped = tables.filter(({ name }) =>
    (backend.sqlite.prepare(`pragma table_info("${name}")`).all() as { name: string }[]).some((column) => column.name === "team_id"),
  );
  return JSON.stringify([
    backend.sqlite.prepare("select * from teams where id = ?").all(teamId),
    ...scoped.map(({ name }) => [name, backend.sqlite.prepare(`select * from "${name}" where team_id = ? order by rowid`).all(teamId)]),
  ]);
}

/** Runs a call and returns "CODE: message" or "no error", with the answer when there is one. */
async function attempt(call: () => Promise<unknown>): Promise<{ outcome: string; answer: unknown }> {
  let answer: unknown;
  const outcome = await outcomeOf(call().then((a) => void (answer = a)));
  return { outcome, answer };
}

function idsOf(f: TeamAFixture): string[] {
  return [f.teamId, f.flowId, f.versionId, f.agentId, f.apiKeyId, f.credentialId, f.runId, f.knowledgeBaseId, f.documentId, f.gpuFlowId, f.deploymentId, f.endpointId, f.joinTokenId];
}

const below = (role: TeamRole): TeamRole | null => TEAM_ROLES[TEAM_ROLES.indexOf(role) - 1] ?? null;
const article = (role: TeamRole) => (role === "viewer" ? "a" : "an");

async function checkStranger(entry: Extract<ProcedureEntry, { stranger: StrangerGets }>, f: TeamAFixture): Promise<void> {
  if (entry.stranger === "own team only") {
    const before = teamRows(f.teamId);
    const { outcome, answer } = await attempt(() => entry.call(strangerCaller(), f));
    expect(outcome, "the stranger acting in their own team").toBe("no error");
    const leaked = idsOf(f).filter((id) => JSON.stringify(answer ?? null).includes(id));
    expect(leaked, "team A's ids in the stranger's answer").toEqual([]);
    expect(teamRows(f.teamId), "team A's rows after the stranger's call").toBe(before);
    return;
  }
  const before = wholeDatabase();
  const { outcome } = await attempt(() => entry.call(strangerCaller(), f));
  if (entry.stranger === "NOT_FOUND") expect(outcome, "the stranger with team A's ids").toMatch(/^NOT_FOUND: /);
  else expect(outcome, "the stranger with team A's ids").toMatch(entry.stranger);
  expect(wholeDatabase(), "the database after the stranger's call").toBe(before);
}

describe("every tRPC procedure", () => {
  test("has an entry in test/server/procedure-table.ts, and every entry is a real procedure", () => {
    const missing = REGISTERED.filter((path) => !Object.hasOwn(PROCEDURES, path));
    const stale = Object.keys(PROCEDURES).filter((path) => !REGISTERED.includes(path));
    expect(missing, `No entry in test/server/procedure-table.ts for: ${missing.join(", ")}. Add one line each (public, authed or team(minRole)).`).toEqual([]);
    expect(stale, `Entries in test/server/procedure-table.ts for procedures that do not exist: ${stale.join(", ")}.`).toEqual([]);
  });

  test.each(REGISTERED)("%s: access, role and team as its entry says", async (path) => {
    const entry = PROCEDURES[path];
    if (!entry) throw new Error(`${path} has no entry in test/server/procedure-table.ts; add one (public, authed or team(minRole)).`);
    const f = await freshFixture();

    if (entry.access === "public") {
      expect((await attempt(() => entry.call(callerFor(null, null), f))).outcome, "logged out").toBe("no error");
      return;
    }
    expect((await attempt(() => entry.call(callerFor(null, null), f))).outcome, "logged out").toBe("UNAUTHORIZED: Log in first.");
    if (entry.access === "invitee") {
      // Someone other than the invited person, even team A's owner, gets nowhere with the link.
      for (const other of [strangerCaller(), acmeCaller("owner")]) {
        const before = wholeDatabase();
        expect((await attempt(() => entry.call(other, f))).outcome, "someone not invited").toMatch(/^FORBIDDEN: /);
        expect(wholeDatabase(), "the database after a call by someone not invited").toBe(before);
      }
      expect((await attempt(() => entry.call(callerFor(people.outsider.id, null), f))).outcome, "the invited person").toBe("no error");
      return;
    }
    await checkStranger(entry, f);

    if (entry.access === "authed") {
      expect((await attempt(() => entry.call(acmeCaller("owner"), f))).outcome, "team A's owner").toBe("no error");
      return;
    }
    const lower = below(entry.minRole);
    if (lower) {
      const before = wholeDatabase();
      const { outcome } = await attempt(() => entry.call(acmeCaller(lower), f));
      expect(outcome, `a ${lower} of team A`).toBe(
        `FORBIDDEN: This needs the ${entry.minRole} role in Acme; you are ${article(lower)} ${lower}.`,
      );
      expect(wholeDatabase(), `the database after a ${lower}'s call`).toBe(before);
    }
    expect((await attempt(() => entry.call(acmeCaller(entry.minRole), f))).outcome, `${article(entry.minRole)} ${entry.minRole} of team A`).toBe(
      "no error",
    );
  });
});
