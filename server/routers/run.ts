import { tracked, TRPCError } from "@trpc/server";
import { z } from "zod";
import { DomainError } from "../services/errors";
import { MAX_CONVERSATION_ID } from "../services/runs";
import { router, teamProcedure } from "../trpc/trpc";
import { scopeOf } from "./team";

const Id = z.string().min(1).max(64);
const MAX_MESSAGE_CHARS = 100_000;

/** Runs of a flow's agent part: start, follow (SSE subscription), cancel, read the history. */
export const runRouter = router({
  start: teamProcedure("editor")
    .input(
      z.object({
        flowId: Id,
        input: z.string().min(1, "Type a message first").max(MAX_MESSAGE_CHARS, `A message is at most ${MAX_MESSAGE_CHARS.toLocaleString("en")} characters`),
        conversationId: z.string().min(1).max(MAX_CONVERSATION_ID).regex(/^[A-Za-z0-9_.:-]+$/, "A conversation id uses letters, digits, _ . : or -"),
      }),
    )
    .mutation(({ ctx, input }) => ctx.services.runs.startFlowRun(scopeOf(ctx), input)),

  cancel: teamProcedure("editor")
    .input(z.object({ id: Id }))
    .mutation(({ ctx, input }) => ctx.services.runs.cancel(scopeOf(ctx), input.id)),

  get: teamProcedure("viewer")
    .input(z.object({ id: Id }))
    .query(({ ctx, input }) => ctx.services.runs.get(scopeOf(ctx), input.id)),

  list: teamProcedure("viewer")
    .input(
      z.object({
        flowId: Id.optional(),
        limit: z.number().int().min(1).max(100).default(30),
        before: z.coerce.date().optional(),
      }),
    )
    .query(({ ctx, input }) => ctx.services.runs.list(scopeOf(ctx), input)),

  /**
   * The run's typed events over SSE: what already happened, then live until run.finish. Each
   * is tracked by its index, so a reconnecting EventSource resumes where it stopped.
   */
  events: teamProcedure("viewer")
    .input(z.object({ id: Id, lastEventId: z.string().regex(/^\d{1,9}$/).nullish() }))
    .subscription(async function* ({ ctx, input, signal }) {
      let index = input.lastEventId ? Number(input.lastEventId) + 1 : 0;
      try {
        for await (const event of ctx.services.runs.events(scopeOf(ctx), input.id, { signal, from: index })) {
          yield tracked(String(index), event);
          index += 1;
        }
      } catch (error) {
        // A subscription's errors surface while streaming, past the domain-error middleware.
        if (error instanceof DomainError) throw new TRPCError({ code: error.kind, message: error.message, cause: error });
        throw error;
      }
    }),
});
