import { useRevalidator } from "@remix-run/react";
import { KeyRound } from "lucide-react";
import { useState } from "react";
import { CopyBlock } from "#app/components/publish/copy-block";
import { Button } from "#app/components/ui/button";
import { ConfirmDialog } from "#app/components/ui/confirm-dialog";
import { FormError, TextField } from "#app/components/ui/field";
import { joinCommand } from "#app/lib/marketplace/endpoint-snippets";
import { useTRPCClient } from "#app/lib/trpc";
import { useAction } from "#app/lib/use-action";
import type { JoinTokenView } from "#server/services/join-tokens";

const when = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

/**
 * Join tokens let a machine join this Skyloom's marketplace as a node. A new token is shown
 * once, inside the command to run on that machine; the list shows only its first characters.
 */
export function JoinTokens({ tokens, joinUrl, isAdmin }: { tokens: JoinTokenView[]; joinUrl: string; isAdmin: boolean }) {
  const client = useTRPCClient();
  const revalidator = useRevalidator();
  const [name, setName] = useState("");
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const [revoking, setRevoking] = useState<JoinTokenView | null>(null);
  const create = useAction(async () => {
    const result = await client.node.joinTokens.create.mutate({ name });
    setCreated({ name: result.name, token: result.token });
    setName("");
    revalidator.revalidate();
  });
  const revoke = useAction(async (id: string) => {
    await client.node.joinTokens.revoke.mutate({ id });
    setRevoking(null);
    revalidator.revalidate();
  });
  const live = tokens.filter((t) => t.revokedAt === null);

  return (
    <section className="space-y-3" aria-labelledby="join-tokens-title">
      <h2 id="join-tokens-title" className="text-lg font-semibold">
        Join tokens
      </h2>
      <p className="text-sm text-slate-600">
        Run a node on any machine (a gaming PC becomes a fizz node) with the command below. Add{" "}
        <code className="rounded bg-slate-100 px-1">--serve-openai http://localhost:11434/v1</code> to serve your own Ollama or vLLM models.
      </p>
      {isAdmin && (
        <form
          className="flex items-end gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            void create.run();
          }}
        >
          <TextField label="Token name" placeholder="e.g. gaming PC" value={name} onChange={(e) => setName(e.target.value)} error={create.error?.fields.name?.[0]} className="w-64" />
          <Button type="submit" busy={create.busy} disabled={name.trim() === ""}>
            <KeyRound size={14} /> Create join token
          </Button>
        </form>
      )}
      <FormError message={create.error && !create.error.fields.name ? create.error.message : null} />
      {created && (
        <div className="space-y-1.5 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900" role="status" data-testid="join-token-created">
          <p>
            Token “{created.name}” made. Copy the command now: the token is shown only once.
          </p>
          <CopyBlock label="join command" text={joinCommand({ joinUrl, token: created.token })} testId="join-command" wrap />
        </div>
      )}
      {tokens.length === 0 ? (
        <p className="text-sm text-slate-500">No join tokens yet.</p>
      ) : (
        <table className="w-full text-sm" data-testid="join-token-list">
          <thead className="text-left text-xs text-slate-500">
            <tr>
              <th scope="col" className="py-1 font-medium">Name</th>
              <th scope="col" className="py-1 font-medium">Token</th>
              <th scope="col" className="py-1 font-medium">Created</th>
              <th scope="col" className="py-1 font-medium">Last used</th>
              <th scope="col" className="py-1" />
            </tr>
          </thead>
          <tbody>
            {tokens.map((t) => (
              <tr key={t.id} className="border-t border-slate-100" data-testid="join-token-row">
                <td className="py-1.5">{t.name}</td>
                <td className="py-1.5 font-mono text-xs">{t.prefix}…</td>
                <td className="py-1.5 text-xs text-slate-600">{when.format(t.createdAt)} UTC</td>
                <td className="py-1.5 text-xs text-slate-600">{t.lastUsedAt ? `${when.format(t.lastUsedAt)} UTC` : "never"}</td>
                <td className="py-1.5 text-right">
                  {t.revokedAt !== null ? (
                    <span className="text-xs text-slate-500">revoked</span>
                  ) : isAdmin ? (
                    <Button variant="ghost" className="!px-2 !py-0.5 text-xs text-red-700" onClick={() => setRevoking(t)} aria-label={`Revoke ${t.name}`}>
                      Revoke
                    </Button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {live.length > 0 && <p className="text-xs text-slate-500">Revoking stops new joins with the token; nodes that already joined keep running.</p>}
      <ConfirmDialog
        open={revoking !== null}
        title={`Revoke “${revoking?.name ?? ""}”?`}
        description="No new node can join with it. Nodes that already joined keep their own secret."
        confirmLabel="Revoke token"
        busy={revoke.busy}
        error={revoke.error?.message}
        onCancel={() => {
          setRevoking(null);
          revoke.clearError();
        }}
        onConfirm={() => revoking && void revoke.run(revoking.id)}
      />
    </section>
  );
}
