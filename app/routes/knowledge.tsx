import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useNavigate, useRevalidator, useSearchParams } from "@remix-run/react";
import { BookOpen, Plus } from "lucide-react";
import { useState } from "react";
import { AppHeader } from "#app/components/app-header";
import { BasePanel } from "#app/components/knowledge/base-panel";
import { NewBaseDialog } from "#app/components/knowledge/new-base-dialog";
import { Button } from "#app/components/ui/button";
import { requireViewer } from "#app/lib/require-viewer.server";

export const meta: MetaFunction = () => [{ title: "Knowledge · Skyloom" }];

export async function loader({ context }: LoaderFunctionArgs) {
  const { me, teams } = await requireViewer(context);
  const bases = await context.trpc.knowledge.list();
  return { me, teams, bases, canEdit: me.team !== null && me.team.role !== "viewer" };
}

/** The team's knowledge bases: documents agents answer from (the Knowledge Retriever block), with their sources. */
export default function KnowledgePage() {
  const { me, teams, bases, canEdit } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const revalidator = useRevalidator();
  const [creating, setCreating] = useState(false);
  const selected = bases.find((b) => b.id === params.get("kb")) ?? bases[0];

  return (
    <div className="min-h-full">
      <AppHeader me={me} teams={teams} />
      <main className="mx-auto grid max-w-6xl gap-6 px-4 py-8 md:grid-cols-[16rem_1fr]">
        <aside className="space-y-3">
          <div className="flex items-center justify-between">
            <h1 className="text-2xl font-semibold">Knowledge</h1>
            {canEdit && (
              <Button variant="secondary" onClick={() => setCreating(true)} aria-label="New knowledge base">
                <Plus size={14} /> New
              </Button>
            )}
          </div>
          {bases.length === 0 ? (
            <p className="text-sm text-slate-500" data-testid="knowledge-empty">
              No knowledge bases yet. Make one, add documents, then use it in a flow with the Knowledge Retriever block.
            </p>
          ) : (
            <ul className="space-y-1" data-testid="knowledge-list">
              {bases.map((b) => (
                <li key={b.id}>
                  <Link
                    to={`/knowledge?kb=${b.id}`}
                    className={`flex items-center gap-2 rounded px-2 py-1.5 text-sm ${b.id === selected?.id ? "bg-brand-50 font-medium text-brand-800" : "hover:bg-slate-100"}`}
                  >
                    <BookOpen size={14} aria-hidden /> <span className="truncate">{b.name}</span>
                    <span className="ml-auto text-xs text-slate-500">{b.documentCount}</span>
                  </Link>
                </li>
              ))}
            </ul>
          )}
        </aside>
        <div>{selected && <BasePanel key={selected.id} base={selected} canEdit={canEdit} />}</div>
      </main>
      <NewBaseDialog
        open={creating}
        onOpenChange={setCreating}
        onSaved={(id) => {
          setCreating(false);
          navigate(`/knowledge?kb=${id}`);
          revalidator.revalidate();
        }}
      />
    </div>
  );
}
