import { z } from "zod";
import { GRAPH_LIMITS, formatMegabytes } from "#agents/graph/index";
import { IMPORT_LIMITS } from "#agents/import/index";
import { StorableGraphSchema, summarizeGraph } from "../services/flow-graph";
import { importExternalFlow, importFlowFile } from "../services/flow-import";
import {
  createFlow,
  createFlowVersion,
  duplicateFlow,
  getFlow,
  getFlowVersion,
  listFlows,
  listFlowVersions,
  removeFlow,
  renameFlow,
  restoreFlowVersion,
  saveFlowGraph,
} from "../services/flows";
import { router, teamProcedure } from "../trpc/trpc";
import { scopeOf } from "./team";

const FlowId = z.string().min(1).max(64);
const FlowName = z.string().trim().min(1, "Give the flow a name").max(120, "A flow name is at most 120 characters");
const Description = z.string().trim().max(2_000, "A description is at most 2,000 characters");

export const flowRouter = router({
  list: teamProcedure("viewer").query(({ ctx }) => listFlows(ctx.db, scopeOf(ctx))),

  get: teamProcedure("viewer")
    .input(z.object({ id: FlowId }))
    .query(({ ctx, input }) => {
      const flow = getFlow(ctx.db, scopeOf(ctx), input.id);
      return { ...flow, summary: summarizeGraph(flow.graph), canEdit: ctx.team.role !== "viewer" };
    }),

  create: teamProcedure("editor")
    .input(z.object({ name: FlowName, description: Description.optional(), graph: StorableGraphSchema.optional() }))
    .mutation(({ ctx, input }) => createFlow(ctx.db, scopeOf(ctx), input)),

  /** A flow file's text (as exported) becomes a new flow; see services/flow-import.ts. */
  importFile: teamProcedure("editor")
    .input(z.object({ text: z.string().max(GRAPH_LIMITS.maxBytes, `A flow file is at most ${formatMegabytes(GRAPH_LIMITS.maxBytes)}`) }))
    .mutation(({ ctx, input }) => importFlowFile(ctx.db, scopeOf(ctx), input)),

  /** A Flowise, Langflow or Dify export (or a Skyloom flow file) as a new flow, with the import report. */
  importExternal: teamProcedure("editor")
    .input(
      z.object({
        text: z.string().min(1, "The file is empty").max(IMPORT_LIMITS.maxBytes, `An imported file is at most ${IMPORT_LIMITS.maxBytes / 1024 / 1024} MB`),
        fileName: z.string().max(255).optional(),
      }),
    )
    .mutation(({ ctx, input }) => importExternalFlow(ctx.db, ctx.services.importer, scopeOf(ctx), input)),

  save: teamProcedure("editor")
    .input(z.object({ id: FlowId, graph: StorableGraphSchema, expectedRevision: z.number().int().min(1) }))
    .mutation(({ ctx, input }) => saveFlowGraph(ctx.db, scopeOf(ctx), input)),

  rename: teamProcedure("editor")
    .input(z.object({ id: FlowId, name: FlowName, description: Description.optional() }))
    .mutation(({ ctx, input }) => renameFlow(ctx.db, scopeOf(ctx), input)),

  duplicate: teamProcedure("editor")
    .input(z.object({ id: FlowId, name: FlowName.optional() }))
    .mutation(({ ctx, input }) => duplicateFlow(ctx.db, scopeOf(ctx), input)),

  remove: teamProcedure("editor")
    .input(z.object({ id: FlowId }))
    .mutation(({ ctx, input }) => removeFlow(ctx.db, scopeOf(ctx), input.id, ctx.services.runs)),

  versions: router({
    list: teamProcedure("viewer")
      .input(z.object({ flowId: FlowId }))
      .query(({ ctx, input }) => listFlowVersions(ctx.db, scopeOf(ctx), input.flowId)),
    get: teamProcedure("viewer")
      .input(z.object({ flowId: FlowId, versionId: FlowId }))
      .query(({ ctx, input }) => getFlowVersion(ctx.db, scopeOf(ctx), input)),
    create: teamProcedure("editor")
      .input(
        z.object({
          flowId: FlowId,
          message: z.string().trim().min(1, "Describe this version in a few words").max(500),
          graph: StorableGraphSchema.optional(),
        }),
      )
      .mutation(({ ctx, input }) => createFlowVersion(ctx.db, scopeOf(ctx), input)),
    restore: teamProcedure("editor")
      .input(z.object({ flowId: FlowId, versionId: FlowId }))
      .mutation(({ ctx, input }) => restoreFlowVersion(ctx.db, scopeOf(ctx), input)),
  }),
});
