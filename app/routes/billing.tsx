import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { TRPCError } from "@trpc/server";
import { useCallback, useEffect, useRef, useState } from "react";
import { AppHeader } from "#app/components/app-header";
import { AddFunds } from "#app/components/billing/add-funds";
import { BalanceCards } from "#app/components/billing/balance-cards";
import { DepositList } from "#app/components/billing/deposit-list";
import { Earnings } from "#app/components/billing/earnings";
import { PriceList } from "#app/components/billing/price-list";
import { SpendCharts } from "#app/components/billing/spend-charts";
import { SpendLimits } from "#app/components/billing/spend-limits";
import { StatementTable } from "#app/components/billing/statement-table";
import { requireViewer } from "#app/lib/require-viewer.server";
import { useTRPC, type RouterOutputs } from "#app/lib/trpc";

/** How often the balance is read again while it moves on its own (leases streaming, usage awaiting its charge). */
const MOVING_POLL_MS = 4_000;
const isMoving = (s: RouterOutputs["billing"]["summary"]) => BigInt(s.held.wei) > 0n || BigInt(s.metered.wei) > 0n;

export const meta: MetaFunction = () => [{ title: "Billing · Skyloom" }];

export async function loader({ context }: LoaderFunctionArgs) {
  const { me, teams } = await requireViewer(context);
  const summary = await context.trpc.billing.summary();
  // Without a chain (billing off) there is nowhere to deposit: the page says so instead.
  const instructions = await context.trpc.billing.depositInstructions().catch((error: unknown) => {
    if (error instanceof TRPCError && error.code === "PRECONDITION_FAILED") return null;
    throw error;
  });
  return { me, teams, summary, instructions };
}

/** The team's money: balance, adding funds, deposits, usage and spend, the statement, limits and earnings. */
export default function BillingPage() {
  const loaded = useLoaderData<typeof loader>();
  const { me, teams, instructions } = loaded;
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  // Running leases and metered usage change the balance while the page is open (a lease closed
  // a moment ago returns its escrow a block later): follow them until nothing moves.
  const summary = useQuery({
    ...trpc.billing.summary.queryOptions(),
    initialData: loaded.summary,
    refetchInterval: (query) => (query.state.data && isMoving(query.state.data) ? MOVING_POLL_MS : false),
  });
  useStatementFollowsBalance(summary.data);
  const isAdmin = me.team?.role === "admin" || me.team?.role === "owner";
  // Deposits this page sent and is waiting for (the watcher lists them a poll later).
  const [sent, setSent] = useState<string[]>([]);
  const onDepositSent = useCallback((txHash: string) => setSent((s) => [...s, txHash]), []);
  const onCredited = useCallback(() => {
    void queryClient.invalidateQueries({ queryKey: trpc.billing.summary.queryKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.billing.statement.pathKey() });
  }, [queryClient, trpc]);

  return (
    <div className="min-h-full">
      <AppHeader me={me} teams={teams} />
      <main className="mx-auto max-w-6xl space-y-8 px-4 py-8">
        <div>
          <h1 className="text-2xl font-semibold">Billing</h1>
          <p className="mt-1 text-sm text-slate-600">
            {me.team?.name ?? "Your team"} pays in SPON from a balance held in an escrow contract: API calls are charged per token, deployments by the second.
          </p>
        </div>
        <BalanceCards summary={summary.data} />
        {instructions ? (
          <AddFunds instructions={instructions} devnet={summary.data.chain?.devnet ?? false} canFund={isAdmin} onDepositSent={onDepositSent} />
        ) : (
          <p className="rounded-md border border-slate-200 bg-slate-50 p-4 text-sm text-slate-600" data-testid="billing-off">
            This Skyloom bills on no chain, so there is nothing to deposit and nothing is charged.
          </p>
        )}
        <DepositList sent={sent} onCredited={onCredited} />
        <SpendCharts />
        <StatementTable />
        <SpendLimits canEdit={isAdmin} />
        <PriceList />
        <Earnings canSettle={isAdmin} />
      </main>
    </div>
  );
}

/** Reads the statement again whenever the balance it explains changed, so the two never disagree on screen. */
function useStatementFollowsBalance(summary: RouterOutputs["billing"]["summary"]) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const balance = `${summary.available.wei}/${summary.held.wei}/${summary.metered.wei}`;
  const shown = useRef(balance);
  useEffect(() => {
    if (shown.current === balance) return;
    shown.current = balance;
    void queryClient.invalidateQueries({ queryKey: trpc.billing.statement.pathKey() });
  }, [balance, queryClient, trpc]);
}
