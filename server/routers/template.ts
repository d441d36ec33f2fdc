import { z } from "zod";
import type { TeamRole } from "#db/schema";
import { getTemplate, featuredTemplates, listTemplates, SHELVES, type TemplateScope } from "../services/templates";
import { useTemplate } from "../services/template-use";
import { deleteTemplate, saveTemplateFromFlow, setTemplateVisibility, updateTemplate } from "../services/template-writes";
import { router, teamProcedure } from "../trpc/trpc";

/**
 * The template gallery (docs/templates-api.md, ADR 027). Reading is for every member; using a
 * template creates a flow, so it needs the editor role like flow.create; sharing to the team
 * needs an editor, sharing publicly (and changing a public template) an admin.
 */

const Id = z.string().min(1).max(64);
const Name = z.string().trim().min(1, "Give the template a name").max(120, "A template name is at most 120 characters");
const Description = z.string().trim().max(2_000, "A description is at most 2,000 characters");
const Category = z.string().trim().min(1, "Choose a category").max(40, "A category is at most 40 characters");
const Tag = z
  .string()
  .trim()
  .toLowerCase()
  .min(1, "A tag cannot be empty")
  .max(30, "A tag is at most 30 characters")
  .regex(/^[a-z0-9][a-z0-9 .+#-]*$/, "A tag is letters, digits, spaces, . + # or -");
const Tags = z
  .array(Tag)
  .max(10, "At most 10 tags")
  .transform((tags) => [...new Set(tags)]);
const Readme = z.string().max(50_000, "A readme is at most 50,000 characters");

const scopeOf = (ctx: { team: { id: string; role: TeamRole }; viewer: { user: { id: string } } }): TemplateScope => ({
  teamId: ctx.team.id,
  userId: ctx.viewer.user.id,
  role: ctx.team.role,
});

const Binding = z.object({
  nodeId: z.string().min(1).max(64),
  credentialId: Id.optional(),
  knowledgeBaseId: Id.optional(),
});

export const templateRouter = router({
  list: teamProcedure("viewer")
    .input(
      z.object({
        shelf: z.enum(SHELVES),
        search: z.string().max(200, "Search for at most 200 characters").optional(),
        category: z.string().max(40).optional(),
        tag: z.string().max(30).optional(),
        limit: z.number().int().min(1).max(500).default(100),
        offset: z.number().int().min(0).max(1_000_000).default(0),
      }),
    )
    .query(({ ctx, input }) => listTemplates(ctx.db, scopeOf(ctx), input)),

  /** The four most useful Skyloom templates, for the empty dashboard. */
  featured: teamProcedure("viewer").query(({ ctx }) => featuredTemplates(ctx.db, scopeOf(ctx))),

  get: teamProcedure("viewer")
    .input(z.object({ id: Id }))
    .query(({ ctx, input }) => getTemplate(ctx.db, scopeOf(ctx), input.id)),

  use: teamProcedure("editor")
    .input(z.object({ id: Id, name: z.string().trim().min(1).max(120).optional(), bindings: z.array(Binding).max(200).optional() }))
    .mutation(({ ctx, input }) => useTemplate(ctx.db, scopeOf(ctx), input)),

  saveFromFlow: teamProcedure("editor")
    .input(
      z.object({
        flowId: Id,
        name: Name,
        description: Description.default(""),
        tags: Tags.default([]),
        category: Category,
        readme: Readme.default(""),
        visibility: z.enum(["team", "public"]),
      }),
    )
    .mutation(({ ctx, input }) => saveTemplateFromFlow(ctx.db, scopeOf(ctx), input)),

  update: teamProcedure("editor")
    .input(
      z.object({
        id: Id,
        flowId: Id.optional(),
        name: Name.optional(),
        description: Description.optional(),
        tags: Tags.optional(),
        category: Category.optional(),
        readme: Readme.optional(),
      }),
    )
    .mutation(({ ctx, input }) => updateTemplate(ctx.db, scopeOf(ctx), input)),

  setVisibility: teamProcedure("editor")
    .input(z.object({ id: Id, visibility: z.enum(["team", "public", "private"]) }))
    .mutation(({ ctx, input }) => setTemplateVisibility(ctx.db, scopeOf(ctx), input)),

  delete: teamProcedure("editor")
    .input(z.object({ id: Id }))
    .mutation(({ ctx, input }) => deleteTemplate(ctx.db, scopeOf(ctx), input.id)),
});
