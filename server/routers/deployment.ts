import { z } from "zod";
import { router, teamProcedure } from "../trpc/trpc";
import { scopeOf } from "./team";

/**
 * Deploying flows on the compute marketplace (ADR 028; shapes in docs/marketplace-api.md).
 * Viewers read; editors deploy, stop, redeploy and scale. Every id is looked up in the
 * caller's team, so another team's deployment is NOT_FOUND.
 */
const Id = z.string().min(1).max(64);
const SponAmount = z.string().trim().regex(/^\d{1,9}(\.\d{1,18})?$/, "an amount of SPON such as 1.5");
const Hours = z.number().int().min(1).max(8760).nullable();
const Replicas = z.number().int().min(1).max(20);

export const deploymentRouter = router({
  /** The price range live nodes would bid now for the flow as saved (catalog price when none can). */
  quote: teamProcedure("viewer")
    .input(z.object({ flowId: Id }))
    .query(({ ctx, input }) => ctx.services.deployments.quote(scopeOf(ctx), input.flowId)),

  /** Deploys the flow as saved now (a new version is snapshotted): one deployment per group. */
  create: teamProcedure("editor")
    .input(z.object({ flowId: Id, replicas: Replicas.optional(), durationHours: Hours, maxPricePerHourSpon: SponAmount.optional() }))
    .mutation(({ ctx, input }) => ctx.services.deployments.create(scopeOf(ctx), input)),

  list: teamProcedure("viewer")
    .input(z.object({ flowId: Id.optional() }).default({}))
    .query(({ ctx, input }) => ctx.services.deployments.list(scopeOf(ctx), input)),

  get: teamProcedure("viewer")
    .input(z.object({ id: Id }))
    .query(({ ctx, input }) => ctx.services.deployments.get(scopeOf(ctx), input.id)),

  /** Events after `after` (a seq from a previous answer), for the timeline to poll. */
  events: teamProcedure("viewer")
    .input(z.object({ id: Id, after: z.number().int().min(0).optional() }))
    .query(({ ctx, input }) => ctx.services.deployments.events(scopeOf(ctx), input.id, input.after)),

  stop: teamProcedure("editor")
    .input(z.object({ id: Id }))
    .mutation(({ ctx, input }) => ctx.services.deployments.stop(scopeOf(ctx), input.id)),

  /** The flow as saved now, deployed again; the old deployment closes when the new one is ready. */
  redeploy: teamProcedure("editor")
    .input(z.object({ id: Id }))
    .mutation(({ ctx, input }) => ctx.services.deployments.redeploy(scopeOf(ctx), input.id)),

  setReplicas: teamProcedure("editor")
    .input(z.object({ id: Id, replicas: Replicas }))
    .mutation(({ ctx, input }) => ctx.services.deployments.setReplicas(scopeOf(ctx), input.id, input.replicas)),
});
