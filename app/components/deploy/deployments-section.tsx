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
  const shown = deployments.filter((d) => d.state !== "stopped" || followed.includes(d.id));
  const running = deployments.some((d) => d.state !== "stopped");

  return (
    <section className="space-y-3" aria-label="Deployments" data-testid="deployments">
      <LiveQuote flowId={flowId} revision={revision} />
      {canDeploy && !running && <DeployForm flowId={flowId} onDeployed={follow} beforeDeploy={beforeDeploy} />}
      {list.isError && <FormError message={describeApiError(list.error).message} />}
      {shown.map((d) => (
        <DeploymentView key={d.id} id={d.id} onReplaced={follow} />
      ))}
    </section>
  );
}
