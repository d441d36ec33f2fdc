/** How a node without a container engine says it will not bid on (or run) an image. */
export const NO_CONTAINER_ENGINE = /no container engine/i;

/** What that means for a flow's containers, in a sentence. */
export const CONTAINERS_NOT_RUN =
  "The marketplace's nodes here have no container engine, so a deployment of containers alone gets no bids. Next to a Model Endpoint (same mode, tier, regions and duration) a container is leased, billed and monitored, but its image is not started.";
