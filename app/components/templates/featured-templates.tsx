import { Link } from "@remix-run/react";
import { TemplateCard, type TemplateCardData } from "./template-card";
import { UseTemplateButton } from "./use-button";

/** The empty dashboard's start: the four most useful Skyloom templates, each one click from a flow. */
export function FeaturedTemplates({ templates, canUse, teamName }: { templates: readonly TemplateCardData[]; canUse: boolean; teamName: string }) {
  if (templates.length === 0) return null;
  return (
    <section aria-labelledby="featured-title" className="mt-8" data-testid="featured-templates">
      <div className="flex items-baseline justify-between">
        <h2 id="featured-title" className="text-lg font-semibold">
          Start from a template
        </h2>
        <Link to="/templates" className="text-sm text-brand-700 underline">
          All templates
        </Link>
      </div>
      <ul className="mt-3 grid gap-4 sm:grid-cols-2 lg:grid-cols-4" aria-label="Featured templates">
        {templates.map((card) => (
          <TemplateCard key={card.id} card={card} action={<UseTemplateButton card={card} canUse={canUse} teamName={teamName} />} />
        ))}
      </ul>
    </section>
  );
}
