import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { LayoutTemplate } from "lucide-react";
import { AppHeader } from "#app/components/app-header";
import { GalleryFilters, galleryHref, readGalleryQuery, SHELF_TITLES } from "#app/components/templates/gallery-filters";
import { TemplateCard } from "#app/components/templates/template-card";
import { UseTemplateButton } from "#app/components/templates/use-button";
import { requireViewer } from "#app/lib/require-viewer.server";

export const meta: MetaFunction = () => [{ title: "Templates · Skyloom" }];

export async function loader({ context, request }: LoaderFunctionArgs) {
  const { me, teams } = await requireViewer(context);
  const query = readGalleryQuery(new URL(request.url));
  const shelf = await context.trpc.template.list({
    shelf: query.shelf,
    ...(query.q ? { search: query.q } : {}),
    ...(query.category ? { category: query.category } : {}),
    ...(query.tag ? { tag: query.tag } : {}),
  });
  return { me, teams, query, shelf };
}

const EMPTY_SHELF: Record<keyof typeof SHELF_TITLES, string> = {
  skyloom: "No Skyloom template matches.",
  team: "Your team has not shared a template yet. Open a flow and choose “Save as template”.",
  public: "No other team has shared a template publicly yet.",
};

/** The template gallery: three shelves, search, category and tag filters, cards with "Use". */
export default function Templates() {
  const { me, teams, query, shelf } = useLoaderData<typeof loader>();
  const canUse = me.team !== null && me.team.role !== "viewer";
  const filtered = query.q !== "" || query.category !== "" || query.tag !== "";
  return (
    <div className="min-h-full">
      <AppHeader me={me} teams={teams} />
      <main className="mx-auto max-w-6xl px-4 py-8">
        <h1 className="text-2xl font-semibold">Templates</h1>
        <p className="mt-1 text-sm text-slate-600">Start a flow from a ready-made agent or model, or from one your team shared.</p>
        <div className="mt-6">
          <GalleryFilters query={query} categories={shelf.categories} tags={shelf.tags} />
        </div>
        <p className="mt-4 text-sm text-slate-500" role="status" data-testid="template-count">
          {shelf.total === 1 ? "1 template" : `${shelf.total.toLocaleString("en-US")} templates`}
          {filtered && (
            <>
              {" "}
              ·{" "}
              <Link to={galleryHref(query, { q: "", category: "", tag: "" })} className="text-brand-700 underline">
                clear filters
              </Link>
            </>
          )}
        </p>
        {shelf.templates.length === 0 ? (
          <div className="mt-6 rounded-lg border border-dashed border-slate-300 bg-white p-10 text-center text-slate-600">
            <LayoutTemplate className="mx-auto mb-3 text-slate-400" aria-hidden />
            {filtered ? "No template matches these filters." : EMPTY_SHELF[query.shelf]}
          </div>
        ) : (
          <ul className="mt-4 grid gap-4 sm:grid-cols-2 lg:grid-cols-3" aria-label={SHELF_TITLES[query.shelf]}>
            {shelf.templates.map((card) => (
              <TemplateCard key={card.id} card={card} action={<UseTemplateButton card={card} canUse={canUse} teamName={me.team?.name ?? "this team"} />} />
            ))}
          </ul>
        )}
        {shelf.total > shelf.templates.length && (
          <p className="mt-4 text-sm text-slate-500">
            Showing the first {shelf.templates.length} of {shelf.total.toLocaleString("en-US")}: search or filter to find the others.
          </p>
        )}
      </main>
    </div>
  );
}
