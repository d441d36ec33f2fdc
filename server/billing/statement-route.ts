import type { IncomingMessage, ServerResponse } from "node:http";
import type Database from "better-sqlite3";
import type { Context } from "../trpc/context";
import { statementCsv } from "./reports";

type Viewer = NonNullable<Context["viewer"]>;

function refuse(res: ServerResponse, status: number, code: string, message: string): void {
  res.statusCode = status;
  res.setHeader("content-type", "application/json");
  res.end(JSON.stringify({ error: { code, message } }));
}

/**
 * GET /api/billing/statement.csv: the session's team's whole statement as a CSV download
 * (docs/billing-api.md). Any member may read it, as billing.statement. Written in chunks, with
 * backpressure, so a long history is never one string in memory.
 */
export function statementCsvHandler(sqlite: () => Database.Database, viewerOf: (req: IncomingMessage, res: ServerResponse) => Viewer | null) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const viewer = viewerOf(req, res);
    if (!viewer) return refuse(res, 401, "UNAUTHORIZED", "Log in first.");
    const membership = viewer.membership;
    if (!membership) return refuse(res, 403, "FORBIDDEN", "You are not a member of any team.");
    const slug = membership.teamName.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "team";
    res.statusCode = 200;
    res.setHeader("content-type", "text/csv; charset=utf-8");
    res.setHeader("content-disposition", `attachment; filename="skyloom-statement-${slug}-${new Date().toISOString().slice(0, 10)}.csv"`);
    res.setHeader("cache-control", "no-store");
    for (const chunk of statementCsv(sqlite(), membership.teamId)) {
      if (!res.write(chunk)) await new Promise((resolve) => res.once("drain", resolve));
      if (res.destroyed) return;
    }
    res.end();
  };
}
