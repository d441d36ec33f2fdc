import { Search } from "lucide-react";
import { useState } from "react";
import { useTRPCClient, type RouterOutputs } from "#app/lib/trpc";
import { useAction } from "#app/lib/use-action";
import { Button } from "../ui/button";
import { FormError } from "../ui/field";

type Answer = RouterOutputs["knowledge"]["search"];
type Mode = "keyword" | "vector" | "hybrid";

/** Try a question against the base and see what an agent would get: passages, sources, scores. */
export function TestSearch({ knowledgeBaseId, baseMode }: { knowledgeBaseId: string; baseMode: Mode }) {
  const client = useTRPCClient();
  const [query, setQuery] = useState("");
  const [mode, setMode] = useState<Mode>(baseMode);
  const [answer, setAnswer] = useState<Answer | null>(null);
  const search = useAction(async () => setAnswer(await client.knowledge.search.query({ knowledgeBaseId, query, mode, topK: 5 })));
  const modes: Mode[] = baseMode === "keyword" ? ["keyword"] : ["hybrid", "keyword", "vector"];

  return (
    <section className="space-y-2">
      <h3 className="font-semibold">Test a question</h3>
      <form
        className="flex gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          void search.run();
        }}
      >
        <input
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          placeholder="e.g. How do I get a refund?"
          aria-label="Question"
          className="min-w-0 flex-1 rounded-md border border-slate-300 px-3 py-2 text-sm"
        />
        <select value={mode} onChange={(e) => setMode(e.target.value as Mode)} aria-label="Search by" className="rounded-md border border-slate-300 px-2 text-sm">
          {modes.map((m) => (
            <option key={m} value={m}>
              {m === "keyword" ? "Keywords" : m === "vector" ? "Meaning" : "Both"}
            </option>
          ))}
        </select>
        <Button type="submit" busy={search.busy}>
          <Search size={14} /> Search
        </Button>
      </form>
      <FormError message={search.error?.message} />
      {answer?.notice && <p className="text-xs text-amber-700">{answer.notice}</p>}
      {answer && (
        <ol className="space-y-2" data-testid="search-results">
          {answer.results.length === 0 && <li className="text-sm text-slate-500">Nothing matched.</li>}
          {answer.results.map((r) => (
            <li key={r.chunkId} className="rounded-md border border-slate-200 bg-white p-2 text-sm" data-testid="search-result">
              <div className="flex justify-between gap-2 text-xs text-slate-600">
                <span className="font-medium text-slate-800">{r.citation}</span>
                <span>
                  score {r.score.toFixed(2)}
                  {r.ranks.keyword !== null ? ` · keyword #${r.ranks.keyword}` : ""}
                  {r.ranks.vector !== null ? ` · vector #${r.ranks.vector}` : ""}
                </span>
              </div>
              <p className="mt-1 whitespace-pre-wrap">{r.text}</p>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
