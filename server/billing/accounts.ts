/**
 * The ledger's chart of accounts. An account id names its owner and purpose, so a posting reads
 * like the sentence it records ("team T's available → team T's held"). Holders are teams, or a
 * bare deposit reference (`ref:0x…`) when a deposit names no team, so every coin in the escrow
 * sits on some account and the ledger can equal the chain.
 */
export const ACCOUNT_KINDS = [
  /** Spendable: mirrors the escrow's unlockedBalance, less usage metered but not yet charged. */
  "available",
  /** Locked for orders and leases: mirrors the escrow's lockedBalance. */
  "held",
  /** Usage metered off-chain (API tokens) and not yet charged on-chain. */
  "metered",
  /** Metered usage in a `charge` transaction sent but not yet seen confirmed (so no sweep charges it twice). */
  "charging",
  /** A provider's earnings not yet withdrawn: mirrors the escrow's earnings(provider). */
  "earnings",
  /** Usage charged on-chain and not yet withdrawn by the operator: the escrow's platformRevenue. */
  "revenue",
  /** The other side of every coin entering or leaving the escrow: −(SPON the escrow holds). */
  "escrow",
] as const;
export type AccountKind = (typeof ACCOUNT_KINDS)[number];

/** Who holds team-side accounts: a team, or a deposit reference no team owns (yet). */
export type Holder = { teamId: string } | { depositRef: string };

const holderPart = (h: Holder) => ("teamId" in h ? `team:${h.teamId}` : `ref:${h.depositRef.toLowerCase()}`);

export const accountId = {
  available: (h: Holder) => `${holderPart(h)}:available`,
  held: (h: Holder) => `${holderPart(h)}:held`,
  metered: (h: Holder) => `${holderPart(h)}:metered`,
  charging: (h: Holder) => `${holderPart(h)}:charging`,
  providerEarnings: (provider: string) => `provider:${provider.toLowerCase()}:earnings`,
  platformRevenue: () => "platform:revenue",
  chainEscrow: () => "chain:escrow",
};

export type ParsedAccount = { id: string; kind: AccountKind; teamId: string | null };

const ACCOUNT_PATTERN = /^(?:(team):([^:]{1,100})|(ref):(0x[0-9a-f]{64})|(provider):(0x[0-9a-f]{40})|(platform)|(chain)):([a-z]+)$/;

const parsed = new Map<string, ParsedAccount>();

/** Reads an account id; throws on anything that is not one of the forms above. Memoized: the gateway posts to the same few accounts all day. */
export function parseAccountId(id: string): ParsedAccount {
  const known = parsed.get(id);
  if (known) return known;
  if (parsed.size > 50_000) parsed.clear();
  const result = parseAccountIdUncached(id);
  parsed.set(id, result);
  return result;
}

function parseAccountIdUncached(id: string): ParsedAccount {
  const m = ACCOUNT_PATTERN.exec(id);
  const kind = m?.[9] as AccountKind | undefined;
  if (!m || !kind || !(ACCOUNT_KINDS as readonly string[]).includes(kind)) throw new Error(`Not a ledger account id: ${id}`);
  const owner = m[1] ?? m[3] ?? m[5] ?? m[7] ?? m[8];
  const allowed: Record<string, readonly AccountKind[]> = {
    team: ["available", "held", "metered", "charging"],
    ref: ["available", "held", "metered", "charging"],
    provider: ["earnings"],
    platform: ["revenue"],
    chain: ["escrow"],
  };
  if (!owner || !allowed[owner]?.includes(kind)) throw new Error(`Not a ledger account id: ${id}`);
  return { id, kind, teamId: m[1] ? m[2]! : null };
}

/**
 * Only the chain's escrow account may go below zero: it is the contra side of the coins the
 * escrow holds. Every other balance is money someone has, and never negative.
 */
export const mayGoNegative = (kind: AccountKind): boolean => kind === "escrow";
