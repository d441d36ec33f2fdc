/** Monthly spend limits on /v1 usage, per team and per API key (enforced by metering.ts). */
import type Database from "better-sqlite3";
import { amountToText } from "./amounts";
import type { UsageMeter } from "./metering";
import { money, type Money } from "./money";

/** Sets (or with null removes) the team's limit (apiKeyId "") or one key's. The caller checked the key is the team's. */
export function setSpendLimit(sqlite: Database.Database, meter: UsageMeter, teamId: string, apiKeyId: string, monthlyWei: bigint | null): void {
  if (monthlyWei === null) {
    sqlite.prepare("DELETE FROM billing_limits WHERE team_id = ? AND api_key_id = ?").run(teamId, apiKeyId);
  } else {
    sqlite
      .prepare(
        `INSERT INTO billing_limits (team_id, api_key_id, monthly_wei, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (team_id, api_key_id) DO UPDATE SET monthly_wei = excluded.monthly_wei, updated_at = excluded.updated_at`,
      )
      .run(teamId, apiKeyId, amountToText(monthlyWei), Date.now());
  }
  meter.forgetLimits(teamId);
}

export type SpendLimits = {
  team: { monthly: Money | null; spentThisMonth: Money };
  keys: { apiKeyId: string; name: string; revoked: boolean; monthly: Money | null; spentThisMonth: Money }[];
};

/** The team's limit and each of its API keys', with what each spent this month. */
export function spendLimits(sqlite: Database.Database, meter: UsageMeter, teamId: string): SpendLimits {
  const limits = meter.limitsOf(teamId);
  const keys = sqlite
    .prepare<[string], { id: string; name: string; revoked: number }>("SELECT id, name, revoked_at IS NOT NULL AS revoked FROM api_keys WHERE team_id = ? ORDER BY created_at")
    .all(teamId);
  const limitOf = (wei: bigint | null | undefined) => (wei === null || wei === undefined ? null : money(wei));
  return {
    team: { monthly: limitOf(limits.team), spentThisMonth: money(meter.spentThisMonth(teamId)) },
    keys: keys.map((k) => ({ apiKeyId: k.id, name: k.name, revoked: k.revoked === 1, monthly: limitOf(limits.keys.get(k.id)), spentThisMonth: money(meter.spentThisMonth(teamId, k.id)) })),
  };
}

/** An API key of the team, or null (another team's id is treated like an unknown one). */
export function teamApiKey(sqlite: Database.Database, teamId: string, apiKeyId: string): { id: string } | null {
  return sqlite.prepare<[string, string], { id: string }>("SELECT id FROM api_keys WHERE id = ? AND team_id = ?").get(apiKeyId, teamId) ?? null;
}
