import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { sponToWei } from "../billing/amounts";
import { earningsSummary, billingSummary, depositInstructions, depositsOf, priceList } from "../billing/views";
import { setSpendLimit, spendLimits, teamApiKey } from "../billing/limits";
import { money } from "../billing/money";
import { statementPage, usageReport, USAGE_GROUPS } from "../billing/reports";
import { BillingUnavailable } from "../billing/service";
import { router, teamProcedure } from "../trpc/trpc";

/** Most test SPON one press of "Get test SPON" gives (the devnet mints it; the cap keeps numbers readable). */
export const TEST_SPON_PER_REQUEST = "1000";

const SPON_AMOUNT = /^\d{1,12}(\.\d{1,18})?$/;

/** An amount of SPON typed by a person: up to 18 decimals, never a float. */
const Spon = (what: string, max: string) =>
  z
    .string()
    .trim()
    .regex(SPON_AMOUNT, `${what}: write an amount of SPON such as 25 or 0.5 (at most 18 decimals)`)
    // Only a well-formed amount is compared (zod runs every check, even after a failed one).
    .refine((v) => !SPON_AMOUNT.test(v) || sponToWei(v) <= sponToWei(max), `${what}: at most ${max} SPON`);

/** Billing calls that need the chain answer PRECONDITION_FAILED with why when it is off. */
async function orPrecondition<T>(work: () => T | Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof BillingUnavailable) throw new TRPCError({ code: "PRECONDITION_FAILED", message: error.message, cause: error });
    if (error instanceof RangeError) throw new TRPCError({ code: "BAD_REQUEST", message: error.message, cause: error });
    throw error;
  }
}

/**
 * The team's money (docs/billing-api.md has every shape): viewers see balances, deposits,
 * prices, usage, the statement, limits and earnings; admins fund (test SPON), set spend limits
 * and settle earnings. The team is always the session's; amounts are { wei, spon } strings.
 */
export const billingRouter = router({
  summary: teamProcedure("viewer").query(({ ctx }) => billingSummary(ctx.services.billing, ctx.team.id)),

  depositInstructions: teamProcedure("viewer").query(({ ctx }) => orPrecondition(() => depositInstructions(ctx.services.billing, ctx.team.id))),

  deposits: teamProcedure("viewer")
    .input(z.object({ limit: z.number().int().min(1).max(200).default(50) }).default({ limit: 50 }))
    .query(({ ctx, input }) => depositsOf(ctx.services.billing, ctx.team.id, input.limit)),

  getTestSpon: teamProcedure("admin")
    .input(z.object({ amountSpon: Spon("amountSpon", TEST_SPON_PER_REQUEST) }))
    .mutation(({ ctx, input }) =>
      orPrecondition(async () => {
        const amount = sponToWei(input.amountSpon);
        if (amount === 0n) throw new RangeError("amountSpon: ask for more than 0 SPON.");
        const txHash = await ctx.services.billing.getTestSpon(ctx.team.id, amount);
        return { txHash, amount: money(amount) };
      }),
    ),

  prices: teamProcedure("viewer").query(({ ctx }) => priceList(ctx.services.billing)),

  usage: teamProcedure("viewer")
    .input(z.object({ days: z.number().int().min(1).max(90).default(30), groupBy: z.enum(USAGE_GROUPS).default("agent") }))
    .query(({ ctx, input }) => {
      // Endpoint requests wait in a buffer for up to 200 ms; the report counts them all.
      if (input.groupBy === "endpoint") ctx.services.endpoints.flushRequests();
      return usageReport(ctx.services.billing.sqlite, ctx.team.id, input.days, input.groupBy);
    }),

  statement: teamProcedure("viewer")
    .input(z.object({ cursor: z.number().int().min(1).optional(), limit: z.number().int().min(1).max(200).default(50) }).default({ limit: 50 }))
    .query(({ ctx, input }) => statementPage(ctx.services.billing.sqlite, ctx.team.id, input)),

  limits: teamProcedure("viewer").query(({ ctx }) => spendLimits(ctx.services.billing.sqlite, ctx.services.billing.meter, ctx.team.id)),

  setTeamLimit: teamProcedure("admin")
    .input(z.object({ monthlySpon: Spon("monthlySpon", "1000000000").nullable() }))
    .mutation(({ ctx, input }) => {
      const { billing } = ctx.services;
      setSpendLimit(billing.sqlite, billing.meter, ctx.team.id, "", input.monthlySpon === null ? null : sponToWei(input.monthlySpon));
      return spendLimits(billing.sqlite, billing.meter, ctx.team.id);
    }),

  setKeyLimit: teamProcedure("admin")
    .input(z.object({ apiKeyId: z.string().min(1).max(64), monthlySpon: Spon("monthlySpon", "1000000000").nullable() }))
    .mutation(({ ctx, input }) => {
      const { billing } = ctx.services;
      if (!teamApiKey(billing.sqlite, ctx.team.id, input.apiKeyId)) throw new TRPCError({ code: "NOT_FOUND", message: "API key not found." });
      setSpendLimit(billing.sqlite, billing.meter, ctx.team.id, input.apiKeyId, input.monthlySpon === null ? null : sponToWei(input.monthlySpon));
      return spendLimits(billing.sqlite, billing.meter, ctx.team.id);
    }),

  earnings: teamProcedure("viewer").query(({ ctx }) => earningsSummary(ctx.services.billing, ctx.team.id)),

  settleEarnings: teamProcedure("admin").mutation(({ ctx }) =>
    orPrecondition(async () => {
      const { billing } = ctx.services;
      const providers = (await billing.earnings(ctx.team.id)).map((p) => p.address);
      const result = await billing.settleEarnings(providers);
      return { txHash: result.txHash, leases: result.leases, amount: money(result.amountWei) };
    }),
  ),
});
