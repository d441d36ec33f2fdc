import { useState } from "react";
import { useTRPCClient } from "#app/lib/trpc";
import { useAction } from "#app/lib/use-action";
import { Button } from "../ui/button";
import { Dialog } from "../ui/dialog";
import { CredentialSelect } from "../canvas/config-form/credential-select";
import { FormError, TextField } from "../ui/field";

type Mode = "keyword" | "vector" | "hybrid";
const MODES: { value: Mode; label: string; help: string }[] = [
  { value: "keyword", label: "Keywords", help: "Finds passages that use the question's words (BM25). Needs nothing else; the default." },
  { value: "vector", label: "Meaning", help: "Finds passages that mean the same in other words, using an embeddings model (OpenAI, Ollama, …)." },
  { value: "hybrid", label: "Both", help: "Keywords and meaning together, ranked by reciprocal rank fusion: finds exact terms and paraphrases." },
];

/** The settings a base is made with or changed to. */
export type BaseSettings = {
  id: string;
  name: string;
  description: string;
  searchMode: Mode;
  chunkSize: number;
  chunkOverlap: number;
  embedding: { baseUrl: string; model: string; credentialId: string | null };
  /** A change of model under way: the form shows it, so saving a new name does not cancel it. */
  reembedding?: { baseUrl: string; model: string; credentialId: string | null } | null;
};

/**
 * Name, how it searches, and how documents are cut into chunks (explained in words). With
 * `editing`, changes that base instead: new chunking or a new embeddings model re-index its
 * documents in the background.
 */
export function NewBaseDialog({
  open,
  onOpenChange,
  onSaved,
  editing,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onSaved: (id: string) => void;
  editing?: BaseSettings;
}) {
  const client = useTRPCClient();
  const [name, setName] = useState(editing?.name ?? "");
  const [searchMode, setSearchMode] = useState<Mode>(editing?.searchMode ?? "keyword");
  const [chunkSize, setChunkSize] = useState(editing?.chunkSize ?? 400);
  const [chunkOverlap, setChunkOverlap] = useState(editing?.chunkOverlap ?? 50);
  const embedding = editing?.reembedding ?? editing?.embedding;
  const [embeddingBaseUrl, setEmbeddingBaseUrl] = useState(embedding?.baseUrl ?? "");
  const [embeddingModel, setEmbeddingModel] = useState(embedding?.model ?? "");
  const [embeddingCredentialId, setEmbeddingCredentialId] = useState<string | null>(embedding?.credentialId ?? null);
  const create = useAction(async () => {
    const settings = { name, searchMode, chunkSize, chunkOverlap, embeddingBaseUrl, embeddingModel, embeddingCredentialId };
    if (editing) {
      await client.knowledge.update.mutate({ id: editing.id, settings: { ...settings, description: editing.description } });
      onSaved(editing.id);
      return;
    }
    const base = await client.knowledge.create.mutate(settings);
    setName("");
    onSaved(base.id);
  });
  const fieldError = (key: string) => create.error?.fields[key]?.[0] ?? create.error?.fields[`settings.${key}`]?.[0];

  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title={editing ? `Settings of ${editing.name}` : "New knowledge base"}
      description={editing ? "A new chunk size or embeddings model re-indexes every document in the background." : "Documents your agents answer from, with their sources."}
    >
      <form
        className="space-y-4"
        onSubmit={(e) => {
          e.preventDefault();
          void create.run();
        }}
      >
        <TextField label="Name" value={name} onChange={(e) => setName(e.target.value)} error={fieldError("name")} autoFocus />
        <fieldset className="space-y-1">
          <legend className="text-sm font-medium text-slate-700">Search by</legend>
          {MODES.map((m) => (
            <label key={m.value} className="flex gap-2 text-sm">
              <input type="radio" name="searchMode" value={m.value} checked={searchMode === m.value} onChange={() => setSearchMode(m.value)} />
              <span>
                <span className="font-medium">{m.label}</span> <span className="text-slate-600">{m.help}</span>
              </span>
            </label>
          ))}
        </fieldset>
        {searchMode !== "keyword" && (
          <fieldset className="space-y-2 rounded-md border border-slate-200 p-3" data-testid="embeddings-endpoint">
            <legend className="px-1 text-sm font-medium text-slate-700">Embeddings endpoint</legend>
            <p className="text-xs text-slate-600">
              Any OpenAI-compatible <code>/v1/embeddings</code>: OpenAI, Ollama, or a model deployed through Skyloom. Left empty, Skyloom&apos;s default model embeds: on a fresh
              install that is the local development model, which needs no key (its vectors are not semantic; fine for trying things out).
            </p>
            <div className="grid grid-cols-2 gap-3">
              <TextField
                label="Embeddings base URL"
                value={embeddingBaseUrl}
                onChange={(e) => setEmbeddingBaseUrl(e.target.value)}
                placeholder="https://api.openai.com/v1"
                hint="Empty: Skyloom's default model."
                error={fieldError("embeddingBaseUrl")}
              />
              <TextField label="Embeddings model" value={embeddingModel} onChange={(e) => setEmbeddingModel(e.target.value)} hint="e.g. text-embedding-3-small, nomic-embed-text" error={fieldError("embeddingModel")} />
            </div>
            <div className="space-y-1">
              <label htmlFor="embedding-credential" className="text-sm font-medium text-slate-700">
                API key
              </label>
              <CredentialSelect
                id="embedding-credential"
                testId="embedding-credential"
                value={embeddingCredentialId}
                disabled={false}
                invalid={Boolean(fieldError("embeddingCredentialId"))}
                onChange={setEmbeddingCredentialId}
              />
              {fieldError("embeddingCredentialId") && <p className="text-xs text-red-600">{fieldError("embeddingCredentialId")}</p>}
            </div>
          </fieldset>
        )}
        <div className="grid grid-cols-2 gap-3">
          <TextField
            label="Chunk size (tokens)"
            type="number"
            value={chunkSize}
            onChange={(e) => setChunkSize(Number(e.target.value))}
            hint="About ¾ of a word each; 400 is a few paragraphs: enough to answer from, small enough to find the right passage."
            error={fieldError("chunkSize")}
          />
          <TextField
            label="Overlap (tokens)"
            type="number"
            value={chunkOverlap}
            onChange={(e) => setChunkOverlap(Number(e.target.value))}
            hint="Repeated at the start of the next chunk, so a sentence cut at the edge is still found whole."
            error={fieldError("chunkOverlap")}
          />
        </div>
        <FormError message={create.error && Object.keys(create.error.fields).length === 0 ? create.error.message : null} />
        <div className="flex justify-end gap-2">
          <Button type="button" variant="secondary" onClick={() => onOpenChange(false)}>
            Cancel
          </Button>
          <Button type="submit" busy={create.busy}>
            {editing ? "Save settings" : "Create"}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
