import type { ServiceNotRun } from "#server/marketplace/marketplace";

/**
 * What the Deploy panel says about a container a node leases without running it (a service in
 * state "not-run", issue 12): it is leased, billed and monitored, and its image is not started.
 */
export function notRunSentence(nodeName: string, notRun: ServiceNotRun): string {
  return `Leased, billed and monitored; node ${nodeName} has no container engine, so image ${notRun.image} is not started.`;
}

/** The live quote's word for containers the offering nodes would lease but not run. */
export function containersWouldNotRun(images: readonly string[]): string {
  const list = images.join(", ");
  return `The nodes offering this have no container engine: ${images.length === 1 ? `image ${list} is` : `images ${list} are`} leased, billed and monitored, but not started.`;
}
