import { useQuery } from "@tanstack/react-query";
import { BookOpen } from "lucide-react";
import { describeApiError, useTRPC } from "#app/lib/trpc";

/** Picks one of the team's knowledge bases (`knowledge.list`); the node stores its id. */
export function KnowledgeBaseSelect({
  id,
  testId,
  value,
  disabled,
  invalid,
  onChange,
}: {
  id: string;
  testId: string;
  value: string;
  disabled: boolean;
  invalid: boolean;
  onChange(value: string): void;
}) {
  const trpc = useTRPC();
  const bases = useQuery(trpc.knowledge.list.queryOptions());
  const items = bases.data ?? [];
  const missing = value !== "" && bases.isSuccess && !items.some((b) => b.id === value);
  return (
    <div className="space-y-1">
      <div className="flex items-center gap-2">
        <BookOpen size={14} className="shrink-0 text-slate-400" aria-hidden />
        <select
          id={id}
          data-testid={testId}
          aria-invalid={invalid || missing || undefined}
          className={`block w-full rounded-md border px-2.5 py-1.5 text-sm shadow-sm ${invalid || missing ? "border-red-500" : "border-slate-300"}`}
          value={value}
          disabled={disabled || bases.isPending}
          onChange={(e) => onChange(e.target.value)}
        >
          <option value="">{bases.isPending ? "Loading…" : "Choose a knowledge base"}</option>
          {items.map((b) => (
            <option key={b.id} value={b.id}>
              {b.name} ({b.documentCount} {b.documentCount === 1 ? "document" : "documents"})
            </option>
          ))}
          {missing && <option value={value}>Not a knowledge base of this team</option>}
        </select>
      </div>
      {bases.isError && <p className="text-xs text-red-600">Could not load the knowledge bases: {describeApiError(bases.error).message}</p>}
      {missing && <p className="text-xs text-red-600">This flow names a knowledge base this team does not have (copied from another team?); choose one of yours.</p>}
      <p className="text-xs text-slate-500">
        <a className="text-brand-700 underline" href="/knowledge" target="_blank" rel="noreferrer">
          Manage knowledge bases
        </a>
      </p>
    </div>
  );
}
