import { Form, Link, useSubmit } from "@remix-run/react";
import { Search } from "lucide-react";
import { useId } from "react";

export const SHELF_TITLES = { skyloom: "Skyloom's templates", team: "My team's", public: "Public" } as const;
export type Shelf = keyof typeof SHELF_TITLES;
export type GalleryQuery = { shelf: Shelf; q: string; category: string; tag: string };

/** The gallery's address for a query: what a shelf tab, a tag or a reset links to. */
export function galleryHref(query: GalleryQuery, change: Partial<GalleryQuery> = {}): string {
  const next = { ...query, ...change };
  const params = new URLSearchParams();
  if (next.shelf !== "skyloom") params.set("shelf", next.shelf);
  if (next.q) params.set("q", next.q);
  if (next.category) params.set("category", next.category);
  if (next.tag) params.set("tag", next.tag);
  const search = params.toString();
  return search ? `/templates?${search}` : "/templates";
}

/** The gallery's query from its address; anything unknown falls back to the default. */
export function readGalleryQuery(url: URL): GalleryQuery {
  const shelf = url.searchParams.get("shelf");
  return {
    shelf: shelf === "team" || shelf === "public" ? shelf : "skyloom",
    q: (url.searchParams.get("q") ?? "").slice(0, 200),
    category: (url.searchParams.get("category") ?? "").slice(0, 40),
    tag: (url.searchParams.get("tag") ?? "").slice(0, 30),
  };
}

/**
 * Shelves as tabs, a search box and the category and tag filters. Everything is in the
 * address (a plain GET form), so a filtered gallery can be shared, reloaded and used with
 * Back; the server does the filtering.
 */
export function GalleryFilters({ query, categories, tags }: { query: GalleryQuery; categories: readonly string[]; tags: readonly string[] }) {
  const submit = useSubmit();
  const searchId = useId();
  const categoryId = useId();
  return (
    <div className="space-y-3">
      <nav aria-label="Shelves" className="flex gap-1 border-b border-slate-200">
        {(Object.keys(SHELF_TITLES) as Shelf[]).map((shelf) => (
          <Link
            key={shelf}
            to={galleryHref({ shelf, q: query.q, category: "", tag: "" })}
            aria-current={query.shelf === shelf ? "page" : undefined}
            className={`-mb-px border-b-2 px-3 py-2 text-sm ${query.shelf === shelf ? "border-brand-600 font-medium text-brand-700" : "border-transparent text-slate-600 hover:text-slate-900"}`}
          >
            {SHELF_TITLES[shelf]}
          </Link>
        ))}
      </nav>
      {/* Keyed by the query: fields show what the address says after Back or "clear filters". */}
      <Form
        key={`${query.shelf}|${query.q}|${query.category}|${query.tag}`}
        method="get"
        action="/templates"
        role="search" className="flex flex-wrap items-end gap-3" onChange={(e) => e.target instanceof HTMLSelectElement && submit(e.currentTarget)}>
        {query.shelf !== "skyloom" && <input type="hidden" name="shelf" value={query.shelf} />}
        {query.tag && <input type="hidden" name="tag" value={query.tag} />}
        <div className="min-w-56 flex-1">
          <label htmlFor={searchId} className="block text-sm font-medium text-slate-700">
            Search templates
          </label>
          <div className="relative mt-1">
            <Search size={15} className="pointer-events-none absolute left-2.5 top-2.5 text-slate-400" aria-hidden />
            <input
              id={searchId}
              type="search"
              name="q"
              defaultValue={query.q}
              maxLength={200}
              placeholder="Name, description or tag"
              className="block w-full rounded-md border border-slate-300 py-2 pl-8 pr-3 text-sm shadow-sm outline-none focus:border-brand-500 focus:ring-2 focus:ring-brand-100"
            />
          </div>
        </div>
        <div>
          <label htmlFor={categoryId} className="block text-sm font-medium text-slate-700">
            Category
          </label>
          <select id={categoryId} name="category" defaultValue={query.category} className="mt-1 block rounded-md border border-slate-300 px-3 py-2 text-sm">
            <option value="">All categories</option>
            {categories.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="rounded-md bg-white px-3 py-2 text-sm font-medium text-slate-800 ring-1 ring-inset ring-slate-300 hover:bg-slate-50">
          Search
        </button>
      </Form>
      {tags.length > 0 && (
        <ul className="flex flex-wrap gap-1.5" aria-label="Filter by tag">
          {tags.map((tag) => {
            const active = query.tag === tag;
            return (
              <li key={tag}>
                <Link
                  to={galleryHref(query, { tag: active ? "" : tag })}
                  aria-current={active ? "true" : undefined}
                  aria-label={active ? `#${tag} (filtering; click to clear)` : `#${tag}`}
                  className={`rounded-full px-2.5 py-0.5 text-xs ring-1 ring-inset ${active ? "bg-brand-600 text-white ring-brand-600" : "bg-white text-slate-600 ring-slate-300 hover:bg-slate-50"}`}
                >
                  #{tag}
                </Link>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
