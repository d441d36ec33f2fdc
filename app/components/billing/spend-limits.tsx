import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { formatSpon, parseSpon, SponInputError } from "#app/lib/spon-amount";
import { useTRPC, useTRPCClient, type RouterOutputs } from "#app/lib/trpc";
import { useAction } from "#app/lib/use-action";
import { Button } from "../ui/button";
import { Amount } from "./amount";

type Limits = RouterOutputs["billing"]["limits"];
type Money = { wei: string };

/** Typed SPON → the plain decimal the API takes, or null for "no limit"; throws SponInputError with what to fix. */
function limitInput(text: string): string | null {
  if (text.trim() === "") return null;
  return formatSpon(parseSpon(text), { unit: null, grouping: false });
}

/**
 * Monthly spend limits for the team and for each API key: past its limit a /v1 call is refused
 * (402) until the month ends. Admins set them; everyone else reads them.
 */
export function SpendLimits({ canEdit }: { canEdit: boolean }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const limits = useQuery(trpc.billing.limits.queryOptions());
  const saved = (next: Limits) => queryClient.setQueryData(trpc.billing.limits.queryKey(), next);

  return (
    <section aria-labelledby="limits-heading" className="space-y-3" data-testid="spend-limits">
      <div>
        <h2 id="limits-heading" className="font-semibold">
          Spend limits
        </h2>
        <p className="text-sm text-slate-600">
          Per calendar month (UTC). Past a limit, API calls answer “insufficient quota” until the month ends or the limit is raised. Empty means no limit.
        </p>
      </div>
      {limits.error ? (
        <p role="alert" className="text-sm text-red-700">
          {limits.error.message}
        </p>
      ) : !limits.data ? (
        <p className="text-sm text-slate-500">Loading limits…</p>
      ) : (
        <table className="w-full text-left text-sm">
          <thead className="text-xs uppercase text-slate-500">
            <tr>
              <th className="py-1">Applies to</th>
              <th>Spent this month</th>
              <th>Monthly limit</th>
            </tr>
          </thead>
          <tbody>
            <LimitRow label="The whole team" rowId="team" spent={limits.data.team.spentThisMonth} monthly={limits.data.team.monthly} canEdit={canEdit} save={(monthlySpon) => client.billing.setTeamLimit.mutate({ monthlySpon })} onSaved={saved} />
            {limits.data.keys.map((k) => (
              <LimitRow
                key={k.apiKeyId}
                label={`API key “${k.name}”${k.revoked ? " (revoked)" : ""}`}
                rowId={k.apiKeyId}
                spent={k.spentThisMonth}
                monthly={k.monthly}
                canEdit={canEdit && !k.revoked}
                save={(monthlySpon) => client.billing.setKeyLimit.mutate({ apiKeyId: k.apiKeyId, monthlySpon })}
                onSaved={saved}
              />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function LimitRow({
  label,
  rowId,
  spent,
  monthly,
  canEdit,
  save,
  onSaved,
}: {
  label: string;
  rowId: string;
  spent: Money;
  monthly: Money | null;
  canEdit: boolean;
  save: (monthlySpon: string | null) => Promise<Limits>;
  onSaved: (next: Limits) => void;
}) {
  const current = monthly === null ? "" : formatSpon(monthly.wei, { unit: null, grouping: false });
  const [text, setText] = useState(current);
  const [inputError, setInputError] = useState<string | null>(null);
  const action = useAction(async (value: string | null) => {
    onSaved(await save(value));
    setText(value ?? "");
  });
  const inputId = `limit-${rowId}`;
  const error = inputError ?? action.error?.fields.monthlySpon?.[0] ?? action.error?.message ?? null;

  return (
    <tr className="border-t border-slate-200 align-top" data-testid="limit-row">
      <td className="py-2">
        {canEdit ? <label htmlFor={inputId}>{label}</label> : label}
      </td>
      <td className="py-2">
        <Amount value={spent} />
      </td>
      <td className="py-2">
        {canEdit ? (
          <form
            className="flex flex-wrap items-start gap-2"
            onSubmit={(e) => {
              e.preventDefault();
              setInputError(null);
              try {
                void action.run(limitInput(text));
              } catch (err) {
                setInputError(err instanceof SponInputError ? err.message : String(err));
              }
            }}
          >
            <input
              id={inputId}
              inputMode="decimal"
              placeholder="no limit"
              className={`w-32 rounded-md border px-2 py-1 text-sm ${error ? "border-red-500" : "border-slate-300"}`}
              value={text}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? `${inputId}-error` : undefined}
              onChange={(e) => setText(e.target.value)}
            />
            <span className="py-1 text-slate-500">SPON</span>
            <Button type="submit" variant="secondary" className="!py-1 text-xs" busy={action.busy} disabled={text === current}>
              Save limit
            </Button>
            {error && (
              <p id={`${inputId}-error`} role="alert" className="basis-full text-xs text-red-600">
                {error}
              </p>
            )}
          </form>
        ) : monthly === null ? (
          <span className="text-slate-500">no limit</span>
        ) : (
          <Amount value={monthly} />
        )}
      </td>
    </tr>
  );
}
