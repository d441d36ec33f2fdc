import { useNavigate } from "@remix-run/react";
import { useTRPCClient } from "#app/lib/trpc";
import { useAction } from "#app/lib/use-action";
import { Button } from "../ui/button";
import type { TemplateCardData } from "./template-card";

/**
 * "Use" on a card. A template that needs nothing becomes a flow in one click and opens in the
 * editor; one that needs a key or a knowledge base opens its page, where those are asked for.
 * A viewer is told why there is no button.
 */
export function UseTemplateButton({ card, canUse, teamName }: { card: Pick<TemplateCardData, "id" | "name" | "needs">; canUse: boolean; teamName: string }) {
  const client = useTRPCClient();
  const navigate = useNavigate();
  const use = useAction(async () => {
    if (card.needs.some((n) => n.kind !== "deployed-model")) {
      navigate(`/templates/${card.id}#use`);
      return;
    }
    const { flowId } = await client.template.use.mutate({ id: card.id });
    navigate(`/flows/${flowId}`);
  });
  if (!canUse) return <span className="text-[11px] text-slate-500">Using a template needs the editor role in {teamName}</span>;
  return (
    <span className="flex flex-col items-end gap-1">
      <Button className="!py-1" onClick={() => void use.run()} busy={use.busy} aria-label={`Use ${card.name}`}>
        Use
      </Button>
      {use.error && (
        <span role="alert" className="text-[11px] text-red-600">
          {use.error.message}
        </span>
      )}
    </span>
  );
}
