import { z } from "zod";
import { listApiKeys, MAX_ALLOWED_ORIGINS, MAX_REQUESTS_PER_MINUTE } from "../services/api-keys";
import { router, teamProcedure } from "../trpc/trpc";
import { scopeOf } from "./team";

const Id = z.string().min(1).max(64);

export const apiKeyRouter = router({
  list: teamProcedure("viewer").query(({ ctx }) => listApiKeys(ctx.db, scopeOf(ctx))),

  /** Answers the token once; only its keyed hash is stored. */
  create: teamProcedure("admin")
    .input(
      z.object({
        name: z.string().trim().min(1, "Name the key, e.g. the app that will use it").max(80, "A key name is at most 80 characters"),
        kind: z.enum(["secret", "public"]).default("secret"),
        allowedAgents: z.array(Id).max(100).nullable().optional(),
        requestsPerMinute: z
          .number()
          .int("The limit is a whole number of requests")
          .min(1, "Allow at least 1 request per minute")
          .max(MAX_REQUESTS_PER_MINUTE, `At most ${MAX_REQUESTS_PER_MINUTE.toLocaleString("en")} requests per minute`)
          .nullable()
          .optional(),
        allowedOrigins: z.array(z.string().max(300)).max(MAX_ALLOWED_ORIGINS).nullable().optional(),
      }),
    )
    .mutation(({ ctx, input }) => ctx.services.apiKeys.create(scopeOf(ctx), input)),

  revoke: teamProcedure("admin")
    .input(z.object({ id: Id }))
    .mutation(({ ctx, input }) => ctx.services.apiKeys.revoke(scopeOf(ctx), input.id)),
});
