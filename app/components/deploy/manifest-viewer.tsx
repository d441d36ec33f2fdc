import { Check, Copy, Download } from "lucide-react";
import { strToU8, zipSync } from "fflate";
import { lazy, Suspense, useState } from "react";
import { Button } from "#app/components/ui/button";

export type ManifestFile = { fileName: string; content: string };

// CodeMirror loads with the first manifest shown, not with the editor page.
const ManifestCode = lazy(() => import("./manifest-code"));

/** Saves text as a file through the browser's download, with no server round trip. */
export function downloadText(fileName: string, content: string, type = "application/yaml"): void {
  downloadBlob(fileName, new Blob([content], { type }));
}

/** Several text files as one zip download (browsers block or prompt for a burst of downloads). */
export function downloadZip(fileName: string, files: ManifestFile[]): void {
  const entries = Object.fromEntries(files.map((f) => [f.fileName, strToU8(f.content)]));
  downloadBlob(fileName, new Blob([zipSync(entries)], { type: "application/zip" }));
}

function downloadBlob(fileName: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  URL.revokeObjectURL(url);
}

/** One manifest, syntax-highlighted and read-only, with copy and download buttons. */
export function ManifestViewer({ file, height = "24rem" }: { file: ManifestFile; height?: string }) {
  const [copied, setCopied] = useState(false);
  const [copyError, setCopyError] = useState<string | null>(null);

  async function copy() {
    try {
      await navigator.clipboard.writeText(file.content);
      setCopyError(null);
      setCopied(true);
      setTimeout(() => setCopied(false), 1_500);
    } catch {
      setCopyError("The browser refused clipboard access; select the text and copy it instead.");
    }
  }

  return (
    <div className="space-y-1.5" data-testid="manifest-viewer" data-file={file.fileName}>
      <div className="flex items-center justify-between gap-2">
        <code className="truncate text-xs text-slate-600">{file.fileName}</code>
        <div className="flex shrink-0 gap-1">
          <Button variant="secondary" className="!px-2 !py-1 text-xs" onClick={() => void copy()} aria-label={`Copy ${file.fileName}`}>
            {copied ? <Check size={13} /> : <Copy size={13} />} {copied ? "Copied" : "Copy"}
          </Button>
          <Button
            variant="secondary"
            className="!px-2 !py-1 text-xs"
            onClick={() => downloadText(file.fileName, file.content)}
            aria-label={`Download ${file.fileName}`}
          >
            <Download size={13} /> Download
          </Button>
        </div>
      </div>
      {copyError && <p className="text-xs text-red-600">{copyError}</p>}
      <div className="overflow-hidden rounded-md border border-slate-200 text-xs">
        <Suspense fallback={<ManifestLoading height={height} />}>
          <ManifestCode content={file.content} fileName={file.fileName} height={height} />
        </Suspense>
      </div>
    </div>
  );
}

function ManifestLoading({ height }: { height: string }) {
  return (
    <p className="flex items-center justify-center text-xs text-slate-500" style={{ height }} role="status" data-testid="manifest-loading">
      Loading…
    </p>
  );
}
