import { useQuery } from "@tanstack/react-query";
import { KeyRound } from "lucide-react";
import { describeApiError, useTRPC } from "#app/lib/trpc";

/**
 * Picks one of the team's saved credentials for a secret field. The list comes from
 * `credential.list`, which only ever returns masked values; the node stores the id.
 */
export function CredentialSelect({
  id,
  testId,
  value,
  disabled,
  invalid,
  onChange,
}: {
  id: string;
  testId: string;
  value: string | null;
  disabled: boolean;
  invalid: boolean;
  onChange(value: string | null): void;
}) {
  const trpc = useTRPC();
  const credentials = useQuery(trpc.credential.list.queryOptions());
  const items = credentials.data ?? [];
  const missing = value !== null && credentials.isSuccess && !items.some((c) => c.id === value);
  return (
    <div className="space-y-1">
      <div className="flex items-center gap-2">
        <KeyRound size={14} className="shrink-0 text-slate-400" aria-hidden />
        <select
          id={id}
          data-testid={testId}
          aria-invalid={invalid || undefined}
          className={`block w-full rounded-md border px-2.5 py-1.5 text-sm shadow-sm ${invalid ? "border-red-500" : "border-slate-300"}`}
          value={value ?? ""}
          disabled={disabled || credentials.isPending}
          onChange={(e) => onChange(e.target.value === "" ? null : e.target.value)}
        >
          <option value="">{credentials.isPending ? "Loading…" : "No credential"}</option>
          {items.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name} ({c.kind} {c.masked})
            </option>
          ))}
          {missing && <option value={value}>A credential that was deleted</option>}
        </select>
      </div>
      {credentials.isError && <p className="text-xs text-red-600">Could not load saved credentials: {describeApiError(credentials.error).message}</p>}
      {missing && <p className="text-xs text-red-600">The chosen credential no longer exists; pick another.</p>}
      <p className="text-xs text-slate-500">
        Keys are stored encrypted and never shown here.{" "}
        <a className="text-brand-700 underline" href="/settings/credentials" target="_blank" rel="noreferrer">
          Add a credential
        </a>
      </p>
    </div>
  );
}
