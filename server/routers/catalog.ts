import { blockRegistry } from "#agents/blocks/index";
import { publicProcedure, router } from "../trpc/trpc";

// Computed once: the registry is static for the life of the process.
let blockSummaries: ReturnType<typeof blockRegistry.summaries> | undefined;

export const catalogRouter = router({
  blocks: publicProcedure.query(() => (blockSummaries ??= blockRegistry.summaries())),
});
