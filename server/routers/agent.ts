import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { RUN_STATUSES } from "#db/schema";
import {
  getPublication,
  getPublicationBySlug,
  getPublicationForFlow,
  listPublications,
  publishAgent,
  renameAgentSlug,
  unpublishAgent,
} from "../services/publishing";
import { agentUsageByDay, listAgentRuns } from "../services/usage";
import { undeployedEndpointProblems } from "../services/flow-endpoints";
import { getFlow, getFlowVersion } from "../services/flows";
import { router, teamProcedure } from "../trpc/trpc";
import { scopeOf } from "./team";

const Id = z.string().min(1).max(64);
const Slug = z.string().trim().min(1, "Give the agent a model name").max(64, "A model name is at most 64 characters");

/** Published agents: a flow version served by the /v1 gateway under a slug (see ADR 002). */
export const agentRouter = router({
  list: teamProcedure("viewer").query(({ ctx }) => listPublications(ctx.db, scopeOf(ctx))),

  get: teamProcedure("viewer")
    .input(z.object({ id: Id }))
    .query(({ ctx, input }) => getPublication(ctx.db, scopeOf(ctx), input.id)),

  bySlug: teamProcedure("viewer")
    .input(z.object({ slug: Slug }))
    .query(({ ctx, input }) => getPublicationBySlug(ctx.db, scopeOf(ctx), input.slug)),

  /** The flow's publication, or null when it was never published. */
  forFlow: teamProcedure("viewer")
    .input(z.object({ flowId: Id }))
    .query(({ ctx, input }) => ({
      publication: getPublicationForFlow(ctx.db, scopeOf(ctx), input.flowId),
      baseUrl: `${ctx.services.config.publicUrl}/v1`,
      // Without PUBLIC_URL the browser's own address is the better guess (e.g. behind a proxy).
      baseUrlIsDefault: !ctx.services.config.publicUrlConfigured,
    })),

  publish: teamProcedure("editor")
    .input(z.object({ flowId: Id, versionId: Id.optional(), slug: Slug.optional() }))
    .mutation(async ({ ctx, input }) => {
      // An agent whose Model Endpoint is not running would answer every call with an error.
      const scope = scopeOf(ctx);
      const flow = getFlow(ctx.db, scope, input.flowId);
      const graph = input.versionId ? getFlowVersion(ctx.db, scope, { flowId: flow.id, versionId: input.versionId }).graph : flow.graph;
      const problems = await undeployedEndpointProblems(ctx.services.deployments, { teamId: scope.teamId, flowId: flow.id }, graph);
      if (problems.length > 0) throw new TRPCError({ code: "BAD_REQUEST", message: problems.map((p) => p.message).join(" ") });
      return publishAgent(ctx.db, scope, input);
    }),

  rename: teamProcedure("editor")
    .input(z.object({ id: Id, slug: Slug }))
    .mutation(({ ctx, input }) => renameAgentSlug(ctx.db, scopeOf(ctx), { agentId: input.id, slug: input.slug })),

  unpublish: teamProcedure("editor")
    .input(z.object({ id: Id }))
    .mutation(({ ctx, input }) => unpublishAgent(ctx.db, scopeOf(ctx), input.id)),

  runs: teamProcedure("viewer")
    .input(
      z.object({
        id: Id,
        status: z.enum(RUN_STATUSES).optional(),
        apiKeyId: Id.optional(),
        from: z.number().int().nonnegative().optional(),
        to: z.number().int().nonnegative().optional(),
        before: z.number().int().nonnegative().optional(),
        limit: z.number().int().min(1).max(200).optional(),
      }),
    )
    .query(({ ctx, input }) => {
      const { id, ...filter } = input;
      return listAgentRuns(ctx.db, ctx.services.runs, scopeOf(ctx), { agentId: id, ...filter });
    }),

  usage: teamProcedure("viewer")
    .input(z.object({ id: Id, days: z.number().int().min(1).max(90).default(14) }))
    .query(({ ctx, input }) => agentUsageByDay(ctx.db, ctx.services.runs, scopeOf(ctx), { agentId: input.id, days: input.days })),
});
