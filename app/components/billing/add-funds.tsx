import { Coins } from "lucide-react";
import { useState, type ReactNode } from "react";
import type { RouterOutputs } from "#app/lib/trpc";
import { useTRPCClient } from "#app/lib/trpc";
import { useAction } from "#app/lib/use-action";
import { CopyBlock } from "../publish/copy-block";
import { Button } from "../ui/button";
import { FormError, TextField } from "../ui/field";
import { WalletDeposit } from "./wallet-deposit";

type Instructions = RouterOutputs["billing"]["depositInstructions"];

/**
 * "Add funds": where to send SPON (escrow, token, the team's reference) with copy buttons and
 * the steps; a browser wallet's two-click deposit; on the devnet, "Get test SPON".
 */
export function AddFunds({
  instructions,
  devnet,
  canFund,
  onDepositSent,
}: {
  instructions: Instructions;
  devnet: boolean;
  canFund: boolean;
  /** A deposit transaction was mined: the page watches it until it is credited. */
  onDepositSent: (txHash: string) => void;
}) {
  return (
    <section aria-labelledby="add-funds-heading" className="space-y-4 rounded-md border border-slate-200 bg-white p-4" data-testid="add-funds">
      <div>
        <h2 id="add-funds-heading" className="font-semibold">
          Add funds
        </h2>
        <p className="mt-1 text-sm text-slate-600">
          Deposits go into the escrow contract under your team&apos;s reference: anyone may pay into it, from any wallet. A deposit is credited after{" "}
          {instructions.confirmations} confirmations.
        </p>
      </div>
      {devnet && canFund && <GetTestSpon onDepositSent={onDepositSent} />}
      <div className="grid gap-3 md:grid-cols-3">
        <Labelled label="Escrow address">
          <CopyBlock label="escrow address" text={instructions.escrowAddress} testId="escrow-address" wrap />
        </Labelled>
        <Labelled label="SPON token address">
          <CopyBlock label="SPON token address" text={instructions.tokenAddress} testId="token-address" wrap />
        </Labelled>
        <Labelled label="Your team's deposit reference">
          <CopyBlock label="deposit reference" text={instructions.depositRef} testId="deposit-ref" wrap />
        </Labelled>
      </div>
      <details className="text-sm">
        <summary className="cursor-pointer text-slate-700">
          Deposit by hand (chain {instructions.chainId}
          {instructions.rpcUrl ? `, RPC ${instructions.rpcUrl}` : ""})
        </summary>
        <ol className="mt-2 list-decimal space-y-1 pl-5 text-slate-600">
          {instructions.steps.map((step) => (
            <li key={step} className="break-words">
              {step}
            </li>
          ))}
        </ol>
      </details>
      {canFund ? (
        <WalletDeposit
          target={{
            chainId: instructions.chainId,
            rpcUrl: instructions.rpcUrl,
            tokenAddress: instructions.tokenAddress as `0x${string}`,
            escrowAddress: instructions.escrowAddress as `0x${string}`,
            depositRef: instructions.depositRef,
          }}
          onDepositSent={onDepositSent}
        />
      ) : (
        <p className="text-sm text-slate-500" data-testid="funds-admins-only">
          Only the team&apos;s admins add funds here; anyone may still send SPON to the escrow with the reference above.
        </p>
      )}
    </section>
  );
}

function Labelled({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="min-w-0">
      <p className="mb-1 text-xs font-medium text-slate-700">{label}</p>
      {children}
    </div>
  );
}

/** Devnet only: mints demo SPON to the team's devnet wallet and deposits it through the same contract calls. */
function GetTestSpon({ onDepositSent }: { onDepositSent: (txHash: string) => void }) {
  const client = useTRPCClient();
  const [amount, setAmount] = useState("100");
  const [sent, setSent] = useState<string | null>(null);
  const get = useAction(async () => {
    const result = await client.billing.getTestSpon.mutate({ amountSpon: amount });
    setSent(result.txHash);
    onDepositSent(result.txHash);
  });
  return (
    <form
      className="flex flex-wrap items-end gap-3 rounded-md bg-amber-50 p-3"
      aria-label="Get test SPON"
      onSubmit={(e) => {
        e.preventDefault();
        void get.run();
      }}
    >
      <TextField
        label="Test SPON (devnet)"
        inputMode="decimal"
        value={amount}
        onChange={(e) => setAmount(e.target.value)}
        className="w-40"
        error={get.error?.fields.amountSpon?.[0]}
      />
      <Button type="submit" busy={get.busy}>
        <Coins size={16} aria-hidden /> Get test SPON
      </Button>
      <p className="basis-full text-xs text-amber-900">
        Demo money on the embedded devnet: minted to your team&apos;s devnet wallet and deposited into the escrow, exactly as a wallet would.
      </p>
      {sent && (
        <p role="status" className="basis-full text-xs text-slate-700">
          Deposit sent: <span className="font-mono">{sent}</span>. It shows below until it is credited.
        </p>
      )}
      <div className="basis-full">
        <FormError message={get.error && !get.error.fields.amountSpon ? get.error.message : null} />
      </div>
    </form>
  );
}
