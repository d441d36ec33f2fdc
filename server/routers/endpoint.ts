import { z } from "zod";
import { GPU_IDS } from "#agents/catalog/index";
import { router, teamProcedure } from "../trpc/trpc";
import { scopeOf } from "./team";

/**
 * One-click model endpoints (ADR 028; shapes in docs/marketplace-api.md). Viewers read;
 * editors create, stop, start and delete. Ids are looked up in the caller's team.
 */
const Id = z.string().min(1).max(64);
const SponAmount = z.string().trim().regex(/^\d{1,9}(\.\d{1,18})?$/, "an amount of SPON such as 1.5");

/** The metrics ranges the endpoint page offers, and the bucket each is drawn with. */
export const METRICS_RANGES = { "15m": [15 * 60_000, 30_000], "1h": [3_600_000, 60_000], "24h": [86_400_000, 1_800_000], "7d": [7 * 86_400_000, 6 * 3_600_000] } as const;

export const endpointRouter = router({
  catalog: teamProcedure("viewer")
    .input(
      z
        .object({
          search: z.string().max(100).optional(),
          task: z.enum(["chat", "embeddings"]).optional(),
          size: z.enum(["small", "medium", "large"]).optional(),
          mode: z.enum(["provider", "fizz"]).optional(),
        })
        .default({}),
    )
    .query(({ ctx, input }) => ctx.services.endpoints.catalog(input)),

  create: teamProcedure("editor")
    .input(
      z.object({
        modelId: z.string().min(1).max(200),
        durationHours: z.number().int().min(1).max(8760).nullable(),
        idleMinutes: z.number().int().min(1).max(10_080).nullable(),
        gpu: z.enum(["auto", ...GPU_IDS]).optional(),
        mode: z.enum(["provider", "fizz"]).optional(),
        maxPricePerHourSpon: SponAmount.optional(),
      }),
    )
    .mutation(({ ctx, input }) => ctx.services.endpoints.create(scopeOf(ctx), input)),

  list: teamProcedure("viewer").query(({ ctx }) => ctx.services.endpoints.list(scopeOf(ctx))),

  get: teamProcedure("viewer")
    .input(z.object({ id: Id }))
    .query(({ ctx, input }) => ctx.services.endpoints.get(scopeOf(ctx), input.id)),

  events: teamProcedure("viewer")
    .input(z.object({ id: Id, after: z.number().int().min(0).optional() }))
    .query(({ ctx, input }) => ctx.services.endpoints.events(scopeOf(ctx), input.id, input.after)),

  logs: teamProcedure("viewer")
    .input(z.object({ id: Id, search: z.string().max(200).optional(), limit: z.number().int().min(1).max(2000).optional() }))
    .query(({ ctx, input }) => ctx.services.endpoints.logs(scopeOf(ctx), input.id, input)),

  metrics: teamProcedure("viewer")
    .input(z.object({ id: Id, range: z.enum(["15m", "1h", "24h", "7d"]).default("1h") }))
    .query(({ ctx, input }) => {
      const [span, bucketMs] = METRICS_RANGES[input.range];
      return ctx.services.endpoints.metrics(ctx.team.id, input.id, { sinceMs: Date.now() - span, bucketMs });
    }),

  stop: teamProcedure("editor")
    .input(z.object({ id: Id }))
    .mutation(({ ctx, input }) => ctx.services.endpoints.stop(scopeOf(ctx), input.id)),

  start: teamProcedure("editor")
    .input(z.object({ id: Id }))
    .mutation(({ ctx, input }) => ctx.services.endpoints.start(scopeOf(ctx), input.id)),

  delete: teamProcedure("editor")
    .input(z.object({ id: Id }))
    .mutation(({ ctx, input }) => ctx.services.endpoints.delete(scopeOf(ctx), input.id)),
});
