import { and, asc, eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "#db/client";
import { credentials } from "#db/schema";
import { newId } from "#agents/graph/index";
import { recordAudit } from "./audit";
import { decryptSecret, encryptSecret } from "./crypto";
import { conflict, notFound } from "./errors";
import type { TeamScope } from "./flows";

/**
 * Team credentials: model API keys (with their OpenAI-compatible base URL) and generic
 * secrets. The secret is sealed with AES-256-GCM under the server's key; the API only ever
 * returns a masked hint, and the plaintext leaves this module only for a run.
 */
export const CREDENTIAL_KINDS = ["openai", "secret"] as const;
export type CredentialKind = (typeof CREDENTIAL_KINDS)[number];

export const CredentialName = z.string().trim().min(1, "Give the credential a name").max(80, "A name is at most 80 characters");
export const CredentialSecret = z
  .string()
  .trim()
  .min(1, "Paste the secret")
  .max(10_000, "A secret is at most 10,000 characters");
export const CredentialBaseUrl = z
  .string()
  .trim()
  .max(2_000)
  .refine((v) => {
    if (v === "") return true;
    try {
      const u = new URL(v);
      return u.protocol === "http:" || u.protocol === "https:";
    } catch {
      return false;
    }
  }, "Enter an http(s) URL such as https://api.openai.com/v1, or leave it empty");

export type CredentialView = {
  id: string;
  name: string;
  kind: CredentialKind;
  baseUrl: string;
  /** e.g. "••••••wxyz": enough to tell keys apart, never enough to use one. */
  masked: string;
  createdAt: Date;
  updatedAt: Date;
};

export function maskSecret(secret: string): string {
  return secret.length >= 12 ? `••••••${secret.slice(-4)}` : "••••••";
}

function view(row: typeof credentials.$inferSelect): CredentialView {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    baseUrl: row.meta.baseUrl ?? "",
    masked: row.meta.masked ?? "••••••",
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function loadRow(db: Db, scope: { teamId: string }, id: string) {
  const row = db.select().from(credentials).where(and(eq(credentials.id, id), eq(credentials.teamId, scope.teamId))).get();
  if (!row) throw notFound("Credential");
  return row;
}

function assertNameFree(db: Db, teamId: string, name: string, exceptId?: string) {
  const clash = db
    .select({ id: credentials.id })
    .from(credentials)
    .where(and(eq(credentials.teamId, teamId), eq(credentials.name, name)))
    .get();
  if (clash && clash.id !== exceptId) throw conflict(`A credential named "${name}" already exists in this team.`);
}

export function listCredentials(db: Db, scope: { teamId: string }): CredentialView[] {
  return db.select().from(credentials).where(eq(credentials.teamId, scope.teamId)).orderBy(asc(credentials.name)).all().map(view);
}

export function createCredential(
  db: Db,
  secretKey: Buffer,
  scope: TeamScope,
  input: { name: string; kind: CredentialKind; secret: string; baseUrl?: string },
): CredentialView {
  assertNameFree(db, scope.teamId, input.name);
  const id = newId("cred");
  const now = new Date();
  db.transaction((tx) => {
    tx.insert(credentials)
      .values({
        id,
        teamId: scope.teamId,
        name: input.name,
        kind: input.kind,
        ciphertext: encryptSecret(secretKey, input.secret),
        meta: { masked: maskSecret(input.secret), ...(input.kind === "openai" && input.baseUrl ? { baseUrl: input.baseUrl } : {}) },
        createdBy: scope.userId,
        createdAt: now,
        updatedAt: now,
      })
      .run();
    recordAudit(tx, { teamId: scope.teamId, actorId: scope.userId, action: "credential.create", targetId: id, detail: { name: input.name, kind: input.kind } });
  });
  return view(loadRow(db, scope, id));
}

export function renameCredential(db: Db, scope: TeamScope, input: { id: string; name: string }): CredentialView {
  loadRow(db, scope, input.id);
  assertNameFree(db, scope.teamId, input.name, input.id);
  db.transaction((tx) => {
    tx.update(credentials)
      .set({ name: input.name, updatedAt: new Date() })
      .where(and(eq(credentials.id, input.id), eq(credentials.teamId, scope.teamId)))
      .run();
    recordAudit(tx, { teamId: scope.teamId, actorId: scope.userId, action: "credential.rename", targetId: input.id, detail: { name: input.name } });
  });
  return view(loadRow(db, scope, input.id));
}

export function removeCredential(db: Db, scope: TeamScope, id: string): { id: string } {
  loadRow(db, scope, id);
  db.transaction((tx) => {
    tx.delete(credentials).where(and(eq(credentials.id, id), eq(credentials.teamId, scope.teamId))).run();
    recordAudit(tx, { teamId: scope.teamId, actorId: scope.userId, action: "credential.delete", targetId: id });
  });
  return { id };
}

/** The plaintext, for a run of this team only; a foreign or deleted id is NOT_FOUND. */
export function resolveCredential(db: Db, secretKey: Buffer, teamId: string, id: string): { kind: CredentialKind; secret: string; baseUrl?: string } {
  const row = loadRow(db, { teamId }, id);
  const baseUrl = row.meta.baseUrl;
  return { kind: row.kind, secret: decryptSecret(secretKey, row.ciphertext), ...(baseUrl ? { baseUrl } : {}) };
}
