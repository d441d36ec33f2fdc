import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useNavigate } from "@remix-run/react";
import { Rocket } from "lucide-react";
import { useId, useState } from "react";
import { AppHeader } from "#app/components/app-header";
import { CatalogPicker, entryPrice } from "#app/components/endpoints/catalog-picker";
import { DurationField } from "#app/components/marketplace/duration-field";
import { Button } from "#app/components/ui/button";
import { FormError } from "#app/components/ui/field";
import { DEFAULT_DURATION, durationHoursOf } from "#app/lib/marketplace/duration";
import { describeCommitment } from "#app/lib/marketplace/price";
import { requireViewer } from "#app/lib/require-viewer.server";
import { useTRPCClient } from "#app/lib/trpc";
import { useAction } from "#app/lib/use-action";
import type { EndpointCatalogEntry } from "#server/services/market-views";

export const meta: MetaFunction = () => [{ title: "New endpoint · Skyloom" }];

export async function loader({ context }: LoaderFunctionArgs) {
  return requireViewer(context);
}

/** Idle minutes the form offers; empty means never sleep. */
function idleMinutesOf(text: string): { minutes: number | null; error: string | null } {
  if (text.trim() === "") return { minutes: null, error: null };
  const minutes = Number(text);
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > 1440) return { minutes: null, error: "Idle minutes are a whole number from 1 to 1440, or empty to never sleep." };
  return { minutes, error: null };
}

/** One-click model endpoint: pick a model, see the GPU and price, choose how long, deploy. */
export default function NewEndpointPage() {
  const { me, teams } = useLoaderData<typeof loader>();
  const client = useTRPCClient();
  const navigate = useNavigate();
  const id = useId();
  const [entry, setEntry] = useState<EndpointCatalogEntry | null>(null);
  const [duration, setDuration] = useState(DEFAULT_DURATION);
  const [idle, setIdle] = useState("");
  const hours = durationHoursOf(duration);
  const idleMinutes = idleMinutesOf(idle);
  const canEdit = me.team !== null && me.team.role !== "viewer";

  const deploy = useAction(async () => {
    if (!entry) return;
    const created = await client.endpoint.create.mutate({ modelId: entry.id, durationHours: hours.hours, idleMinutes: idleMinutes.minutes });
    navigate(`/endpoints/${created.id}`);
  });

  return (
    <div className="min-h-full">
      <AppHeader me={me} teams={teams} />
      <main className="mx-auto max-w-6xl space-y-6 px-4 py-8">
        <div>
          <p className="text-sm">
            <Link to="/endpoints" className="text-brand-600 underline">
              Endpoints
            </Link>{" "}
            /
          </p>
          <h1 className="text-2xl font-semibold">New model endpoint</h1>
        </div>
        {!canEdit && <p className="text-sm text-slate-600">Viewers cannot create endpoints; ask an editor of the team.</p>}
        <CatalogPicker selected={entry} onSelect={setEntry} />
        <section className="space-y-3" aria-labelledby={`${id}-deploy`}>
          <h2 id={`${id}-deploy`} className="text-lg font-semibold">
            2. Deploy
          </h2>
          {entry ? (
            <p className="text-sm text-slate-700" data-testid="endpoint-choice">
              <strong>{entry.title}</strong> on {entry.gpu.count}× {entry.gpu.title}, {entryPrice(entry)}.
            </p>
          ) : (
            <p className="text-sm text-slate-500">Pick a model above first.</p>
          )}
          <DurationField value={duration} onChange={setDuration} />
          <div>
            <label htmlFor={`${id}-idle`} className="block text-sm font-medium text-slate-700">
              Sleep after idle minutes
            </label>
            <input
              id={`${id}-idle`}
              type="number"
              min={1}
              max={1440}
              className="mt-1 w-32 rounded-md border border-slate-300 px-2.5 py-1.5 text-sm shadow-sm"
              placeholder="never"
              value={idle}
              aria-invalid={idleMinutes.error ? true : undefined}
              aria-describedby={`${id}-idle-note`}
              onChange={(e) => setIdle(e.target.value)}
            />
            <p id={`${id}-idle-note`} className={`mt-1 text-xs ${idleMinutes.error ? "text-red-600" : "text-slate-500"}`} role={idleMinutes.error ? "alert" : undefined}>
              {idleMinutes.error ?? "Empty: never sleeps. Asleep, it costs nothing; the next request wakes it (the first answer then takes a few seconds)."}
            </p>
          </div>
          {entry && !hours.error && (
            <p className="text-sm text-slate-600" data-testid="endpoint-commitment">
              {describeCommitment(entry.live?.high.sponPerHour ?? entry.price.sponPerHour, hours.hours)}
            </p>
          )}
          <FormError message={deploy.error?.message} />
          <Button onClick={() => void deploy.run()} busy={deploy.busy} disabled={!canEdit || !entry || hours.error !== null || idleMinutes.error !== null}>
            <Rocket size={16} /> Deploy
          </Button>
        </section>
      </main>
    </div>
  );
}
