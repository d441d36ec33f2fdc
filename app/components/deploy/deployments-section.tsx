import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { FormError } from "#app/components/ui/field";
import { describeApiError, useTRPC } from "#app/lib/trpc";
import { DeployForm } from "./deploy-form";
import { DeploymentView } from "./deployment-view";
import { LiveQuote } from "./live-quote";

/**
 * The marketplace half of the Deploy panel: live offers, the Deploy form, and the flow's
 * deployments followed live. Stopped ones stay in view until the panel is reopened, so the
 * person sees the stop land.
 */
export function DeploymentsSection({ flowId, revision, canDeploy, beforeDeploy }: { flowId: string; revision?: number; canDeploy: boolean; beforeDeploy?: () => Promise<unknown> }) {
  const trpc = useTRPC();
  const list = useQuery({ ...trpc.deployment.list.queryOptions({ flowId }), refetchInterval: 3_000 });
  const [followed, setFollowed] = useState<string[]>([]);
  const follow = (ids: string[]) => {
    setFollowed((f) => [...new Set([...ids, ...f])]);
    void list.refetch();
  };
  const deployments = list.data ?? [];
  const live = deployments.filter((d) => d.state !== "stopped");
  // The one a live deployment replaced stays in view too, so the person sees the swap land.
  const shown = deployments.filter((d) => d.state !== "stopped" || followed.includes(d.id) || live.some((l) => l.replacesId === d.id));
  const running = live.length > 0;
  // Which version took each replaced deployment's place, so a stopped one says so (a failed
  // replacement took no one's place: the old one carried on).
  const replacedBy = new Map(deployments.filter((d) => d.replacesId !== null && d.status !== "failed").map((d) => [d.replacesId, d.versionNumber]));
  const versionOf = new Map(deployments.map((d) => [d.id, d.versionNumber]));

  return (
    <section className="space-y-3" aria-label="Deployments" data-testid="deployments">
      <LiveQuote flowId={flowId} revision={revision} />
      {canDeploy && !running && <DeployForm flowId={flowId} onDeployed={follow} beforeDeploy={beforeDeploy} />}
      {list.isError && <FormError message={describeApiError(list.error).message} />}
      {shown.map((d) => (
        <DeploymentView
          key={d.id}
          id={d.id}
          replaces={d.replacesId ? versionOf.get(d.replacesId) : undefined}
          replacedBy={replacedBy.get(d.id)}
          onReplaced={follow}
        />
      ))}
    </section>
  );
}
