import type { BillingHealth } from "../billing/service";
import type { Services } from "../composition";
import type { RunStorageHealth } from "../services/run-store";

/**
 * What /healthz answers: "ok"; "degraded" while finished runs wait for their storage to be
 * retried, or after runs were lost (the host serves, but its history and usage are missing
 * something: the log says what), or while billing's chain watcher is behind the chain or failing
 * (deposits are not credited: `billing` says how far behind and why); "error" (503) when the
 * database does not answer.
 */
export type Health =
  | { status: "ok" | "degraded"; runStorage: RunStorageHealth; billing: BillingHealth }
  | { status: "error"; message: string };

export function healthOf(services: Pick<Services, "database" | "runStore" | "billing">): Health {
  try {
    services.database.sqlite.prepare("select 1").get();
  } catch (error) {
    console.error("healthz: the database does not answer:", error);
    return { status: "error", message: "The database does not answer; the server log has the details." };
  }
  const runStorage = services.runStore.health();
  const billing = services.billing.health();
  const billingBehind = billing.status === "behind" || billing.status === "error";
  return { status: runStorage.waiting > 0 || runStorage.lost > 0 || billingBehind ? "degraded" : "ok", runStorage, billing };
}
