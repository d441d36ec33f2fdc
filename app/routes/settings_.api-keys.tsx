import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useRevalidator } from "@remix-run/react";
import { KeyRound } from "lucide-react";
import { useState } from "react";
import { AppHeader } from "#app/components/app-header";
import { CopyBlock } from "#app/components/publish/copy-block";
import { splitFieldMessage } from "#app/components/publish/field-message";
import { Button } from "#app/components/ui/button";
import { ConfirmDialog } from "#app/components/ui/confirm-dialog";
import { FormError, TextField } from "#app/components/ui/field";
import { requireViewer } from "#app/lib/require-viewer.server";
import { useTRPCClient } from "#app/lib/trpc";
import { useAction } from "#app/lib/use-action";

export const meta: MetaFunction = () => [{ title: "API keys · Skyloom" }];

export async function loader({ context }: LoaderFunctionArgs) {
  const { me, teams } = await requireViewer(context);
  const [keys, agents] = await Promise.all([context.trpc.apiKey.list(), context.trpc.agent.list()]);
  return { me, teams, keys, agents };
}

const when = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

/** Team API keys for the /v1 gateway: create (the key is shown once), restrict, limit, revoke. */
export default function ApiKeysPage() {
  const { me, teams, keys, agents } = useLoaderData<typeof loader>();
  const client = useTRPCClient();
  const revalidator = useRevalidator();
  const isAdmin = me.team?.role === "admin" || me.team?.role === "owner";
  const [name, setName] = useState("");
  const [kind, setKind] = useState<"secret" | "public">("secret");
  const [chosen, setChosen] = useState<string[]>([]);
  const [rpm, setRpm] = useState("");
  const [origins, setOrigins] = useState("");
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const [revoking, setRevoking] = useState<{ id: string; name: string } | null>(null);
  const agentName = new Map(agents.map((a) => [a.id, a.slug]));

  const create = useAction(async () => {
    const result = await client.apiKey.create.mutate({
      name,
      kind,
      allowedAgents: chosen.length > 0 ? chosen : null,
      requestsPerMinute: rpm.trim() === "" ? null : Number(rpm),
      allowedOrigins: kind === "public" ? origins.split(/[\s,]+/).filter(Boolean) : null,
    });
    setCreated({ name: result.key.name, token: result.token });
    setName("");
    setChosen([]);
    setRpm("");
    setOrigins("");
    revalidator.revalidate();
  });
  const revoke = useAction(async (id: string) => {
    await client.apiKey.revoke.mutate({ id });
    setRevoking(null);
    revalidator.revalidate();
  });

  // The service names the field at fault ("allowedOrigins: …"); show the message under it.
  const createError = splitFieldMessage(create.error?.message);
  const fieldError = (field: string) => create.error?.fields[field]?.[0] ?? (createError?.field === field ? createError.text : undefined);
  const formError = createError && !["name", "allowedAgents", "allowedOrigins", "requestsPerMinute"].includes(createError.field ?? "") ? createError.text : null;

  const toggleAgent = (id: string) =>
    setChosen((c) => (kind === "public" ? [id] : c.includes(id) ? c.filter((x) => x !== id) : [...c, id]));

  return (
    <div className="min-h-full">
      <AppHeader me={me} teams={teams} />
      <main className="mx-auto max-w-6xl space-y-8 px-4 py-8">
        <div>
          <h1 className="text-2xl font-semibold">API keys</h1>
          <p className="mt-1 text-sm text-slate-600">
            Keys call your <Link to="/agents" className="text-brand-600 underline">published agents</Link> through the OpenAI-compatible API at{" "}
            <code>/v1</code>. Secret keys stay on servers; public keys go in web pages (the chat widget) and work only for one agent from the sites you list.
          </p>
        </div>

        {created && (
          <div className="space-y-2 rounded-md border border-amber-300 bg-amber-50 p-4" role="status" data-testid="created-key">
            <p className="text-sm font-medium text-amber-900">
              Your new key “{created.name}”. Copy it now: it is shown only once, and Skyloom keeps only a hash of it.
            </p>
            <CopyBlock label="new API key" text={created.token} testId="created-key-token" wrap />
            <Button variant="secondary" className="!py-1 text-xs" onClick={() => setCreated(null)}>
              I have copied it
            </Button>
          </div>
        )}

        {isAdmin && (
          <form
            className="grid max-w-2xl gap-4 rounded-md border border-slate-200 bg-white p-4"
            aria-label="Create an API key"
            onSubmit={(e) => {
              e.preventDefault();
              void create.run();
            }}
          >
            <h2 className="font-semibold">Create a key</h2>
            <TextField label="Name" value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. production backend" error={fieldError("name")} />
            <fieldset className="text-sm">
              <legend className="font-medium text-slate-700">Kind</legend>
              <label className="mr-4">
                <input type="radio" name="kind" checked={kind === "secret"} onChange={() => setKind("secret")} /> Secret (servers)
              </label>
              <label>
                <input
                  type="radio"
                  name="kind"
                  checked={kind === "public"}
                  onChange={() => {
                    setKind("public");
                    setChosen((c) => c.slice(0, 1));
                  }}
                />{" "}
                Public (chat widget)
              </label>
            </fieldset>
            <fieldset className="text-sm" aria-invalid={fieldError("allowedAgents") ? true : undefined} aria-describedby={fieldError("allowedAgents") ? "allowed-agents-error" : undefined}>
              <legend className="font-medium text-slate-700">{kind === "public" ? "Agent (exactly one)" : "Agents (none chosen: every agent of the team)"}</legend>
              {agents.length === 0 ? (
                <p className="text-slate-500">No published agents yet: publish a flow from its editor (“Use it”).</p>
              ) : (
                agents.map((a) => (
                  <label key={a.id} className="mr-4 inline-flex items-center gap-1">
                    <input type={kind === "public" ? "radio" : "checkbox"} name="agents" checked={chosen.includes(a.id)} onChange={() => toggleAgent(a.id)} />
                    {a.slug}
                  </label>
                ))
              )}
              {fieldError("allowedAgents") && (
                <p id="allowed-agents-error" role="alert" className="mt-1 text-xs text-red-600">
                  {fieldError("allowedAgents")}
                </p>
              )}
            </fieldset>
            <TextField
              label="Requests per minute"
              type="number"
              min={1}
              value={rpm}
              onChange={(e) => setRpm(e.target.value)}
              hint={kind === "public" ? "Empty: 30 per minute (public keys always have a limit)." : "Empty: no limit."}
              error={fieldError("requestsPerMinute")}
            />
            {kind === "public" && (
              <div className="text-sm">
                <label htmlFor="allowed-origins" className="block font-medium text-slate-700">
                  Allowed origins
                </label>
                <textarea
                  id="allowed-origins"
                  className={`mt-1 block w-full rounded-md border px-3 py-2 text-sm ${fieldError("allowedOrigins") ? "border-red-500" : "border-slate-300"}`}
                  aria-invalid={fieldError("allowedOrigins") ? true : undefined}
                  aria-describedby="allowed-origins-note"
                  rows={2}
                  placeholder="https://example.com, https://www.example.com"
                  value={origins}
                  onChange={(e) => setOrigins(e.target.value)}
                />
                <p id="allowed-origins-note" role={fieldError("allowedOrigins") ? "alert" : undefined} className={`mt-1 text-xs ${fieldError("allowedOrigins") ? "text-red-600" : "text-slate-500"}`}>
                  {fieldError("allowedOrigins") ?? "The sites whose pages may show the chat widget, as scheme and host: https://shop.example.com."}
                </p>
              </div>
            )}
            <FormError message={formError && !create.error?.fields.name ? formError : null} />
            <div>
              <Button type="submit" busy={create.busy}>
                <KeyRound size={16} /> Create key
              </Button>
            </div>
          </form>
        )}

        <section>
          <h2 className="mb-2 font-semibold">Keys of {me.team?.name ?? "this team"}</h2>
          {keys.length === 0 ? (
            <p className="text-sm text-slate-500">No keys yet.</p>
          ) : (
            <table className="w-full text-left text-sm" data-testid="api-key-table">
              <thead className="text-xs uppercase text-slate-500">
                <tr>
                  <th className="py-1">Name</th>
                  <th>Key</th>
                  <th>Agents</th>
                  <th>Limit</th>
                  <th>Created (UTC)</th>
                  <th>Last used (UTC)</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {keys.map((k) => (
                  <tr key={k.id} className="border-t border-slate-200 align-top" data-testid="api-key-row">
                    <td className="py-1.5">
                      {k.name}
                      {k.kind === "public" && <span className="ml-1 rounded bg-sky-100 px-1 text-xs text-sky-800">public</span>}
                      {k.allowedOrigins && <div className="text-xs text-slate-500">{k.allowedOrigins.join(", ")}</div>}
                    </td>
                    <td className="font-mono text-xs">{k.prefix}…</td>
                    <td className="text-xs">{k.allowedAgents ? k.allowedAgents.map((id) => agentName.get(id) ?? "(removed)").join(", ") : "all"}</td>
                    <td className="text-xs">{k.requestsPerMinute ? `${k.requestsPerMinute}/min` : "none"}</td>
                    <td className="text-xs">{when.format(new Date(k.createdAt))}</td>
                    <td className="text-xs">{k.lastUsedAt ? when.format(new Date(k.lastUsedAt)) : "never"}</td>
                    <td className="text-right">
                      {k.revokedAt ? (
                        <span className="text-xs text-red-700">revoked</span>
                      ) : (
                        isAdmin && (
                          <Button
                            variant="secondary"
                            className="!px-2 !py-0.5 text-xs"
                            onClick={() => setRevoking({ id: k.id, name: k.name })}
                          >
                            Revoke
                          </Button>
                        )
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      </main>
      <ConfirmDialog
        open={revoking !== null}
        title={`Revoke “${revoking?.name ?? ""}”?`}
        description="Every request with this key fails from now on. This cannot be undone; create a new key if you need one again."
        cancelLabel="Keep the key"
        confirmLabel="Revoke key"
        busy={revoke.busy}
        error={revoke.error?.message}
        onConfirm={() => revoking && void revoke.run(revoking.id)}
        onCancel={() => {
          setRevoking(null);
          revoke.clearError();
        }}
      />
    </div>
  );
}
