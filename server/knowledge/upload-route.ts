import type { IncomingMessage, ServerResponse } from "node:http";
import { TEAM_ROLES } from "#db/schema";
import { BodyTooLargeError, readBodyWithin } from "../http/read-body";
import { DomainError } from "../services/errors";
import type { Context } from "../trpc/context";
import { formatBytes } from "./limits";
import type { KnowledgeService } from "./service";

type Viewer = NonNullable<Context["viewer"]>;

const STATUS_OF: Record<DomainError["kind"], number> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  TOO_MANY_REQUESTS: 429,
  PRECONDITION_FAILED: 412,
};

function answer(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader("content-type", "application/json");
  res.end(JSON.stringify(body));
}

const refuse = (res: ServerResponse, status: number, code: string, message: string) => answer(res, status, { error: { code, message } });


/**
 * POST /api/knowledge/upload?knowledgeBaseId=…&name=… with the file as the raw body
 * (application/octet-stream): the /knowledge page sends files of up to the 50 MB limit here,
 * with upload progress, instead of as base64 through tRPC. The session cookie (SameSite=Lax)
 * says who; the team is the session's, as for every tRPC procedure, and editors only. The
 * content type is required so a cross-site form cannot post here (it cannot send this type).
 */
export function knowledgeUploadHandler(service: () => KnowledgeService, viewerOf: (req: IncomingMessage, res: ServerResponse) => Viewer | null) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://upload.invalid");
    const knowledgeBaseId = url.searchParams.get("knowledgeBaseId") ?? "";
    const name = url.searchParams.get("name") ?? "";
    if ((req.headers["content-type"] ?? "").split(";")[0]?.trim() !== "application/octet-stream") {
      return refuse(res, 415, "UNSUPPORTED_MEDIA_TYPE", "Send the file as the body with Content-Type: application/octet-stream.");
    }
    const viewer = viewerOf(req, res);
    if (!viewer) return refuse(res, 401, "UNAUTHORIZED", "Log in first.");
    const membership = viewer.membership;
    if (!membership) return refuse(res, 403, "FORBIDDEN", "You are not a member of any team.");
    if (TEAM_ROLES.indexOf(membership.role) < TEAM_ROLES.indexOf("editor")) {
      return refuse(res, 403, "FORBIDDEN", `Uploading needs the editor role in ${membership.teamName}; you are a ${membership.role}.`);
    }
    if (!knowledgeBaseId || knowledgeBaseId.length > 64 || !name || name.length > 255) {
      return refuse(res, 400, "BAD_REQUEST", "Name the knowledge base (knowledgeBaseId) and the file (name) in the query string.");
    }
    const knowledge = service();
    const max = knowledge.limits.maxFileBytes;
    const tooLarge = () => refuse(res, 413, "PAYLOAD_TOO_LARGE", `${name} is over ${formatBytes(max)}; a file may be at most ${formatBytes(max)}.`);
    let bytes: Buffer;
    try {
      bytes = await readBodyWithin(req, max);
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) throw error;
      res.setHeader("connection", "close");
      return tooLarge();
    }
    try {
      const added = await knowledge.addFile({ teamId: membership.teamId, userId: viewer.user.id }, knowledgeBaseId, { name, bytes });
      answer(res, 200, added);
    } catch (error) {
      if (error instanceof DomainError) return refuse(res, STATUS_OF[error.kind], error.kind, error.message);
      console.error("Knowledge upload failed:", error);
      refuse(res, 500, "INTERNAL_SERVER_ERROR", "The upload failed because of an error in Skyloom; the server log has the details.");
    }
  };
}
