import { TRPCError } from "@trpc/server";
import { z } from "zod";
import type { MarketNodeView } from "../services/market-views";
import { createJoinToken, listJoinTokens, revokeJoinToken } from "../services/join-tokens";
import { router, teamProcedure } from "../trpc/trpc";
import { scopeOf } from "./team";

/**
 * The marketplace's nodes (Settings → Nodes): who is up with what, and the join tokens a
 * team's admins make for `skyloom node --join URL --token T`. A token is shown once.
 */
export const nodeRouter = router({
  list: teamProcedure("viewer").query(async ({ ctx }): Promise<MarketNodeView[]> => {
    const [nodes, offers] = await Promise.all([ctx.services.marketplace.listNodes(), ctx.services.marketplace.listOffers()]);
    return nodes.map((n) => ({
      id: n.id,
      name: n.name,
      kind: n.kind,
      region: n.region,
      tier: n.tier,
      status: n.status,
      gpus: n.inventory.gpus,
      freeGpus: offers.find((o) => o.nodeId === n.id)?.freeGpus ?? [],
      backend: n.capabilities.modelServing?.label ?? null,
      lastHeartbeatAt: n.lastHeartbeatAt,
      payoutAddress: n.payoutAddress ?? null,
    }));
  }),

  joinTokens: router({
    list: teamProcedure("admin").query(({ ctx }) => listJoinTokens(ctx.db, scopeOf(ctx))),
    create: teamProcedure("admin")
      .input(z.object({ name: z.string().trim().min(1).max(80) }))
      .mutation(({ ctx, input }) => {
        // With MARKETPLACE=kubernetes or spheron no matchmaker runs here: a token would admit a node to nothing.
        if (!ctx.services.market) {
          throw new TRPCError({ code: "PRECONDITION_FAILED", message: `This Skyloom uses MARKETPLACE=${ctx.services.config.marketplace.kind}: nodes cannot join it, so there is no join token to make. Only MARKETPLACE=local runs a marketplace that nodes join.` });
        }
        return createJoinToken(ctx.db, scopeOf(ctx), input);
      }),
    revoke: teamProcedure("admin")
      .input(z.object({ id: z.string().min(1).max(64) }))
      .mutation(({ ctx, input }) => revokeJoinToken(ctx.db, scopeOf(ctx), input.id)),
  }),
});
