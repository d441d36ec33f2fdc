import { Rocket } from "lucide-react";
import { useId, useState } from "react";
import { DurationField } from "#app/components/marketplace/duration-field";
import { Button } from "#app/components/ui/button";
import { FormError } from "#app/components/ui/field";
import { DEFAULT_DURATION, durationHoursOf } from "#app/lib/marketplace/duration";
import { useTRPCClient } from "#app/lib/trpc";
import { useAction } from "#app/lib/use-action";

/** Replicas the form offers; the router checks the real limits (fizz nodes take one). */
function replicasOf(text: string): { replicas: number | null; error: string | null } {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 20) return { replicas: null, error: "Replicas are a whole number from 1 to 20." };
  return { replicas: n, error: null };
}

/** Deploy: how long and how many replicas (and optionally the most to pay), then the order goes out. */
export function DeployForm({ flowId, onDeployed, beforeDeploy }: { flowId: string; onDeployed(ids: string[]): void; beforeDeploy?: () => Promise<unknown> }) {
  const client = useTRPCClient();
  const id = useId();
  const [duration, setDuration] = useState(DEFAULT_DURATION);
  const [replicas, setReplicas] = useState("1");
  const [maxPrice, setMaxPrice] = useState("");
  const hours = durationHoursOf(duration);
  const count = replicasOf(replicas);
  const maxPriceError = maxPrice.trim() !== "" && !(Number(maxPrice) > 0) ? "The maximum is a positive number of SPON per hour, or empty for the quote's." : null;

  const deploy = useAction(async () => {
    await beforeDeploy?.();
    const created = await client.deployment.create.mutate({
      flowId,
      durationHours: hours.hours,
      ...(count.replicas !== null ? { replicas: count.replicas } : {}),
      ...(maxPrice.trim() !== "" ? { maxPricePerHourSpon: maxPrice.trim() } : {}),
    });
    onDeployed(created.map((d) => d.id));
  });

  return (
    <form
      className="space-y-2 rounded-md border border-slate-200 p-3"
      aria-label="Deploy"
      onSubmit={(e) => {
        e.preventDefault();
        void deploy.run();
      }}
    >
      <DurationField value={duration} onChange={setDuration} compact />
      <div className="flex flex-wrap gap-3 text-xs">
        <label className="flex items-center gap-1.5 font-medium text-slate-700">
          Replicas
          <input
            type="number"
            min={1}
            max={20}
            className="w-14 rounded-md border border-slate-300 px-1.5 py-0.5 font-normal shadow-sm"
            value={replicas}
            aria-invalid={count.error ? true : undefined}
            aria-describedby={count.error ? `${id}-replicas` : undefined}
            onChange={(e) => setReplicas(e.target.value)}
          />
        </label>
        <label className="flex items-center gap-1.5 font-medium text-slate-700">
          Pay at most
          <input
            inputMode="decimal"
            className="w-20 rounded-md border border-slate-300 px-1.5 py-0.5 font-normal shadow-sm"
            placeholder="quote"
            value={maxPrice}
            aria-invalid={maxPriceError ? true : undefined}
            aria-describedby={maxPriceError ? `${id}-max` : undefined}
            onChange={(e) => setMaxPrice(e.target.value)}
          />
          SPON/h
        </label>
      </div>
      {count.error && (
        <p id={`${id}-replicas`} role="alert" className="text-xs text-red-600">
          {count.error}
        </p>
      )}
      {maxPriceError && (
        <p id={`${id}-max`} role="alert" className="text-xs text-red-600">
          {maxPriceError}
        </p>
      )}
      <FormError message={deploy.error?.message} />
      <Button type="submit" className="w-full" busy={deploy.busy} disabled={hours.error !== null || count.error !== null || maxPriceError !== null}>
        <Rocket size={15} /> Deploy
      </Button>
    </form>
  );
}
