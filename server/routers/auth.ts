import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { EmailSchema, logIn, logOut, PasswordSchema, signUp } from "../services/accounts";
import { retryPhrase } from "../services/login-limiter";
import { authedProcedure, publicProcedure, router } from "../trpc/trpc";

export const authRouter = router({
  /** The person behind the session and their active team, or null when logged out. */
  me: publicProcedure.query(({ ctx }) => {
    if (!ctx.viewer) return null;
    const m = ctx.viewer.membership;
    return {
      user: ctx.viewer.user,
      team: m ? { id: m.teamId, name: m.teamName, role: m.role, personal: m.personal } : null,
    };
  }),

  signup: publicProcedure
    .input(
      z.object({
        email: EmailSchema,
        password: PasswordSchema,
        name: z.string().trim().max(100, "A name is at most 100 characters").optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      // The slot is taken before the (awaiting) password hash, so parallel sign-ups count together.
      const slot = ctx.services.signupLimiter.reserve(ctx.clientIp);
      if (!slot.allowed) {
        throw new TRPCError({
          code: "TOO_MANY_REQUESTS",
          message: `Too many sign-ups from this address; try again in ${retryPhrase(slot.retryAfterMs)}.`,
        });
      }
      const result = await signUp(ctx.db, input);
      ctx.cookies.set(result.token, result.expiresAt);
      return { userId: result.userId, teamId: result.teamId };
    }),

  login: publicProcedure
    .input(z.object({ email: z.string().trim().min(1, "Enter your email").max(254), password: z.string().min(1, "Enter your password").max(200) }))
    .mutation(async ({ ctx, input }) => {
      const result = await logIn(ctx.db, ctx.services.loginLimiter, { ...input, ip: ctx.clientIp });
      ctx.cookies.set(result.token, result.expiresAt);
      return { userId: result.userId };
    }),

  logout: authedProcedure.mutation(({ ctx }) => {
    logOut(ctx.db, ctx.viewer.sessionId);
    ctx.cookies.clear();
    return { ok: true as const };
  }),
});
