import { useNavigate, useRevalidator } from "@remix-run/react";
import { Settings2, Trash2 } from "lucide-react";
import { useCallback, useEffect, useState } from "react";
import { useTRPCClient, type RouterOutputs } from "#app/lib/trpc";
import { useAction } from "#app/lib/use-action";
import { Button } from "../ui/button";
import { ConfirmDialog } from "../ui/confirm-dialog";
import { FormError } from "../ui/field";
import { DocumentsTable } from "./documents-table";
import { NewBaseDialog } from "./new-base-dialog";
import { ReembedProgress } from "./reembed-progress";
import { documentStage, formatSize, type DocumentRow } from "./stage";
import { TestSearch } from "./test-search";
import { UploadDrop, type UploadState } from "./upload-drop";

type Base = Omit<RouterOutputs["knowledge"]["list"][number], "createdAt"> & { createdAt: Date | string };

const MODE_NAMES = { keyword: "keywords (BM25)", vector: "meaning (vectors)", hybrid: "keywords and meaning (hybrid)" } as const;
const POLL_MS = 700;

/** One knowledge base: add documents (files or a web page), watch them index, try a question. */
export function BasePanel({ base, canEdit }: { base: Base; canEdit: boolean }) {
  const client = useTRPCClient();
  const [documents, setDocuments] = useState<DocumentRow[]>([]);
  const [uploadsInFlight, setUploadsInFlight] = useState(false);
  const [url, setUrl] = useState("");
  const [dialog, setDialog] = useState<"settings" | "delete" | null>(null);
  const navigate = useNavigate();
  const revalidator = useRevalidator();
  const removeBase = useAction(async () => {
    await client.knowledge.remove.mutate({ id: base.id });
    setDialog(null);
    navigate("/knowledge");
    revalidator.revalidate();
  });

  const refresh = useCallback(async () => setDocuments(await client.knowledge.documents.list.query({ knowledgeBaseId: base.id })), [client, base.id]);
  const load = useAction(refresh);
  useEffect(() => {
    setDocuments([]);
    void load.run();
    // Loads again only when the base changes (load itself is a new function each render).
  }, [base.id]);

  // While a document is being indexed or a file is on its way, poll for its stage.
  const working = uploadsInFlight || documents.some((d) => documentStage(d).busy);
  useEffect(() => {
    if (!working) return;
    const timer = setInterval(() => void refresh().catch(() => undefined), POLL_MS);
    return () => clearInterval(timer);
  }, [working, refresh]);

  const addUrl = useAction(async () => {
    await client.knowledge.documents.addUrl.mutate({ knowledgeBaseId: base.id, url });
    setUrl("");
    await refresh();
  });
  const onUploads = (uploads: UploadState[]) => {
    setUploadsInFlight(uploads.some((u) => u.phase === "uploading" || u.phase === "parsing"));
    if (uploads.some((u) => u.phase === "done")) void refresh().catch(() => undefined);
  };

  return (
    <section className="space-y-6" data-testid="knowledge-base-panel">
      <div>
        <div className="flex items-center gap-2">
          <h2 className="text-xl font-semibold">{base.name}</h2>
          {canEdit && (
            <>
              <Button variant="ghost" className="ml-auto" onClick={() => setDialog("settings")}>
                <Settings2 size={14} /> Settings
              </Button>
              <Button variant="ghost" onClick={() => setDialog("delete")} aria-label={`Delete ${base.name}`}>
                <Trash2 size={14} />
              </Button>
            </>
          )}
        </div>
        {base.description && <p className="text-sm text-slate-600">{base.description}</p>}
        <p className="mt-1 text-xs text-slate-500">
          Searches by {MODE_NAMES[base.searchMode]} · chunks of about {base.chunkSize} tokens (a few paragraphs), {base.chunkOverlap} shared with the next · {base.documentCount} documents,{" "}
          {formatSize(base.sizeBytes)}
          {base.searchMode !== "keyword" && ` · embeddings: ${base.embedding.model || "Skyloom's default model"}`}
        </p>
        {base.reembedding && <ReembedProgress key={`${base.reembedding.model}-${base.reembedding.baseUrl}`} knowledgeBaseId={base.id} initial={base.reembedding} currentModel={base.embedding.model} />}
      </div>
      {canEdit && (
        <div className="space-y-2">
          <UploadDrop knowledgeBaseId={base.id} onUploaded={onUploads} />
          <form
            className="flex gap-2"
            onSubmit={(e) => {
              e.preventDefault();
              void addUrl.run();
            }}
          >
            <input value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://example.com/help/returns" aria-label="Web page address" className="min-w-0 flex-1 rounded-md border border-slate-300 px-3 py-2 text-sm" />
            <Button type="submit" variant="secondary" busy={addUrl.busy} disabled={!url.trim()}>
              Add web page
            </Button>
          </form>
          <FormError message={addUrl.error?.message} />
        </div>
      )}
      <FormError message={load.error?.message} />
      <DocumentsTable knowledgeBaseId={base.id} documents={documents} canEdit={canEdit} onChanged={() => void refresh().catch(() => undefined)} />
      <TestSearch key={`${base.id}-${base.searchMode}`} knowledgeBaseId={base.id} baseMode={base.searchMode} />
      {dialog === "settings" && (
        <NewBaseDialog
          open
          editing={base}
          onOpenChange={(open) => !open && setDialog(null)}
          onSaved={() => {
            setDialog(null);
            revalidator.revalidate();
            void refresh().catch(() => undefined);
          }}
        />
      )}
      <ConfirmDialog
        open={dialog === "delete"}
        title={`Delete ${base.name}?`}
        description="Its documents, chunks and vectors are deleted at once; flows that use it fail until they pick another."
        confirmLabel="Delete knowledge base"
        busy={removeBase.busy}
        error={removeBase.error?.message}
        onConfirm={() => void removeBase.run()}
        onCancel={() => setDialog(null)}
      />
    </section>
  );
}
