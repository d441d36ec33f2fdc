import { setFlagsFromString } from "node:v8";

/**
 * How much garbage V8 lets pile up before a full collection, for a serving host. By default V8
 * lets the old generation grow to about four times what is alive before collecting it, because
 * collections are cheap here. Under API load that meant the host's resident size swung between
 * about 150 and 260 MiB around a live heap of 30 MiB. Twice the live heap keeps it near 190 MiB
 * at no measured CPU cost (bench/gateway.bench.ts, ADR 007). V8 reads this flag at every
 * collection, so setting it once at start is enough.
 */
export const HEAP_GROWING_PERCENT = 100;

export function applyServingHeapPolicy(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
