import type { DbLike } from "#db/client";
import { auditLog } from "#db/schema";

export type AuditEntry = {
  teamId?: string | null;
  actorId?: string | null;
  action: string;
  targetId?: string | null;
  detail?: Record<string, unknown>;
};

/** Appends to the audit log; call it inside the transaction of the change it records. */
export function recordAudit(db: DbLike, entry: AuditEntry): void {
  db.insert(auditLog)
    .values({
      teamId: entry.teamId ?? null,
      actorId: entry.actorId ?? null,
      action: entry.action,
      targetId: entry.targetId ?? null,
      detail: entry.detail ?? null,
      at: new Date(),
    })
    .run();
}
