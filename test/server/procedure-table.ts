import type { TeamRole } from "#db/schema";
import type { ServerCaller } from "#server/trpc/root";

/**
 * Who may call each tRPC procedure, and what someone from another team gets. Every procedure
 * of the app router must have an entry: test/server/every-procedure.test.ts walks the router at
 * run time, fails for a procedure missing here, and checks each entry against the real router:
 *
 *  - public: a logged-out caller gets an answer.
 *  - authed: a logged-out caller gets UNAUTHORIZED; the owner of team A gets an answer.
 *  - team(minRole): logged out → UNAUTHORIZED; a member of team A one role below minRole →
 *    FORBIDDEN and nothing changes; a member with exactly minRole gets an answer.
 * And for authed and team entries, `stranger` says what the owner of another team gets when
 * calling with team A's ids:
 *  - "NOT_FOUND": the call takes ids; team A's are NOT_FOUND and nothing changes anywhere;
 *  - "own team only": the call takes no id of team A's (or treats one like an unknown id); it
 *    acts on the stranger's own team: team A's rows stay as they were and the answer names
 *    none of team A's ids;
 *  - a pattern: the exact refusal (for a call that rejects a foreign id in another way).
 *
 * To add a procedure: one line below, calling it with ids from the fixture `f` (team A's
 * resources, made fresh for each entry) the way a real client would.
 */
export type TeamAFixture = {
  teamId: string;
  teamName: string;
  flowId: string;
  versionId: string;
  agentId: string;
  agentSlug: string;
  apiKeyId: string;
  credentialId: string;
  /** A finished run of team A. */
  runId: string;
  /** A viewer of team A that an admin may remove. */
  memberUserId: string;
  /** Someone in no team but their own, whom an admin may add. */
  outsiderEmail: string;
  /** Email and password of an account that may log in. */
  login: { email: string; password: string };
  /** A pending invitation of team A, for the outsider's email. */
  invitationId: string;
  invitationToken: string;
  /** A knowledge base of team A with one indexed document. */
  knowledgeBaseId: string;
  documentId: string;
  /** A web page on 127.0.0.1 that the test backend may fetch. */
  pageUrl: string;
  /** A flow with a Model Endpoint block, and a deployment of it (no node bids: it failed). */
  gpuFlowId: string;
  deploymentId: string;
  /** A one-click model endpoint of team A, and a node join token. */
  endpointId: string;
  joinTokenId: string;
};

export type Call = (caller: ServerCaller, f: TeamAFixture) => Promise<unknown>;
export type StrangerGets = "NOT_FOUND" | "own team only" | RegExp;

export type ProcedureEntry =
  | { access: "public"; call: Call }
  /** Only the invited person (the outsider) gets an answer; anyone else logged in is FORBIDDEN. */
  | { access: "invitee"; call: Call }
  | { access: "authed"; stranger: StrangerGets; call: Call }
  | { access: "team"; minRole: TeamRole; stranger: StrangerGets; call: Call };

const open = (call: Call): ProcedureEntry => ({ access: "public", call });
const authed = (stranger: StrangerGets, call: Call): ProcedureEntry => ({ access: "authed", stranger, call });
const invitee = (call: Call): ProcedureEntry => ({ access: "invitee", call });
const team = (minRole: TeamRole, stranger: StrangerGets, call: Call): ProcedureEntry => ({ access: "team", minRole, stranger, call });

/** Reads a subscription to its end (a finished run replays and ends), so its errors surface. */
async function drain(events: AsyncIterable<unknown>): Promise<number> {
  let count = 0;
  for await (const _event of events) count += 1;
  return count;
}

let signups = 0;
const graph = { schemaVersion: 1 as const, nodes: [], edges: [] };

export const PROCEDURES: Record<string, ProcedureEntry> = {
  "auth.me": open((c) => c.auth.me()),
  "auth.signup": open((c) => c.auth.signup({ email: `table-signup-${++signups}@example.com`, password: "correct-horse-battery" })),
  "auth.login": open((c, f) => c.auth.login(f.login)),
  "auth.logout": authed("own team only", (c) => c.auth.logout()),

  "team.list": authed("own team only", (c) => c.team.list()),
  "team.create": authed("own team only", (c) => c.team.create({ name: "Another team" })),
  "team.switch": authed("NOT_FOUND", (c, f) => c.team.switch({ teamId: f.teamId })),
  "team.rename": team("admin", "own team only", (c, f) => c.team.rename({ name: f.teamName })),
  "team.members.list": team("viewer", "own team only", (c) => c.team.members.list()),
  "team.members.updateRole": team("admin", "NOT_FOUND", (c, f) => c.team.members.updateRole({ userId: f.memberUserId, role: "editor" })),
  "team.members.remove": team("admin", "NOT_FOUND", (c, f) => c.team.members.remove({ userId: f.memberUserId })),
  // The stranger owns their own (personal) team, which its owner cannot leave.
  "team.members.leave": team("viewer", /^BAD_REQUEST: /, (c) => c.team.members.leave()),
  // The stranger's active team is personal, which is never handed over, whoever is named.
  "team.members.transferOwnership": team("owner", /^BAD_REQUEST: A personal team stays with its account/, (c, f) =>
    c.team.members.transferOwnership({ userId: f.memberUserId }),
  ),
  "team.invitations.list": team("admin", "own team only", (c) => c.team.invitations.list()),
  "team.invitations.create": team("admin", "own team only", (c, f) => c.team.invitations.create({ email: f.outsiderEmail, role: "viewer" })),
  "team.invitations.revoke": team("admin", "NOT_FOUND", (c, f) => c.team.invitations.revoke({ id: f.invitationId })),
  "team.invitations.preview": invitee((c, f) => c.team.invitations.preview({ token: f.invitationToken })),
  "team.invitations.accept": invitee((c, f) => c.team.invitations.accept({ token: f.invitationToken })),
  "team.invitations.decline": invitee((c, f) => c.team.invitations.decline({ token: f.invitationToken })),

  "flow.list": team("viewer", "own team only", (c) => c.flow.list()),
  "flow.get": team("viewer", "NOT_FOUND", (c, f) => c.flow.get({ id: f.flowId })),
  "flow.create": team("editor", "own team only", (c) => c.flow.create({ name: "New flow" })),
  "flow.importFile": team("editor", "own team only", (c) => c.flow.importFile({ text: JSON.stringify({ name: "Imported", graph }) })),
  "flow.importExternal": team("editor", "own team only", (c) =>
    c.flow.importExternal({ fileName: "agent.json", text: JSON.stringify({ nodes: [{ id: "calculator_0", data: { name: "calculator", inputs: {} } }], edges: [] }) }),
  ),
  "flow.save": team("editor", "NOT_FOUND", (c, f) => c.flow.save({ id: f.flowId, graph, expectedRevision: 1 })),
  "flow.rename": team("editor", "NOT_FOUND", (c, f) => c.flow.rename({ id: f.flowId, name: "Renamed" })),
  "flow.duplicate": team("editor", "NOT_FOUND", (c, f) => c.flow.duplicate({ id: f.flowId })),
  "flow.remove": team("editor", "NOT_FOUND", (c, f) => c.flow.remove({ id: f.flowId })),
  "flow.versions.list": team("viewer", "NOT_FOUND", (c, f) => c.flow.versions.list({ flowId: f.flowId })),
  "flow.versions.get": team("viewer", "NOT_FOUND", (c, f) => c.flow.versions.get({ flowId: f.flowId, versionId: f.versionId })),
  "flow.versions.create": team("editor", "NOT_FOUND", (c, f) => c.flow.versions.create({ flowId: f.flowId, message: "v2" })),
  "flow.versions.restore": team("editor", "NOT_FOUND", (c, f) => c.flow.versions.restore({ flowId: f.flowId, versionId: f.versionId })),

  "catalog.blocks": open((c) => c.catalog.blocks()),
  "compile.preview": team("viewer", "NOT_FOUND", (c, f) => c.compile.preview({ flowId: f.flowId, versionId: f.versionId })),

  "apiKey.list": team("viewer", "own team only", (c) => c.apiKey.list()),
  "apiKey.create": team("admin", /^BAD_REQUEST: allowedAgents: one of the chosen agents is not published in this team\.$/, (c, f) =>
    c.apiKey.create({ name: "Key", allowedAgents: [f.agentId] }),
  ),
  "apiKey.revoke": team("admin", "NOT_FOUND", (c, f) => c.apiKey.revoke({ id: f.apiKeyId })),

  "agent.list": team("viewer", "own team only", (c) => c.agent.list()),
  "agent.get": team("viewer", "NOT_FOUND", (c, f) => c.agent.get({ id: f.agentId })),
  "agent.bySlug": team("viewer", "NOT_FOUND", (c, f) => c.agent.bySlug({ slug: f.agentSlug })),
  "agent.forFlow": team("viewer", "NOT_FOUND", (c, f) => c.agent.forFlow({ flowId: f.flowId })),
  "agent.publish": team("editor", "NOT_FOUND", (c, f) => c.agent.publish({ flowId: f.flowId, versionId: f.versionId })),
  "agent.rename": team("editor", "NOT_FOUND", (c, f) => c.agent.rename({ id: f.agentId, slug: `${f.agentSlug}-renamed` })),
  "agent.unpublish": team("editor", "NOT_FOUND", (c, f) => c.agent.unpublish({ id: f.agentId })),
  "agent.runs": team("viewer", "NOT_FOUND", (c, f) => c.agent.runs({ id: f.agentId })),
  "agent.usage": team("viewer", "NOT_FOUND", (c, f) => c.agent.usage({ id: f.agentId })),

  "run.start": team("editor", "NOT_FOUND", async (c, f) => {
    const { runId } = await c.run.start({ flowId: f.flowId, input: "Hello", conversationId: "table-conversation" });
    return drain(await c.run.events({ id: runId }));
  }),
  "run.cancel": team("editor", "NOT_FOUND", (c, f) => c.run.cancel({ id: f.runId })),
  "run.get": team("viewer", "NOT_FOUND", (c, f) => c.run.get({ id: f.runId })),
  "run.list": team("viewer", "own team only", (c, f) => c.run.list({ flowId: f.flowId })),
  "run.events": team("viewer", "NOT_FOUND", async (c, f) => drain(await c.run.events({ id: f.runId }))),

  "credential.list": team("viewer", "own team only", (c) => c.credential.list()),
  "credential.create": team("editor", "own team only", (c) => c.credential.create({ name: "Key", kind: "secret", secret: "s3cret-value-123" })),
  "credential.rename": team("editor", "NOT_FOUND", (c, f) => c.credential.rename({ id: f.credentialId, name: "Renamed" })),
  "credential.remove": team("editor", "NOT_FOUND", (c, f) => c.credential.remove({ id: f.credentialId })),
  // Without a credential or URL it lists the default model (the local development model here);
  // another team's credential id is refused in test/server/provider-models.test.ts.
  "credential.models": team("editor", "own team only", (c) => c.credential.models({ credentialId: null, baseUrl: "" })),
  "credential.defaultModel": team("viewer", "own team only", (c) => c.credential.defaultModel()),

  "knowledge.list": team("viewer", "own team only", (c) => c.knowledge.list()),
  "knowledge.get": team("viewer", "NOT_FOUND", (c, f) => c.knowledge.get({ id: f.knowledgeBaseId })),
  "knowledge.create": team("editor", "own team only", (c) => c.knowledge.create({ name: "Docs" })),
  "knowledge.update": team("editor", "NOT_FOUND", (c, f) => c.knowledge.update({ id: f.knowledgeBaseId, settings: { name: "Renamed", chunkSize: 300 } })),
  "knowledge.remove": team("editor", "NOT_FOUND", (c, f) => c.knowledge.remove({ id: f.knowledgeBaseId })),
  "knowledge.search": team("viewer", "NOT_FOUND", (c, f) => c.knowledge.search({ knowledgeBaseId: f.knowledgeBaseId, query: "ferry" })),
  "knowledge.documents.list": team("viewer", "NOT_FOUND", (c, f) => c.knowledge.documents.list({ knowledgeBaseId: f.knowledgeBaseId })),
  "knowledge.documents.chunks": team("viewer", "NOT_FOUND", (c, f) => c.knowledge.documents.chunks({ knowledgeBaseId: f.knowledgeBaseId, documentId: f.documentId })),
  "knowledge.documents.upload": team("editor", "NOT_FOUND", (c, f) =>
    c.knowledge.documents.upload({ knowledgeBaseId: f.knowledgeBaseId, name: "more.md", contentBase64: Buffer.from(`# More\n\n${f.teamName} notes`).toString("base64") }),
  ),
  "knowledge.documents.addUrl": team("editor", "NOT_FOUND", (c, f) => c.knowledge.documents.addUrl({ knowledgeBaseId: f.knowledgeBaseId, url: f.pageUrl })),
  "knowledge.documents.reindex": team("editor", "NOT_FOUND", (c, f) => c.knowledge.documents.reindex({ knowledgeBaseId: f.knowledgeBaseId, documentId: f.documentId })),
  "knowledge.documents.remove": team("editor", "NOT_FOUND", (c, f) => c.knowledge.documents.remove({ knowledgeBaseId: f.knowledgeBaseId, documentId: f.documentId })),

  "deployment.quote": team("viewer", "NOT_FOUND", (c, f) => c.deployment.quote({ flowId: f.gpuFlowId })),
  "deployment.create": team("editor", "NOT_FOUND", (c, f) => c.deployment.create({ flowId: f.gpuFlowId, durationHours: 1 })),
  "deployment.list": team("viewer", "own team only", (c) => c.deployment.list()),
  "deployment.get": team("viewer", "NOT_FOUND", (c, f) => c.deployment.get({ id: f.deploymentId })),
  "deployment.events": team("viewer", "NOT_FOUND", (c, f) => c.deployment.events({ id: f.deploymentId })),
  "deployment.stop": team("editor", "NOT_FOUND", (c, f) => c.deployment.stop({ id: f.deploymentId })),
  "deployment.redeploy": team("editor", "NOT_FOUND", (c, f) => c.deployment.redeploy({ id: f.deploymentId })),
  "deployment.setReplicas": team("editor", "NOT_FOUND", (c, f) => c.deployment.setReplicas({ id: f.deploymentId, replicas: 2 })),

  "endpoint.catalog": team("viewer", "own team only", (c) => c.endpoint.catalog({ task: "chat", size: "small" })),
  "endpoint.create": team("editor", "own team only", (c) => c.endpoint.create({ modelId: "Qwen/Qwen2.5-7B-Instruct", durationHours: 1, idleMinutes: null })),
  "endpoint.list": team("viewer", "own team only", (c) => c.endpoint.list()),
  "endpoint.get": team("viewer", "NOT_FOUND", (c, f) => c.endpoint.get({ id: f.endpointId })),
  "endpoint.events": team("viewer", "NOT_FOUND", (c, f) => c.endpoint.events({ id: f.endpointId })),
  "endpoint.logs": team("viewer", "NOT_FOUND", (c, f) => c.endpoint.logs({ id: f.endpointId, search: "POST" })),
  "endpoint.metrics": team("viewer", "NOT_FOUND", (c, f) => c.endpoint.metrics({ id: f.endpointId, range: "1h" })),
  "endpoint.stop": team("editor", "NOT_FOUND", (c, f) => c.endpoint.stop({ id: f.endpointId })),
  "endpoint.start": team("editor", "NOT_FOUND", (c, f) => c.endpoint.start({ id: f.endpointId })),
  "endpoint.delete": team("editor", "NOT_FOUND", (c, f) => c.endpoint.delete({ id: f.endpointId })),

  "node.list": team("viewer", "own team only", (c) => c.node.list()),
  "node.joinTokens.list": team("admin", "own team only", (c) => c.node.joinTokens.list()),
  "node.joinTokens.create": team("admin", "own team only", (c) => c.node.joinTokens.create({ name: "Gaming PC" })),
  "node.joinTokens.revoke": team("admin", "NOT_FOUND", (c, f) => c.node.joinTokens.revoke({ id: f.joinTokenId })),
};
