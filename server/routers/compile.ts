import { z } from "zod";
import { compileGraph, TARGET_IDS, TARGETS } from "#agents/compile/compile";
import { undeployedEndpointProblems } from "../services/flow-endpoints";
import { getFlow, getFlowVersion } from "../services/flows";
import { router, teamProcedure } from "../trpc/trpc";

const Id = z.string().min(1).max(64);

const PreviewInput = z
  .object({
    flowId: Id,
    /** A saved version of the flow; without it the flow's current graph is compiled. */
    versionId: Id.optional(),
    targets: z.array(z.enum(TARGET_IDS)).min(1).max(TARGET_IDS.length).optional(),
    akashDenom: z.enum(["usdc", "uakt"]).default("usdc"),
    uaktPerSpon: z.number().positive().max(1e15).optional(),
  })
  .refine((i) => i.akashDenom !== "uakt" || i.uaktPerSpon !== undefined, {
    message: "Pricing Akash in uakt needs uaktPerSpon (how many uakt one SPON is worth)",
    path: ["uaktPerSpon"],
  });

export const compileRouter = router({
  /**
   * Diagnostics, manifests for every target and the quote, for the flow's current graph or
   * one saved version. Read-only: compiling never writes, so viewers may preview too.
   */
  preview: teamProcedure("viewer")
    .input(PreviewInput)
    .query(async ({ ctx, input }) => {
      const scope = { teamId: ctx.team.id, userId: ctx.viewer.user.id };
      const flow = getFlow(ctx.db, scope, input.flowId);
      const version = input.versionId ? getFlowVersion(ctx.db, scope, { flowId: flow.id, versionId: input.versionId }) : null;
      const graph = version ? version.graph : flow.graph;
      const source = version ? `flow "${flow.name}" version ${version.number}` : `flow "${flow.name}" revision ${flow.revision}`;
      const targets = input.targets ?? TARGET_IDS;
      const result = compileGraph(graph, { name: flow.name }, {
        targets,
        akashDenom: input.akashDenom,
        ...(input.uaktPerSpon !== undefined ? { uaktPerSpon: input.uaktPerSpon } : {}),
        source,
      });
      return {
        flow: { id: flow.id, name: flow.name, revision: flow.revision },
        version: version ? { id: version.id, number: version.number, message: version.message } : null,
        ok: result.ok,
        // Once it compiles: a Model Endpoint nobody deployed yet (deploy-time state, not the graph's).
        diagnostics: result.ok ? [...result.diagnostics, ...(await undeployedEndpointProblems(ctx.services.deployments, { teamId: ctx.team.id, flowId: flow.id }, graph))] : result.diagnostics,
        targets: targets.map((id) => ({ id, title: TARGETS[id].title, files: result.manifests[id] ?? [] })),
        quote: result.quote,
        bindings: result.plan?.bindings ?? [],
      };
    }),
});
