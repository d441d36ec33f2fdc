import { useQuery } from "@tanstack/react-query";
import { useRevalidator } from "@remix-run/react";
import { useEffect } from "react";
import { useTRPC } from "#app/lib/trpc";

const POLL_MS = 700;
type Reembedding = { model: string; progress: number; error: string | null };

/**
 * A change of embeddings model under way: how far it is, and that searches use the current
 * model until the new vectors are swapped in. Polls the base until it is done (then the page
 * reloads the base's settings) or failed (the reason stays shown).
 */
export function ReembedProgress({ knowledgeBaseId, initial, currentModel }: { knowledgeBaseId: string; initial: Reembedding; currentModel: string }) {
  const trpc = useTRPC();
  const revalidator = useRevalidator();
  const base = useQuery({
    ...trpc.knowledge.get.queryOptions({ id: knowledgeBaseId }),
    refetchInterval: (query) => (query.state.data && !query.state.data.reembedding ? false : query.state.data?.reembedding?.error ? false : POLL_MS),
  });
  const reembedding = base.data ? base.data.reembedding : initial;
  const done = base.data !== undefined && base.data.reembedding === null;
  useEffect(() => {
    if (done) revalidator.revalidate();
    // Revalidates once when the swap is seen.
  }, [done]);
  if (!reembedding) return null;
  const model = reembedding.model || "Skyloom's default model";
  if (reembedding.error) {
    return (
      <p role="alert" className="text-sm text-red-600" data-testid="reembed-status">
        Re-embedding with {model} failed: {reembedding.error} Searches still use {currentModel || "Skyloom's default model"}; save the settings again to retry.
      </p>
    );
  }
  return (
    <div className="space-y-1" data-testid="reembed-status">
      <p className="text-sm text-slate-700">
        Re-embedding every chunk with {model}: {Math.round(reembedding.progress * 100)}%. Searches use {currentModel || "Skyloom's default model"} until the new vectors are ready.
      </p>
      <progress className="h-1.5 w-full" value={reembedding.progress} max={1} aria-label={`Re-embedding with ${model}`} />
    </div>
  );
}
