import { useRevalidator } from "@remix-run/react";
import { KeyRound, Pencil, Plus, Trash2 } from "lucide-react";
import { useState } from "react";
import { useTRPCClient, type RouterOutputs } from "#app/lib/trpc";
import { useAction } from "#app/lib/use-action";
import { Button } from "../ui/button";
import { ConfirmDialog } from "../ui/confirm-dialog";
import { Dialog } from "../ui/dialog";
import { FormError, TextField } from "../ui/field";
import { CredentialForm, KIND_LABELS } from "./credential-form";

// Loaders hand over Dates; the list takes strings too (JSON).
type CredentialRow = Omit<RouterOutputs["credential"]["list"][number], "createdAt" | "updatedAt"> & {
  createdAt: Date | string;
  updatedAt: Date | string;
};
const when = new Intl.DateTimeFormat("en", { dateStyle: "medium" });

type DialogState = { kind: "create" } | { kind: "rename"; row: CredentialRow } | { kind: "delete"; row: CredentialRow } | null;

/**
 * The team's credentials: add (OpenAI-compatible key + base URL, or a generic secret),
 * rename, delete. Secrets are write-only here: after saving, only a masked hint is shown.
 */
export function CredentialList({ credentials, canEdit }: { credentials: CredentialRow[]; canEdit: boolean }) {
  const client = useTRPCClient();
  const revalidator = useRevalidator();
  const [dialog, setDialog] = useState<DialogState>(null);
  const [name, setName] = useState("");
  const rename = useAction(async (id: string) => {
    await client.credential.rename.mutate({ id, name });
    close();
    revalidator.revalidate();
  });
  const remove = useAction(async (id: string) => {
    await client.credential.remove.mutate({ id });
    close();
    revalidator.revalidate();
  });

  function open(next: NonNullable<DialogState>) {
    setName(next.kind === "rename" ? next.row.name : "");
    rename.clearError();
    remove.clearError();
    setDialog(next);
  }
  function close() {
    setDialog(null);
  }

  return (
    <div>
      <div className="flex items-center justify-between">
        <div>
          <h2 className="text-lg font-semibold">Credentials</h2>
          <p className="text-sm text-slate-600">
            API keys and secrets your flows use by reference (Chat Model, HTTP Request). Stored encrypted; never shown again after saving.
          </p>
        </div>
        {canEdit && (
          <Button onClick={() => open({ kind: "create" })} data-testid="credential-add">
            <Plus size={16} /> Add credential
          </Button>
        )}
      </div>

      {credentials.length === 0 ? (
        <p className="mt-6 rounded-md border border-dashed border-slate-300 p-6 text-center text-sm text-slate-500">
          No credentials yet. Flows use the local development model until you add an OpenAI-compatible key.
        </p>
      ) : (
        <table className="mt-6 w-full text-left text-sm" data-testid="credential-table">
          <thead className="border-b border-slate-200 text-xs uppercase tracking-wide text-slate-500">
            <tr>
              <th className="py-2 pr-3 font-medium">Name</th>
              <th className="py-2 pr-3 font-medium">Kind</th>
              <th className="py-2 pr-3 font-medium">Value</th>
              <th className="py-2 pr-3 font-medium">Base URL</th>
              <th className="py-2 pr-3 font-medium">Added</th>
              <th className="py-2" />
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {credentials.map((c) => (
              <tr key={c.id} data-testid="credential-row">
                <td className="py-2 pr-3 font-medium">
                  <span className="inline-flex items-center gap-1.5">
                    <KeyRound size={14} className="text-slate-400" aria-hidden /> {c.name}
                  </span>
                </td>
                <td className="py-2 pr-3 text-slate-600">{KIND_LABELS[c.kind]}</td>
                <td className="py-2 pr-3 font-mono text-slate-600" data-testid="credential-masked">
                  {c.masked}
                </td>
                <td className="py-2 pr-3 text-slate-600">{c.baseUrl || (c.kind === "openai" ? "https://api.openai.com/v1 (default)" : "—")}</td>
                <td className="py-2 pr-3 text-slate-500">{when.format(new Date(c.createdAt))}</td>
                <td className="py-2 text-right">
                  {canEdit && (
                    <span className="inline-flex gap-1">
                      <Button variant="ghost" className="!px-2 !py-1" onClick={() => open({ kind: "rename", row: c })} aria-label={`Rename ${c.name}`}>
                        <Pencil size={14} />
                      </Button>
                      <Button variant="ghost" className="!px-2 !py-1 text-red-700" onClick={() => open({ kind: "delete", row: c })} aria-label={`Delete ${c.name}`}>
                        <Trash2 size={14} />
                      </Button>
                    </span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <Dialog open={dialog?.kind === "create"} onOpenChange={(o) => !o && close()} title="Add credential" description="The secret is encrypted at rest and never shown again.">
        <CredentialForm
          onSaved={() => {
            close();
            revalidator.revalidate();
          }}
          onCancel={close}
        />
      </Dialog>

      <Dialog open={dialog?.kind === "rename"} onOpenChange={(o) => !o && close()} title="Rename credential">
        <form
          className="space-y-4"
          onSubmit={(e) => {
            e.preventDefault();
            if (dialog?.kind === "rename") void rename.run(dialog.row.id);
          }}
        >
          <TextField label="Name" value={name} onChange={(e) => setName(e.target.value)} error={rename.error?.fields.name?.[0]} autoFocus />
          <FormError message={rename.error && !rename.error.fields.name ? rename.error.message : null} />
          <div className="flex justify-end gap-2">
            <Button type="button" variant="secondary" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" busy={rename.busy}>
              Rename
            </Button>
          </div>
        </form>
      </Dialog>

      <ConfirmDialog
        open={dialog?.kind === "delete"}
        title="Delete credential?"
        description={dialog?.kind === "delete" ? `Blocks that use "${dialog.row.name}" will fail until you pick another credential.` : undefined}
        confirmLabel="Delete"
        busy={remove.busy}
        error={remove.error?.message}
        onConfirm={() => dialog?.kind === "delete" && void remove.run(dialog.row.id)}
        onCancel={close}
      />
    </div>
  );
}
