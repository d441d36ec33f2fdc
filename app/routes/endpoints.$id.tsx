import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useQuery } from "@tanstack/react-query";
import { Info } from "lucide-react";
import { AppHeader } from "#app/components/app-header";
import { EndpointActions } from "#app/components/endpoints/endpoint-actions";
import { LogsPanel } from "#app/components/endpoints/logs-panel";
import { MetricsSection } from "#app/components/endpoints/metrics-section";
import { Playground } from "#app/components/endpoints/playground";
import { UseEndpoint } from "#app/components/endpoints/use-endpoint";
import { LeaseEscrow } from "#app/components/billing/lease-escrow";
import { BidsTable } from "#app/components/marketplace/bids-table";
import { DeploymentTimeline } from "#app/components/marketplace/deployment-timeline";
import { EventList } from "#app/components/marketplace/event-list";
import { StatusBadge } from "#app/components/marketplace/status-badge";
import { useEventLog } from "#app/components/marketplace/use-event-log";
import { FormError } from "#app/components/ui/field";
import { backendSentence } from "#app/lib/marketplace/backend";
import { timelineFromEvents } from "#app/lib/marketplace/timeline";
import { requireViewer } from "#app/lib/require-viewer.server";
import { formatSpon } from "#app/lib/spon";
import { describeApiError, useTRPC, useTRPCClient } from "#app/lib/trpc";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.endpoint.slug ?? "Endpoint"} · Endpoints · Skyloom` }];

export async function loader({ context, params }: LoaderFunctionArgs) {
  const { me, teams } = await requireViewer(context);
  const endpoint = await context.trpc.endpoint.get({ id: params.id ?? "" });
  return { me, teams, endpoint };
}

/** One model endpoint: status, how to call it, a playground, logs, events and metrics. */
export default function EndpointPage() {
  const { me, teams, endpoint: initial } = useLoaderData<typeof loader>();
  const trpc = useTRPC();
  const client = useTRPCClient();
  const query = useQuery({ ...trpc.endpoint.get.queryOptions({ id: initial.id }), initialData: initial, refetchInterval: 1_500 });
  const endpoint = query.data;
  const log = useEventLog(endpoint.id, (after) => client.endpoint.events.query({ id: endpoint.id, ...(after !== undefined ? { after } : {}) }).then((r) => r.events));
  const timeline = timelineFromEvents(log.events);
  const canEdit = me.team !== null && me.team.role !== "viewer";
  const isAdmin = me.team?.role === "admin" || me.team?.role === "owner";
  const note = backendSentence(endpoint.backend);
  const playgroundBlocked =
    endpoint.task !== "chat" ? "This is an embedding model: it answers with vectors, not chat. Use the code below."
    : endpoint.state === "stopped" ? "The endpoint is stopped; start it to chat."
    : null;

  return (
    <div className="min-h-full">
      <AppHeader me={me} teams={teams} />
      <main className="mx-auto max-w-6xl space-y-8 px-4 py-8">
        <div className="flex flex-wrap items-start justify-between gap-4">
          <div className="space-y-1">
            <p className="text-sm">
              <Link to="/endpoints" className="text-brand-600 underline">
                Endpoints
              </Link>{" "}
              /
            </p>
            <h1 className="flex items-center gap-3 text-2xl font-semibold">
              <span className="font-mono">{endpoint.slug}</span>
              <StatusBadge status={endpoint.status} testId="endpoint-status" />
            </h1>
            <p className="text-sm text-slate-600">
              {endpoint.modelTitle}
              {endpoint.gpu?.model ? ` on ${endpoint.gpu.count}× ${endpoint.gpu.model}` : ""}
              {endpoint.node ? ` · node ${endpoint.node.name} (${endpoint.node.region}, ${endpoint.node.tier})` : ""}
              {endpoint.price ? ` · ${formatSpon(endpoint.price.sponPerHour, "SPON/h")}` : ""}
              {endpoint.durationHours === null ? " · until stopped" : ` · for ${endpoint.durationHours} h`}
              {endpoint.idleMinutes !== null ? ` · sleeps after ${endpoint.idleMinutes} idle min` : ""}
            </p>
            {endpoint.message && <FormError message={endpoint.message} />}
            <LeaseEscrow escrow={endpoint.escrow} testId="endpoint-escrow" />
            {note && (
              <p className="flex items-start gap-1.5 text-sm text-slate-700" data-testid="endpoint-backend">
                <Info size={15} className="mt-0.5 shrink-0 text-sky-600" aria-hidden /> {note.text}
              </p>
            )}
          </div>
          {canEdit && <EndpointActions id={endpoint.id} slug={endpoint.slug} running={endpoint.state === "running"} onChanged={() => void query.refetch()} />}
        </div>
        {query.isError && <FormError message={`Could not refresh: ${describeApiError(query.error).message}`} />}

        <div className="grid gap-8 lg:grid-cols-2">
          <Playground endpointId={endpoint.id} disabledReason={playgroundBlocked} />
          <UseEndpoint url={endpoint.url} slug={endpoint.slug} task={endpoint.task} canCreateKey={isAdmin} />
        </div>

        <div className="grid gap-8 lg:grid-cols-2">
          <section className="space-y-3" aria-labelledby="endpoint-progress">
            <h2 id="endpoint-progress" className="text-lg font-semibold">
              Events
            </h2>
            <DeploymentTimeline timeline={timeline} testId="endpoint-timeline" />
            <FormError message={log.error} />
            <BidsTable bids={endpoint.bids} />
            <EventList events={log.events} />
          </section>
          <LogsPanel endpointId={endpoint.id} />
        </div>

        <MetricsSection endpointId={endpoint.id} />
      </main>
    </div>
  );
}
