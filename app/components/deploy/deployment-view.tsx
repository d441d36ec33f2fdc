import { useQuery } from "@tanstack/react-query";
import { Info, RefreshCw, Square } from "lucide-react";
import { useState } from "react";
import { LeaseEscrow } from "#app/components/billing/lease-escrow";
import { BidsTable } from "#app/components/marketplace/bids-table";
import { DeploymentTimeline } from "#app/components/marketplace/deployment-timeline";
import { EventList } from "#app/components/marketplace/event-list";
import { StatusBadge } from "#app/components/marketplace/status-badge";
import { useEventLog } from "#app/components/marketplace/use-event-log";
import { Button } from "#app/components/ui/button";
import { ConfirmDialog } from "#app/components/ui/confirm-dialog";
import { FormError } from "#app/components/ui/field";
import { backendSentence } from "#app/lib/marketplace/backend";
import { timelineFromEvents } from "#app/lib/marketplace/timeline";
import { formatSpon } from "#app/lib/spon";
import { describeApiError, useTRPC, useTRPCClient } from "#app/lib/trpc";
import { useAction } from "#app/lib/use-action";
import { notRunSentence } from "./container-note";

/**
 * One deployment of the flow, followed live: status, the progress timeline from its events,
 * the bids, and Stop / Redeploy the latest version / change replicas. `replaces` and
 * `replacedBy` are the versions of the deployments it took the place of, or that took its.
 */
export function DeploymentView({ id, replaces, replacedBy, onReplaced }: { id: string; replaces?: number; replacedBy?: number; onReplaced(newIds: string[]): void }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const query = useQuery({ ...trpc.deployment.get.queryOptions({ id }), refetchInterval: 1_500 });
  const log = useEventLog(id, (after) => client.deployment.events.query({ id, ...(after !== undefined ? { after } : {}) }).then((r) => r.events));
  const [stopping, setStopping] = useState(false);
  const [replicas, setReplicas] = useState<string | null>(null);

  const stop = useAction(async () => {
    await client.deployment.stop.mutate({ id });
    setStopping(false);
    await query.refetch();
  });
  const redeploy = useAction(async () => {
    const created = await client.deployment.redeploy.mutate({ id });
    onReplaced(created.map((d) => d.id));
  });
  const scale = useAction(async (count: number) => {
    const created = await client.deployment.setReplicas.mutate({ id, replicas: count });
    setReplicas(null);
    onReplaced(created.map((d) => d.id));
  });

  if (query.isPending) return <p className="text-xs text-slate-500">Loading the deployment…</p>;
  if (query.isError) return <FormError message={describeApiError(query.error).message} />;
  const d = query.data;
  const live = d.state !== "stopped";
  const backend = backendSentence(d.backend);
  const notRun = d.lease && d.lease.state !== "closed" ? d.lease.services.flatMap((s) => (s.state === "not-run" && s.notRun ? [{ name: s.name, notRun: s.notRun }] : [])) : [];
  const servesSomething = d.lease?.services.some((s) => s.state !== "not-run") ?? false;
  const timeline = timelineFromEvents(log.events);
  const failed = live && d.status === "failed";
  const replacing = d.state === "replacing";
  const replicaCount = replicas === null ? null : Number(replicas);
  const replicasValid = replicaCount !== null && Number.isInteger(replicaCount) && replicaCount >= 1 && replicaCount <= 20 && replicaCount !== d.replicas;

  return (
    <section className="space-y-3 rounded-md border border-slate-200 p-3" aria-label={`Deployment of ${d.groupName}`} data-testid="deployment" data-deployment={d.id} data-version={d.versionNumber}>
      <div className="flex items-start justify-between gap-2">
        <div className="min-w-0 text-xs text-slate-600">
          <p className="text-sm font-semibold text-slate-800">
            {d.groupName} <span className="font-normal text-slate-500">· version {d.versionNumber}</span>
          </p>
          <p>
            {d.replicas} replica{d.replicas === 1 ? "" : "s"} · {d.durationHours === null ? "until stopped" : `for ${d.durationHours} h`}
            {d.price ? ` · ${formatSpon(d.price.sponPerHour, "SPON/h")}` : ` · at most ${formatSpon(d.maxPrice.sponPerHour, "SPON/h")}`}
          </p>
          {replacing && <p className="text-amber-700">Being replaced by a newer deployment; it keeps serving until that one is ready.</p>}
          {live && replaces !== undefined && d.status !== "failed" && (
            <p data-testid="deployment-replaces">
              {d.status === "ready" ? `Replaced version ${replaces}, which served until this one was ready.` : `Replaces version ${replaces}, which serves until this one is ready.`}
            </p>
          )}
          {d.state === "stopped" && replacedBy !== undefined && (
            <p data-testid="deployment-replaced">Replaced by version {replacedBy}: stopped once that one was ready.</p>
          )}
          {live && d.status === "ready" && d.node && (
            <p className="text-emerald-800" data-testid="deployment-running">
              {d.replicas} replica{d.replicas === 1 ? "" : "s"} {servesSomething ? "running" : "leased (image not run)"} on {d.node.name} ({d.node.region})
              {d.lease?.gpuModel ? `, holding ${d.lease.gpuCount} × ${d.lease.gpuModel}` : ""}
            </p>
          )}
        </div>
        {/* A failed order stays "Failed" once set aside: "Stopped" would hide why it is not running. */}
        <StatusBadge status={d.status === "failed" ? "failed" : d.state === "stopped" ? "stopped" : d.status} testId="deployment-status" />
      </div>
      {backend && (
        <p className="flex items-start gap-1 text-xs text-slate-700" data-testid="deployment-backend">
          <Info size={13} className="mt-px shrink-0 text-sky-600" aria-hidden />
          {backend.text}
        </p>
      )}
      {notRun.length > 0 && d.node && (
        <ul className="space-y-1 rounded-md border border-amber-200 bg-amber-50 p-2 text-xs text-amber-900" data-testid="deployment-container-note">
          {notRun.map((s) => (
            <li key={s.name} data-service={s.name}>
              <span className="font-medium">{s.name}</span>: {notRunSentence(d.node?.name ?? "", s.notRun)}
            </li>
          ))}
        </ul>
      )}
      {failed && timeline.outcome.kind === "failed" && (
        <p className="text-xs text-slate-700" data-testid="deployment-relax">
          To relax the order, open the workload block's settings (its GPU and Where it runs; under Advanced: Regions, Provider trust, Max price), save,
          then press Try again.
        </p>
      )}
      <DeploymentTimeline timeline={timeline} />
      <LeaseEscrow escrow={d.escrow} testId="deployment-escrow" />
      {d.message && timeline.outcome.kind !== "failed" && <p className="text-xs text-slate-700">{d.message}</p>}
      <FormError message={log.error} />
      <BidsTable bids={d.bids} />
      <details className="text-xs">
        <summary className="cursor-pointer text-slate-600">All events ({log.events.length})</summary>
        <EventList events={log.events} />
      </details>

      {live && (
        <div className="flex flex-wrap items-center gap-1.5">
          <Button variant="secondary" className="!px-2 !py-1 text-xs" onClick={() => setStopping(true)}>
            <Square size={12} /> {failed ? "Dismiss" : "Stop"}
          </Button>
          <Button
            variant="secondary"
            className="!px-2 !py-1 text-xs"
            busy={redeploy.busy}
            disabled={replacing}
            title={replacing ? "A newer deployment is on its way" : undefined}
            onClick={() => void redeploy.run()}
          >
            <RefreshCw size={12} /> {failed ? "Try again with the latest version" : "Redeploy the latest version"}
          </Button>
          {failed ? null : replicas === null ? (
            <Button variant="ghost" className="!px-2 !py-1 text-xs" disabled={replacing} onClick={() => setReplicas(String(d.replicas))}>
              Change replicas
            </Button>
          ) : (
            <form
              className="flex items-center gap-1 text-xs"
              onSubmit={(e) => {
                e.preventDefault();
                if (replicasValid && replicaCount !== null) void scale.run(replicaCount);
              }}
            >
              <label className="flex items-center gap-1">
                Replicas
                <input type="number" min={1} max={20} autoFocus className="w-14 rounded border border-slate-300 px-1 py-0.5" value={replicas} onChange={(e) => setReplicas(e.target.value)} />
              </label>
              <Button type="submit" className="!px-2 !py-0.5 text-xs" busy={scale.busy} disabled={!replicasValid}>
                Apply
              </Button>
              <Button type="button" variant="ghost" className="!px-2 !py-0.5 text-xs" onClick={() => setReplicas(null)}>
                Cancel
              </Button>
            </form>
          )}
        </div>
      )}
      <FormError message={redeploy.error?.message ?? scale.error?.message ?? null} />
      <ConfirmDialog
        open={stopping}
        title={failed ? `Dismiss ${d.groupName}?` : `Stop ${d.groupName}?`}
        description={
          failed
            ? "No node runs it, so nothing is billed; what was set aside in escrow comes back. The Deploy form returns."
            : "The lease ends and billing stops; what is left in escrow comes back. Agents using it get an error until you deploy again."
        }
        confirmLabel={failed ? "Dismiss deployment" : "Stop deployment"}
        busy={stop.busy}
        error={stop.error?.message}
        onCancel={() => setStopping(false)}
        onConfirm={() => void stop.run()}
      />
    </section>
  );
}
