import { UploadCloud } from "lucide-react";
import { useRef, useState, type DragEvent } from "react";

/** One file on its way in: its bytes going up, then parsing on the server, or refused. */
export type UploadState = { key: string; name: string; phase: "uploading" | "parsing" | "done" | "failed"; progress: number; message?: string; documentId?: string };

const ACCEPT = ".pdf,.docx,.md,.markdown,.html,.htm,.txt,.csv";

/**
 * Sends one file to POST /api/knowledge/upload with XMLHttpRequest, whose upload events give
 * a progress bar (fetch has none). Resolves with the document id, or rejects with the server's message.
 */
function sendFile(knowledgeBaseId: string, file: File, onProgress: (share: number) => void, onSent: () => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/api/knowledge/upload?knowledgeBaseId=${encodeURIComponent(knowledgeBaseId)}&name=${encodeURIComponent(file.name)}`);
    xhr.setRequestHeader("content-type", "application/octet-stream");
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.upload.onload = onSent;
    xhr.onload = () => {
      let body: { document?: { id: string }; error?: { message: string } } = {};
      try {
        body = JSON.parse(xhr.responseText) as typeof body;
      } catch {
        // An answer that is not JSON (a proxy's error page): the status says enough.
      }
      if (xhr.status === 200 && body.document) resolve(body.document.id);
      else reject(new Error(body.error?.message ?? `The upload failed (HTTP ${xhr.status}).`));
    };
    xhr.onerror = () => reject(new Error("The upload was cut off; check the connection and try again."));
    xhr.send(file);
  });
}

/** Drop files (several at once) or pick them; each gets its own row while it uploads and parses. */
export function UploadDrop({ knowledgeBaseId, onUploaded }: { knowledgeBaseId: string; onUploaded: (uploads: UploadState[]) => void }) {
  const [uploads, setUploads] = useState<UploadState[]>([]);
  const [over, setOver] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  function update(key: string, change: Partial<UploadState>) {
    setUploads((list) => {
      const next = list.map((u) => (u.key === key ? { ...u, ...change } : u));
      onUploaded(next);
      return next;
    });
  }

  function start(files: FileList | null) {
    if (!files) return;
    const added = [...files].map((file, i) => ({ file, state: { key: `${Date.now()}-${i}-${file.name}`, name: file.name, phase: "uploading" as const, progress: 0 } }));
    setUploads((list) => [...added.map((a) => a.state), ...list]);
    for (const { file, state } of added) {
      sendFile(
        knowledgeBaseId,
        file,
        (progress) => update(state.key, { progress }),
        () => update(state.key, { phase: "parsing", progress: 1 }),
      ).then(
        (documentId) => update(state.key, { phase: "done", documentId }),
        (error: Error) => update(state.key, { phase: "failed", message: error.message }),
      );
    }
  }

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    start(e.dataTransfer.files);
  };

  return (
    <div className="space-y-2">
      <div
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
        data-testid="knowledge-drop"
        className={`flex flex-col items-center gap-2 rounded-md border-2 border-dashed px-4 py-6 text-sm ${over ? "border-brand-500 bg-brand-50" : "border-slate-300 bg-white"}`}
      >
        <UploadCloud size={24} className="text-slate-500" aria-hidden />
        <p className="text-slate-700">Drop PDF, DOCX, Markdown, HTML, TXT or CSV files here (up to 50 MB each)</p>
        <button type="button" className="text-brand-700 underline" onClick={() => input.current?.click()}>
          or choose files
        </button>
        <input ref={input} type="file" multiple accept={ACCEPT} className="hidden" data-testid="knowledge-file-input" onChange={(e) => start(e.target.files)} />
      </div>
      {uploads.filter((u) => u.phase !== "done").map((u) => (
        <div key={u.key} className="rounded-md border border-slate-200 bg-white px-3 py-2 text-sm" data-testid="upload-row">
          <div className="flex justify-between gap-2">
            <span className="truncate font-medium">{u.name}</span>
            <span className={u.phase === "failed" ? "text-red-700" : "text-slate-600"}>
              {u.phase === "uploading" ? `Uploading ${Math.round(u.progress * 100)}%` : u.phase === "parsing" ? "Parsing…" : "Refused"}
            </span>
          </div>
          {u.phase === "failed" ? (
            <p role="alert" className="mt-1 text-red-700">
              {u.message}
            </p>
          ) : (
            <progress className="mt-1 h-1.5 w-full" value={u.phase === "parsing" ? undefined : u.progress} max={1} aria-label={`${u.name} upload`} />
          )}
        </div>
      ))}
    </div>
  );
}
