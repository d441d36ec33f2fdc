import { Link } from "@remix-run/react";
import { Globe, Lock, Users } from "lucide-react";
import type { ReactNode } from "react";
import type { RouterOutputs } from "#app/lib/trpc";
import { GraphThumbnail } from "./graph-thumbnail";
import { distinctChips } from "./needs";

// Loaders hand over real Dates; JSON over tRPC gives strings. A card takes either.
export type TemplateCardData = Omit<RouterOutputs["template"]["list"]["templates"][number], "updatedAt"> & { updatedAt: Date | string };

/** Whose template it is and who sees it, in a few words. */
export function shareLabel(card: Pick<TemplateCardData, "visibility" | "teamName">): { text: string; icon: ReactNode } {
  switch (card.visibility) {
    case "skyloom":
      return { text: "By Skyloom", icon: null };
    case "public":
      return { text: `Public · ${card.teamName ?? "another team"}`, icon: <Globe size={12} aria-hidden /> };
    case "team":
      return { text: `Shared with ${card.teamName ?? "your team"}`, icon: <Users size={12} aria-hidden /> };
    case "private":
      return { text: "Not shared", icon: <Lock size={12} aria-hidden /> };
  }
}

/**
 * A gallery card: a picture drawn from the graph, the name (opens the template), what it is
 * for, its tags, what it needs and how often it was used. `action` is the card's button ("Use").
 */
export function TemplateCard({ card, action }: { card: TemplateCardData; action?: ReactNode }) {
  const share = shareLabel(card);
  const chips = distinctChips(card.needs);
  return (
    <li className="flex flex-col rounded-lg border border-slate-200 bg-white p-3 shadow-sm hover:border-brand-500" data-testid="template-card" data-template-id={card.id}>
      <GraphThumbnail graph={card.graph} title={`Graph of ${card.name}`} />
      <h3 className="mt-3 font-medium text-slate-900">
        <Link to={`/templates/${card.id}`} className="hover:text-brand-700 hover:underline">
          {card.name}
        </Link>
      </h3>
      <p className="mt-0.5 inline-flex items-center gap-1 text-xs text-slate-500" data-testid="template-share">
        {share.icon}
        {share.text} · v{card.version}
      </p>
      {card.description && <p className="mt-1 line-clamp-2 text-sm text-slate-600">{card.description}</p>}
      {card.tags.length > 0 && (
        <ul className="mt-2 flex flex-wrap gap-1" aria-label="Tags">
          {card.tags.map((tag) => (
            <li key={tag} className="rounded bg-slate-100 px-1.5 py-0.5 text-[11px] text-slate-600">
              #{tag}
            </li>
          ))}
        </ul>
      )}
      <NeedChips chips={chips} />
      <div className="mt-auto flex items-center justify-between gap-2 pt-3">
        <span className="text-xs text-slate-500" data-testid="template-uses">
          {card.uses === 1 ? "used once" : `used ${card.uses.toLocaleString("en-US")} times`}
        </span>
        {action}
      </div>
    </li>
  );
}

export function NeedChips({ chips }: { chips: readonly string[] }) {
  if (chips.length === 0) return <p className="mt-2 text-[11px] text-emerald-700">Ready to run: needs nothing</p>;
  return (
    <ul className="mt-2 flex flex-wrap gap-1" aria-label="What it needs">
      {chips.map((chip) => (
        <li key={chip} className="rounded-full bg-amber-50 px-2 py-0.5 text-[11px] font-medium text-amber-800 ring-1 ring-inset ring-amber-200" data-testid="template-need">
          {chip}
        </li>
      ))}
    </ul>
  );
}
