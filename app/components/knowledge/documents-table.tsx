import { RefreshCw, Rows3, Trash2 } from "lucide-react";
import { useState } from "react";
import { useTRPCClient, type RouterOutputs } from "#app/lib/trpc";
import { useAction } from "#app/lib/use-action";
import { Button } from "../ui/button";
import { ConfirmDialog } from "../ui/confirm-dialog";
import { FormError } from "../ui/field";
import { documentStage, formatSize, type DocumentRow } from "./stage";

type Chunks = RouterOutputs["knowledge"]["documents"]["chunks"];

/** A base's documents: status (with the running job's stage and progress), chunks, re-index, delete. */
export function DocumentsTable({ knowledgeBaseId, documents, canEdit, onChanged }: { knowledgeBaseId: string; documents: DocumentRow[]; canEdit: boolean; onChanged: () => void }) {
  const client = useTRPCClient();
  const [deleting, setDeleting] = useState<DocumentRow | null>(null);
  const [open, setOpen] = useState<{ id: string; chunks: Chunks } | null>(null);

  const remove = useAction(async (documentId: string) => {
    await client.knowledge.documents.remove.mutate({ knowledgeBaseId, documentId });
    setDeleting(null);
    if (open?.id === documentId) setOpen(null);
    onChanged();
  });
  const reindex = useAction(async (documentId: string) => {
    await client.knowledge.documents.reindex.mutate({ knowledgeBaseId, documentId });
    onChanged();
  });
  const showChunks = useAction(async (documentId: string) => {
    if (open?.id === documentId) return setOpen(null);
    setOpen({ id: documentId, chunks: await client.knowledge.documents.chunks.query({ knowledgeBaseId, documentId, limit: 50 }) });
  });

  if (documents.length === 0) return <p className="text-sm text-slate-500">No documents yet.</p>;
  return (
    <div className="space-y-2">
      <FormError message={remove.error?.message ?? reindex.error?.message ?? showChunks.error?.message} />
      <ul className="divide-y divide-slate-200 rounded-md border border-slate-200 bg-white" data-testid="document-list">
        {documents.map((row) => {
          const stage = documentStage(row);
          return (
            <li key={row.id} className="px-3 py-2 text-sm" data-testid="document-row">
              <div className="flex items-center gap-3">
                <div className="min-w-0 flex-1">
                  <p className="truncate font-medium">
                    {row.sourceUrl ? (
                      <a href={row.sourceUrl} target="_blank" rel="noreferrer noopener" className="text-brand-700 underline">
                        {row.name}
                      </a>
                    ) : (
                      row.name
                    )}
                  </p>
                  <p className="text-xs text-slate-500">
                    {formatSize(row.sizeBytes)}
                    {row.pages ? ` · ${row.pages} pages` : ""} · {row.chunkCount} chunks
                  </p>
                </div>
                <span
                  data-testid="document-status"
                  className={`rounded-full px-2 py-0.5 text-xs font-medium ${stage.label === "Indexed" ? "bg-green-100 text-green-800" : stage.label === "Failed" ? "bg-red-100 text-red-800" : "bg-amber-100 text-amber-800"}`}
                >
                  {stage.label}
                </span>
                <Button variant="ghost" onClick={() => void showChunks.run(row.id)} aria-label={`Chunks of ${row.name}`} disabled={row.chunkCount === 0}>
                  <Rows3 size={14} /> Chunks
                </Button>
                {canEdit && (
                  <>
                    <Button variant="ghost" onClick={() => void reindex.run(row.id)} aria-label={`Re-index ${row.name}`} disabled={stage.busy}>
                      <RefreshCw size={14} />
                    </Button>
                    <Button variant="ghost" onClick={() => setDeleting(row)} aria-label={`Delete ${row.name}`}>
                      <Trash2 size={14} />
                    </Button>
                  </>
                )}
              </div>
              {stage.busy && <progress className="mt-1 h-1.5 w-full" value={stage.progress ?? undefined} max={1} aria-label={`${row.name} ${stage.label}`} />}
              {row.error && (
                <p role="alert" className="mt-1 text-xs text-red-700">
                  {row.error}
                </p>
              )}
              {open?.id === row.id && (
                <ol className="mt-2 space-y-2" data-testid="chunk-list">
                  {open.chunks.chunks.map((chunk) => (
                    <li key={chunk.id} className="rounded bg-slate-50 p-2 text-xs">
                      <p className="font-medium text-slate-600">
                        #{chunk.ord + 1} {chunk.page !== null ? `· page ${chunk.page}` : chunk.heading ? `· ${chunk.heading}` : ""}
                      </p>
                      <p className="whitespace-pre-wrap text-slate-800">{chunk.text}</p>
                    </li>
                  ))}
                  {open.chunks.total > open.chunks.chunks.length && <li className="text-xs text-slate-500">… and {open.chunks.total - open.chunks.chunks.length} more</li>}
                </ol>
              )}
            </li>
          );
        })}
      </ul>
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete ${deleting?.name ?? "this document"}?`}
        description="Its chunks leave the knowledge base at once; agents no longer find them."
        confirmLabel="Delete document"
        busy={remove.busy}
        error={remove.error?.message}
        onConfirm={() => deleting && void remove.run(deleting.id)}
        onCancel={() => setDeleting(null)}
      />
    </div>
  );
}
