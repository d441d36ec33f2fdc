import { KeyRound } from "lucide-react";
import { useEffect, useState } from "react";

/** What the secret picker shows about a saved credential: never its value, only a mask. */
type MaskedCredential = { id: string; name: string; hint: string };

type LoadState = { status: "loading" } | { status: "ready"; items: MaskedCredential[] } | { status: "unavailable"; message: string };

function toMasked(item: unknown): MaskedCredential | null {
  if (!item || typeof item !== "object") return null;
  const r = item as Record<string, unknown>;
  if (typeof r.id !== "string") return null;
  const name = typeof r.name === "string" ? r.name : r.id;
  const hint = [r.kind, r.provider, r.masked, r.preview, r.last4 ? `…${String(r.last4)}` : undefined]
    .filter((v): v is string => typeof v === "string" && v.length > 0)
    .join(" · ");
  return { id: r.id, name, hint };
}

/**
 * Lists the team's saved credentials through the `credential.list` procedure. It is read
 * over plain HTTP (no transformer is configured) so that the editor keeps working on a server
 * where the credential API is not available: the picker then says so instead of failing.
 */
async function fetchCredentials(): Promise<LoadState> {
  try {
    const response = await fetch("/api/trpc/credential.list", { headers: { accept: "application/json" } });
    const body = (await response.json().catch(() => null)) as { result?: { data?: unknown }; error?: { message?: string } } | null;
    if (!response.ok || !body?.result) {
      const message = response.status === 404 ? "Saved credentials are not available on this server yet." : body?.error?.message ?? "Could not load saved credentials.";
      return { status: "unavailable", message };
    }
    const data = body.result.data;
    const list = Array.isArray(data) ? data : data && typeof data === "object" && Array.isArray((data as { items?: unknown }).items) ? (data as { items: unknown[] }).items : [];
    return { status: "ready", items: list.map(toMasked).filter((c): c is MaskedCredential => c !== null) };
  } catch {
    return { status: "unavailable", message: "Could not load saved credentials." };
  }
}

let shared: Promise<LoadState> | null = null;

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
  const [state, setState] = useState<LoadState>({ status: "loading" });
  useEffect(() => {
    let live = true;
    shared ??= fetchCredentials();
    void shared.then((s) => {
      if (live) setState(s);
      if (s.status !== "ready") shared = null; // try again next time the panel opens
    });
    return () => {
      live = false;
    };
  }, []);
  const items = state.status === "ready" ? state.items : [];
  const missing = value && !items.some((c) => c.id === value);
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
          disabled={disabled || state.status === "loading"}
          onChange={(e) => onChange(e.target.value === "" ? null : e.target.value)}
        >
          <option value="">{state.status === "loading" ? "Loading…" : "No credential"}</option>
          {items.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
              {c.hint ? ` (${c.hint})` : ""}
            </option>
          ))}
          {missing && <option value={value}>A credential that is no longer available</option>}
        </select>
      </div>
      {state.status === "unavailable" && <p className="text-xs text-amber-700">{state.message}</p>}
      {state.status === "ready" && (
        <p className="text-xs text-slate-500">
          Keys are stored encrypted and never shown here.{" "}
          <a className="text-brand-700 underline" href="/settings#credentials" target="_blank" rel="noreferrer">
            Add a credential
          </a>
        </p>
      )}
    </div>
  );
}
