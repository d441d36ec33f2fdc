import { useNavigate, useRevalidator } from "@remix-run/react";
import { useId, useState } from "react";
import { useTRPCClient } from "#app/lib/trpc";
import { useAction } from "#app/lib/use-action";
import { Button } from "../ui/button";
import { ConfirmDialog } from "../ui/confirm-dialog";
import { FormError } from "../ui/field";

type Visibility = "skyloom" | "team" | "public" | "private";
type Confirming = { kind: "visibility"; to: "team" | "public" | "private" } | { kind: "delete" } | null;

const when = new Intl.DateTimeFormat("en", { dateStyle: "medium" });

const VISIBILITY_TEXT: Record<Visibility, string> = {
  skyloom: "Skyloom's own",
  team: "Shared with your team",
  public: "Public: every Skyloom team can see and use it",
  private: "Not shared: only you and your team's admins see it",
};

/**
 * For a template the team owns (and the person may change): how often it was used, its
 * versions, a newer version from one of the team's flows, sharing and unsharing, deleting.
 * Unsharing and deleting ask first.
 */
export function ManageTemplate({
  template,
  flows,
  isAdmin,
}: {
  template: { id: string; name: string; visibility: Visibility; version: number; uses: number; versions: readonly { number: number; createdAt: Date | string }[] };
  flows: readonly { id: string; name: string }[];
  isAdmin: boolean;
}) {
  const client = useTRPCClient();
  const revalidator = useRevalidator();
  const navigate = useNavigate();
  const flowSelectId = useId();
  const [flowId, setFlowId] = useState(flows[0]?.id ?? "");
  const [confirming, setConfirming] = useState<Confirming>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const update = useAction(async () => {
    const result = await client.template.update.mutate({ id: template.id, flowId });
    setNotice(`Version ${result.version} published from “${flows.find((f) => f.id === flowId)?.name ?? "the flow"}”.`);
    revalidator.revalidate();
  });
  const setVisibility = useAction(async (visibility: "team" | "public" | "private") => {
    await client.template.setVisibility.mutate({ id: template.id, visibility });
    setConfirming(null);
    setNotice(visibility === "private" ? "Unshared: only you and your team's admins see it now." : `Shared ${visibility === "public" ? "publicly" : "with your team"}.`);
    revalidator.revalidate();
  });
  const remove = useAction(async () => {
    await client.template.delete.mutate({ id: template.id });
    navigate("/templates?shelf=team");
  });

  const shareTargets = (["team", "public"] as const).filter((v) => v !== template.visibility && (v === "team" || isAdmin));
  return (
    <section aria-labelledby="manage-template-title" className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm" data-testid="manage-template">
      <h2 id="manage-template-title" className="text-base font-semibold">
        Manage this template
      </h2>
      <dl className="mt-2 grid grid-cols-[auto,1fr] gap-x-3 gap-y-1 text-sm">
        <dt className="text-slate-500">Used</dt>
        <dd data-testid="manage-uses">{template.uses === 1 ? "once" : `${template.uses.toLocaleString("en-US")} times`}</dd>
        <dt className="text-slate-500">Version</dt>
        <dd data-testid="manage-version">
          {template.version}
          {template.versions.length > 1 && <span className="text-slate-500"> ({template.versions.map((v) => `v${v.number} ${when.format(new Date(v.createdAt))}`).join(", ")})</span>}
        </dd>
        <dt className="text-slate-500">Sharing</dt>
        <dd data-testid="manage-visibility">{VISIBILITY_TEXT[template.visibility]}</dd>
      </dl>
      {notice && (
        <p role="status" className="mt-3 rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-800">
          {notice}
        </p>
      )}

      <div className="mt-4 space-y-2">
        <label htmlFor={flowSelectId} className="block text-sm font-medium text-slate-700">
          Publish a newer version from a flow
        </label>
        <div className="flex gap-2">
          <select id={flowSelectId} value={flowId} onChange={(e) => setFlowId(e.target.value)} className="block min-w-0 flex-1 rounded-md border border-slate-300 px-3 py-2 text-sm" disabled={flows.length === 0}>
            {flows.length === 0 && <option value="">No flows in this team</option>}
            {flows.map((f) => (
              <option key={f.id} value={f.id}>
                {f.name}
              </option>
            ))}
          </select>
          <Button variant="secondary" busy={update.busy} disabled={!flowId} onClick={() => void update.run()}>
            Publish version {template.version + 1}
          </Button>
        </div>
        <FormError message={update.error?.message} />
      </div>

      <div className="mt-4 flex flex-wrap gap-2 border-t border-slate-100 pt-4">
        {shareTargets.map((to) => (
          <Button key={to} variant="secondary" busy={setVisibility.busy} onClick={() => void setVisibility.run(to)}>
            {to === "public" ? "Share publicly" : "Share with team"}
          </Button>
        ))}
        {template.visibility !== "private" && (template.visibility !== "public" || isAdmin) && (
          <Button variant="secondary" onClick={() => setConfirming({ kind: "visibility", to: "private" })}>
            Unshare
          </Button>
        )}
        <Button variant="danger" className="ml-auto" onClick={() => setConfirming({ kind: "delete" })}>
          Delete template
        </Button>
      </div>
      <FormError message={confirming === null ? setVisibility.error?.message : null} />

      <ConfirmDialog
        open={confirming?.kind === "visibility"}
        title="Unshare this template?"
        description={`“${template.name}” disappears from the gallery for everyone but you and your team's admins. Flows already made from it stay.`}
        confirmLabel="Unshare"
        busy={setVisibility.busy}
        error={setVisibility.error?.message}
        onConfirm={() => void setVisibility.run("private")}
        onCancel={() => setConfirming(null)}
      />
      <ConfirmDialog
        open={confirming?.kind === "delete"}
        title="Delete this template?"
        description={`“${template.name}” and all its versions are deleted. Flows already made from it stay.`}
        confirmLabel="Delete"
        busy={remove.busy}
        error={remove.error?.message}
        onConfirm={() => void remove.run()}
        onCancel={() => setConfirming(null)}
      />
    </section>
  );
}
