import { Check, Wallet } from "lucide-react";
import { useEffect, useState } from "react";
import type { Address } from "viem";
import {
  approveDeposit,
  browserWallet,
  connectWallet,
  depositToEscrow,
  describeWalletError,
  nextWalletStep,
  readWallet,
  type DepositTarget,
  type WalletState,
} from "#app/lib/chain/wallet-deposit";
import { formatSponShort, parseSpon, SponInputError } from "#app/lib/spon-amount";
import { Button } from "../ui/button";
import { FormError, TextField } from "../ui/field";

type Busy = "connect" | "approve" | "deposit" | null;

/**
 * Deposit from the person's own wallet (window.ethereum): connect, then two clicks, each
 * confirmed in the wallet: 1. approve the escrow to take the amount, 2. deposit it with the
 * team's reference. Without a wallet it says so (the addresses above still work by hand).
 */
export function WalletDeposit({ target, onDepositSent }: { target: DepositTarget; onDepositSent: (txHash: string) => void }) {
  // Known only in the browser: the server renders "looking" and hydration settles it.
  const [hasWallet, setHasWallet] = useState<boolean | null>(null);
  const [wallet, setWallet] = useState<WalletState | null>(null);
  const [amountText, setAmountText] = useState("");
  const [busy, setBusy] = useState<Busy>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  useEffect(() => {
    const provider = browserWallet();
    setHasWallet(provider !== null);
    if (!provider) return;
    // Another account or chain picked in the wallet: connect again rather than show stale numbers.
    const forget = () => setWallet(null);
    provider.on("accountsChanged", forget);
    provider.on("chainChanged", forget);
    return () => {
      provider.removeListener("accountsChanged", forget);
      provider.removeListener("chainChanged", forget);
    };
  }, []);

  let amount: bigint | null = null;
  let amountError: string | undefined;
  if (amountText.trim() !== "") {
    try {
      amount = parseSpon(amountText);
    } catch (e) {
      amountError = e instanceof SponInputError ? e.message : String(e);
    }
  }

  async function step(which: Exclude<Busy, null>, work: (provider: NonNullable<ReturnType<typeof browserWallet>>) => Promise<void>) {
    const provider = browserWallet();
    if (!provider) return;
    setBusy(which);
    setError(null);
    try {
      await work(provider);
    } catch (e) {
      setError(describeWalletError(e));
    } finally {
      setBusy(null);
    }
  }
  const refresh = (provider: NonNullable<ReturnType<typeof browserWallet>>, address: Address) => readWallet(provider, target, address).then(setWallet);

  if (hasWallet === null) return <p className="text-sm text-slate-500">Looking for a browser wallet…</p>;
  if (!hasWallet) {
    return (
      <p className="text-sm text-slate-600" data-testid="no-wallet">
        <Wallet size={14} aria-hidden className="mr-1 inline" />
        No browser wallet found. With one (an EIP-1193 wallet such as MetaMask) you can deposit here in two clicks; without, send SPON with the addresses above.
      </p>
    );
  }
  if (!wallet) {
    return (
      <div className="space-y-2">
        <Button variant="secondary" busy={busy === "connect"} onClick={() => void step("connect", async (p) => setWallet(await connectWallet(p, target)))}>
          <Wallet size={16} aria-hidden /> Connect wallet
        </Button>
        <FormError message={error} />
      </div>
    );
  }

  const next = nextWalletStep(wallet, amount);
  const canApprove = next === "approve" && amount !== null;
  const canDeposit = next === "deposit" && amount !== null;
  return (
    <form
      className="space-y-3 rounded-md border border-slate-200 p-3"
      aria-label="Deposit from your wallet"
      data-testid="wallet-deposit"
      onSubmit={(e) => e.preventDefault()}
    >
      <p className="text-sm text-slate-700">
        Wallet <span className="font-mono text-xs" data-testid="wallet-address">{wallet.address}</span> holds{" "}
        <span data-testid="wallet-spon">{formatSponShort(wallet.sponBalance)}</span>.
      </p>
      <TextField
        label="Amount to deposit (SPON)"
        inputMode="decimal"
        value={amountText}
        onChange={(e) => {
          setAmountText(e.target.value);
          setDone(null);
        }}
        className="max-w-xs"
        error={amountError ?? (next === "not-enough-spon" ? "Your wallet holds less SPON than that." : undefined)}
      />
      <div className="flex flex-wrap items-center gap-2">
        <Button
          type="button"
          variant={canApprove ? "primary" : "secondary"}
          disabled={!canApprove}
          busy={busy === "approve"}
          onClick={() => amount !== null && void step("approve", async (p) => (await approveDeposit(p, target, wallet.address, amount), await refresh(p, wallet.address)))}
        >
          {next === "deposit" && <Check size={14} aria-label="done" />}1. Approve {amount !== null && amount > 0n ? formatSponShort(amount) : ""}
        </Button>
        <Button
          type="button"
          disabled={!canDeposit}
          busy={busy === "deposit"}
          onClick={() =>
            amount !== null &&
            void step("deposit", async (p) => {
              const hash = await depositToEscrow(p, target, wallet.address, amount);
              setDone(hash);
              setAmountText("");
              onDepositSent(hash);
              await refresh(p, wallet.address);
            })
          }
        >
          2. Deposit
        </Button>
      </div>
      {done && (
        <p role="status" className="text-xs text-slate-700">
          Deposited in <span className="font-mono">{done}</span>: it is credited after its confirmations (see Deposits).
        </p>
      )}
      <FormError message={error} />
    </form>
  );
}
