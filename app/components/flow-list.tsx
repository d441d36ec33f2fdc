import * as Menu from "@radix-ui/react-dropdown-menu";
import { Link, useNavigate, useRevalidator } from "@remix-run/react";
import { Copy, Globe, MoreHorizontal, Pencil, Trash2, Upload, Workflow } from "lucide-react";
import { useRef, useState } from "react";
import { IMPORT_LIMITS } from "#agents/import/limits";
import { readFlowFileForEditor } from "#app/lib/graph-store/flow-file";
import { describeApiError, useTRPCClient, type RouterOutputs } from "#app/lib/trpc";
import { useAction } from "#app/lib/use-action";
import { ImportReportDialog, type ImportedFlow } from "./import-report";
import { Button } from "./ui/button";
import { ConfirmDialog } from "./ui/confirm-dialog";
import { Dialog } from "./ui/dialog";
import { FormError, TextField } from "./ui/field";

// Loaders hand over real Dates; JSON over tRPC gives strings. The list takes either.
type FlowRow = Omit<RouterOutputs["flow"]["list"][number], "updatedAt" | "createdAt"> & {
  updatedAt: Date | string;
  createdAt: Date | string;
};

const dateFormat = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "short" });

/** The dashboard's flow cards with create, rename, duplicate and delete. */
export function FlowList({ flows, canEdit }: { flows: FlowRow[]; canEdit: boolean }) {
  const client = useTRPCClient();
  const navigate = useNavigate();
  const revalidator = useRevalidator();
  const [dialog, setDialog] = useState<
    { kind: "create" } | { kind: "rename"; flow: FlowRow } | { kind: "delete"; flow: FlowRow } | null
  >(null);
  const [name, setName] = useState("");

  const create = useAction(async () => {
    const flow = await client.flow.create.mutate({ name });
    navigate(`/flows/${flow.id}`);
  });
  const rename = useAction(async (id: string) => {
    await client.flow.rename.mutate({ id, name });
    setDialog(null);
    revalidator.revalidate();
  });
  const duplicate = useAction(async (id: string) => {
    await client.flow.duplicate.mutate({ id });
    revalidator.revalidate();
  });
  const fileInput = useRef<HTMLInputElement>(null);
  const [importProblem, setImportProblem] = useState<{ message: string; details: string[] } | null>(null);
  const [imported, setImported] = useState<ImportedFlow | null>(null);
  // A Skyloom flow file gets the editor's checks here first (every problem listed at once,
  // without an upload), and the server reads it again with the same kernel parser. A Flowise,
  // Langflow or Dify file is imported by the server, which answers with a report shown before
  // opening. A bad file creates nothing.
  const importFile = useAction(async (file: File) => {
    setImportProblem(null);
    if (file.size > IMPORT_LIMITS.maxBytes) {
      setImportProblem({ message: `${file.name}: this file is ${(file.size / 1024 / 1024).toFixed(1)} MB; an imported file is at most ${IMPORT_LIMITS.maxBytes / 1024 / 1024} MB.`, details: [] });
      return;
    }
    const text = await file.text();
    if (looksLikeFlowFile(text)) {
      const parsed = readFlowFileForEditor(text);
      if (!parsed.ok) {
        setImportProblem({ message: `${file.name}: ${parsed.message}`, details: parsed.details });
        return;
      }
      const flow = await client.flow.importFile.mutate({ text });
      navigate(`/flows/${flow.id}`);
      return;
    }
    try {
      const result = await client.flow.importExternal.mutate({ text, fileName: file.name });
      setImported({ flowId: result.flow.id, name: result.flow.name, report: result.report });
      revalidator.revalidate();
    } catch (error) {
      setImportProblem({ message: `${file.name}: ${describeApiError(error).message}`, details: [] });
    }
  });
  const remove = useAction(async (id: string) => {
    await client.flow.remove.mutate({ id });
    setDialog(null);
    revalidator.revalidate();
  });

  const open = (next: NonNullable<typeof dialog>) => {
    setName(next.kind === "rename" ? next.flow.name : "");
    create.clearError();
    rename.clearError();
    setDialog(next);
  };

  return (
    <section>
      <div className="flex items-center justify-between">
        <h1 className="text-2xl font-semibold">Flows</h1>
        {canEdit && (
          <div className="flex gap-2">
            <Button variant="secondary" busy={importFile.busy} onClick={() => fileInput.current?.click()}>
              <Upload size={15} /> Import
            </Button>
            <input
              ref={fileInput}
              type="file"
              accept=".json,.yml,.yaml,application/json,application/yaml,text/yaml"
              className="hidden"
              aria-label="Import a flow file (Skyloom, Flowise, Langflow or Dify)"
              data-testid="import-flow-file"
              onChange={(e) => {
                const file = e.target.files?.[0];
                e.target.value = "";
                if (file) void importFile.run(file);
              }}
            />
            <Button onClick={() => open({ kind: "create" })}>New flow</Button>
          </div>
        )}
      </div>
      <FormError message={duplicate.error?.message ?? importFile.error?.message} />
      {importProblem && (
        <div role="alert" className="mt-3 rounded-md border border-red-200 bg-red-50 p-3 text-sm text-red-700">
          <p>{importProblem.message}</p>
          {importProblem.details.length > 0 && (
            <ul className="mt-1 list-disc pl-5 text-xs">
              {importProblem.details.map((d) => (
                <li key={d}>{d}</li>
              ))}
            </ul>
          )}
        </div>
      )}

      {flows.length === 0 ? (
        <div className="mt-10 rounded-lg border border-dashed border-slate-300 bg-white p-10 text-center text-slate-600">
          <Workflow className="mx-auto mb-3 text-slate-400" />
          No flows in this team yet. {canEdit ? "Create one to start building." : "Ask an editor to create one."}
        </div>
      ) : (
        <ul className="mt-6 grid gap-4 sm:grid-cols-2 lg:grid-cols-3" aria-label="Flows">
          {flows.map((flow) => (
            <li key={flow.id} className="group relative rounded-lg border border-slate-200 bg-white p-4 shadow-sm hover:border-brand-500">
              <Link to={`/flows/${flow.id}`} className="block pr-8">
                <h2 className="font-medium text-slate-900 group-hover:text-brand-700">{flow.name}</h2>
                {flow.publishedSlug && (
                  <p className="mt-1 inline-flex items-center gap-1 rounded-full bg-emerald-50 px-2 py-0.5 text-xs font-medium text-emerald-700" data-testid="flow-published">
                    <Globe size={12} aria-hidden /> Published as {flow.publishedSlug}
                  </p>
                )}
                {flow.description && <p className="mt-1 line-clamp-2 text-sm text-slate-600">{flow.description}</p>}
                {/* The server renders its own time zone; the browser re-renders in the person's. */}
                <p className="mt-3 text-xs text-slate-500" suppressHydrationWarning>
                  {flow.nodeCount} blocks · {flow.edgeCount} connections · updated {dateFormat.format(new Date(flow.updatedAt))}
                </p>
              </Link>
              {canEdit && (
                <Menu.Root>
                  <Menu.Trigger
                    className="absolute right-2 top-2 rounded p-1 text-slate-500 hover:bg-slate-100"
                    aria-label={`Actions for ${flow.name}`}
                  >
                    <MoreHorizontal size={18} />
                  </Menu.Trigger>
                  <Menu.Portal>
                    <Menu.Content align="end" className="z-50 min-w-40 rounded-md border border-slate-200 bg-white p-1 shadow-lg">
                      <MenuItem onSelect={() => open({ kind: "rename", flow })} icon={<Pencil size={14} />} label="Rename" />
                      <MenuItem onSelect={() => void duplicate.run(flow.id)} icon={<Copy size={14} />} label="Duplicate" />
                      <MenuItem onSelect={() => open({ kind: "delete", flow })} icon={<Trash2 size={14} />} label="Delete" danger />
                    </Menu.Content>
                  </Menu.Portal>
                </Menu.Root>
              )}
            </li>
          ))}
        </ul>
      )}

      <Dialog
        open={dialog?.kind === "create" || dialog?.kind === "rename"}
        onOpenChange={(o) => !o && setDialog(null)}
        title={dialog?.kind === "rename" ? "Rename flow" : "New flow"}
      >
        <form
          className="space-y-4"
          onSubmit={(e) => {
            e.preventDefault();
            if (dialog?.kind === "rename") void rename.run(dialog.flow.id);
            else void create.run();
          }}
        >
          <TextField
            label="Flow name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            error={(dialog?.kind === "rename" ? rename : create).error?.fields.name?.[0]}
            autoFocus
          />
          <FormError
            message={(() => {
              const err = (dialog?.kind === "rename" ? rename : create).error;
              return err && !err.fields.name ? err.message : null;
            })()}
          />
          <div className="flex justify-end gap-2">
            <Button type="button" variant="secondary" onClick={() => setDialog(null)}>
              Cancel
            </Button>
            <Button type="submit" busy={create.busy || rename.busy}>
              {dialog?.kind === "rename" ? "Rename" : "Create flow"}
            </Button>
          </div>
        </form>
      </Dialog>

      <ImportReportDialog imported={imported} onClose={() => setImported(null)} onOpen={(id) => navigate(`/flows/${id}`)} />

      <ConfirmDialog
        open={dialog?.kind === "delete"}
        title="Delete flow?"
        description={dialog?.kind === "delete" ? `“${dialog.flow.name}” and its versions will be deleted for everyone in the team.` : undefined}
        confirmLabel="Delete"
        busy={remove.busy}
        error={remove.error?.message}
        onConfirm={() => dialog?.kind === "delete" && void remove.run(dialog.flow.id)}
        onCancel={() => setDialog(null)}
      />
    </section>
  );
}

/** A JSON object with a `graph`: meant as a Skyloom flow file, so its own problems are shown. */
function looksLikeFlowFile(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === "object" && "graph" in value;
  } catch {
    return false;
  }
}

function MenuItem({ onSelect, icon, label, danger }: { onSelect: () => void; icon: React.ReactNode; label: string; danger?: boolean }) {
  return (
    <Menu.Item
      onSelect={onSelect}
      className={`flex cursor-pointer items-center gap-2 rounded px-2 py-1.5 text-sm outline-none data-[highlighted]:bg-slate-100 ${danger ? "text-red-600" : ""}`}
    >
      {icon}
      {label}
    </Menu.Item>
  );
}
