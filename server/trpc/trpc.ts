import { initTRPC, TRPCError } from "@trpc/server";
import { ZodError } from "zod";
import { TEAM_ROLES, type TeamRole } from "#db/schema";
import { MarketplaceError } from "../marketplace/marketplace";
import { DomainError } from "../services/errors";
import type { Context } from "./context";
import { formatTrpcError } from "./error-format";

function describeZodError(error: ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => (i.path.length > 0 ? `${i.path.join(".")}: ${i.message}` : i.message))
    .join("; ");
}

const MARKETPLACE_CODES = {
  BAD_REQUEST: "BAD_REQUEST",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  UNAUTHORIZED: "UNAUTHORIZED",
  TIMEOUT: "TIMEOUT",
  UNAVAILABLE: "SERVICE_UNAVAILABLE",
} as const satisfies Record<MarketplaceError["code"], TRPCError["code"]>;

/** The only initTRPC in Skyloom. Errors reach the browser as formatTrpcError shapes them. */
const t = initTRPC.context<Context>().create({ errorFormatter: formatTrpcError });

/**
 * Turns services' domain errors into tRPC errors with the matching code, and gives input
 * validation errors a readable message (zod's own is JSON) for server-side callers too.
 */
const mapDomainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) {
    const cause = result.error.cause;
    if (cause instanceof DomainError) throw new TRPCError({ code: cause.kind, message: cause.message, cause });
    if (cause instanceof MarketplaceError) throw new TRPCError({ code: MARKETPLACE_CODES[cause.code], message: cause.message, cause });
    if (cause instanceof ZodError && result.error.code === "BAD_REQUEST") {
      throw new TRPCError({ code: "BAD_REQUEST", message: describeZodError(cause), cause });
    }
  }
  return result;
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure.use(mapDomainErrors);

export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.viewer) throw new TRPCError({ code: "UNAUTHORIZED", message: "Log in first." });
  return next({ ctx: { ...ctx, viewer: ctx.viewer } });
});

const rank = (role: TeamRole) => TEAM_ROLES.indexOf(role);

/**
 * A procedure that acts inside the viewer's active team. The team always comes from the
 * session, never from input, so one team's ids cannot reach another team's rows.
 */
export function teamProcedure(minRole: TeamRole) {
  return authedProcedure.use(({ ctx, next }) => {
    const membership = ctx.viewer.membership;
    if (!membership) throw new TRPCError({ code: "FORBIDDEN", message: "You are not a member of any team." });
    if (rank(membership.role) < rank(minRole)) {
      throw new TRPCError({
        code: "FORBIDDEN",
        message: `This needs the ${minRole} role in ${membership.teamName}; you are ${membership.role === "admin" || membership.role === "owner" || membership.role === "editor" ? "an" : "a"} ${membership.role}.`,
      });
    }
    return next({ ctx: { ...ctx, team: { id: membership.teamId, role: membership.role, name: membership.teamName } } });
  });
}
