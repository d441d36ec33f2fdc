import { FORMAT_NAMES, type ImportEntry, type ImportReport } from "#agents/import/report";
import { Button } from "./ui/button";
import { Dialog } from "./ui/dialog";

export type ImportedFlow = { flowId: string; name: string; report: ImportReport };

/** The report's sections, most important first: what needs a person's attention leads. */
const SECTIONS: { title: string; codes: ImportEntry["code"][]; testId: string }[] = [
  { title: "Placeholder notes (not imported)", codes: ["I402"], testId: "import-report-placeholders" },
  { title: "Secrets not imported", codes: ["I403"], testId: "import-report-secrets" },
  { title: "To review", codes: ["I404", "I405", "I406", "I407"], testId: "import-report-review" },
  { title: "Mapped to Skyloom blocks", codes: ["I401"], testId: "import-report-mapped" },
  { title: "Added to complete the flow", codes: ["I408"], testId: "import-report-added" },
];

function EntryLine({ entry }: { entry: ImportEntry }) {
  const source = entry.source ? `${entry.source.label ?? entry.source.type} (${entry.source.type})` : null;
  return (
    <li className="text-xs leading-snug text-slate-700">
      {source && <span className="font-medium text-slate-900">{source}: </span>}
      {entry.message} <span className="text-slate-400">{entry.code}</span>
    </li>
  );
}

/**
 * What an import did, shown once it created the flow: counts, then every mapping, placeholder
 * and stripped secret, so nothing was dropped without the person being told.
 */
export function ImportReportDialog({ imported, onClose, onOpen }: { imported: ImportedFlow | null; onClose: () => void; onOpen: (flowId: string) => void }) {
  const report = imported?.report;
  const c = report?.counts;
  return (
    <Dialog
      open={imported !== null}
      onOpenChange={(o) => !o && onClose()}
      title={imported ? `Imported “${imported.name}”` : "Imported"}
      description={report ? `From a ${FORMAT_NAMES[report.format]}. Nothing in the file was run.` : undefined}
    >
      {report && c && (
        <div data-testid="import-report">
          <ul className="grid grid-cols-2 gap-2 text-sm" data-testid="import-report-counts">
            <li>
              <strong>{c.mapped}</strong> of {c.sourceNodes} nodes mapped
            </li>
            <li>
              <strong>{c.placeholders}</strong> placeholder notes
            </li>
            <li>
              <strong>{c.secretsStripped}</strong> secrets not imported
            </li>
            <li>
              <strong>{c.edgesImported}</strong> of {c.sourceEdges} connections
            </li>
          </ul>
          {SECTIONS.map((section) => {
            const entries = report.entries.filter((e) => section.codes.includes(e.code));
            if (entries.length === 0) return null;
            return (
              <section key={section.title} className="mt-4" data-testid={section.testId}>
                <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500">{section.title}</h3>
                <ul className="mt-1 space-y-1">
                  {entries.map((entry, i) => (
                    <EntryLine key={i} entry={entry} />
                  ))}
                </ul>
              </section>
            );
          })}
          <div className="mt-6 flex justify-end gap-2">
            <Button type="button" variant="secondary" onClick={onClose}>
              Close
            </Button>
            <Button type="button" onClick={() => imported && onOpen(imported.flowId)} data-testid="import-report-open">
              Open flow
            </Button>
          </div>
        </div>
      )}
    </Dialog>
  );
}
