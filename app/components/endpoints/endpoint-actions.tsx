import { useNavigate } from "@remix-run/react";
import { Play, Square, Trash2 } from "lucide-react";
import { useState } from "react";
import { Button } from "#app/components/ui/button";
import { ConfirmDialog } from "#app/components/ui/confirm-dialog";
import { FormError } from "#app/components/ui/field";
import { useTRPCClient } from "#app/lib/trpc";
import { useAction } from "#app/lib/use-action";

type Pending = "stop" | "delete" | null;

/** Stop, start and delete, each that ends a lease asking first. */
export function EndpointActions({ id, slug, running, onChanged }: { id: string; slug: string; running: boolean; onChanged(): void }) {
  const client = useTRPCClient();
  const navigate = useNavigate();
  const [confirming, setConfirming] = useState<Pending>(null);
  const stop = useAction(async () => {
    await client.endpoint.stop.mutate({ id });
    setConfirming(null);
    onChanged();
  });
  const start = useAction(async () => {
    await client.endpoint.start.mutate({ id });
    onChanged();
  });
  const remove = useAction(async () => {
    await client.endpoint.delete.mutate({ id });
    navigate("/endpoints");
  });

  return (
    <div className="space-y-2">
      <div className="flex flex-wrap gap-2">
        {running ? (
          <Button variant="secondary" onClick={() => setConfirming("stop")}>
            <Square size={14} /> Stop
          </Button>
        ) : (
          <Button variant="secondary" busy={start.busy} onClick={() => void start.run()}>
            <Play size={14} /> Start
          </Button>
        )}
        <Button variant="ghost" className="text-red-700" onClick={() => setConfirming("delete")}>
          <Trash2 size={14} /> Delete
        </Button>
      </div>
      <FormError message={start.error?.message} />
      <ConfirmDialog
        open={confirming === "stop"}
        title={`Stop ${slug}?`}
        description="The lease ends and billing stops. Requests fail until you start it again; the URL and the model name stay the same."
        confirmLabel="Stop endpoint"
        busy={stop.busy}
        error={stop.error?.message}
        onCancel={() => setConfirming(null)}
        onConfirm={() => void stop.run()}
      />
      <ConfirmDialog
        open={confirming === "delete"}
        title={`Delete ${slug}?`}
        description={
          running
            ? "Its lease ends, and the endpoint, its logs and its metrics are removed. Programs calling it get an error."
            : "The endpoint, its logs and its metrics are removed, and its model name is free again. Programs calling it get an error."
        }
        confirmLabel="Delete endpoint"
        busy={remove.busy}
        error={remove.error?.message}
        onCancel={() => setConfirming(null)}
        onConfirm={() => void remove.run()}
      />
    </div>
  );
}
