import { z } from "zod";
import { SEARCH_MODES } from "#db/schema";
import { KnowledgeBaseSettings } from "../knowledge/bases";
import { router, teamProcedure } from "../trpc/trpc";
import { scopeOf } from "./team";

const Id = z.string().min(1).max(64);
const InBase = z.object({ knowledgeBaseId: Id });
const InDocument = InBase.extend({ documentId: Id });

/**
 * Files sent through tRPC as base64 ride in the API's request body (at most a few MB); the
 * /knowledge page sends files of up to the 50 MB limit to the upload route instead.
 */
export const TRPC_UPLOAD_MAX_BYTES = 3 * 1024 * 1024;

const documentsRouter = router({
  list: teamProcedure("viewer")
    .input(InBase)
    .query(({ ctx, input }) => ctx.services.knowledge.listDocuments(ctx.team.id, input.knowledgeBaseId)),

  chunks: teamProcedure("viewer")
    .input(InDocument.extend({ offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(200).default(50) }))
    .query(({ ctx, input }) => ctx.services.knowledge.documentChunks(ctx.team.id, input.knowledgeBaseId, input.documentId, input)),

  upload: teamProcedure("editor")
    .input(
      InBase.extend({
        name: z.string().trim().min(1, "Give the file a name").max(255),
        contentBase64: z
          .string()
          .max(Math.ceil(TRPC_UPLOAD_MAX_BYTES / 3) * 4, `A file sent this way is at most ${TRPC_UPLOAD_MAX_BYTES / 1024 / 1024} MB; use the upload route for larger files`)
          .regex(/^[A-Za-z0-9+/]*={0,2}$/, "contentBase64 is not base64"),
      }),
    )
    .mutation(({ ctx, input }) =>
      ctx.services.knowledge.addFile(scopeOf(ctx), input.knowledgeBaseId, { name: input.name, bytes: Buffer.from(input.contentBase64, "base64") }),
    ),

  addUrl: teamProcedure("editor")
    .input(InBase.extend({ url: z.string().trim().url("Enter a web address starting with http:// or https://").max(2000) }))
    .mutation(({ ctx, input }) => ctx.services.knowledge.addUrl(scopeOf(ctx), input.knowledgeBaseId, input.url)),

  reindex: teamProcedure("editor")
    .input(InDocument)
    .mutation(({ ctx, input }) => ctx.services.knowledge.reindexDocument(scopeOf(ctx), input.knowledgeBaseId, input.documentId)),

  remove: teamProcedure("editor")
    .input(InDocument)
    .mutation(({ ctx, input }) => ctx.services.knowledge.removeDocument(scopeOf(ctx), input.knowledgeBaseId, input.documentId)),
});

/** Knowledge bases of the active team: viewers read and search, editors change them. */
export const knowledgeRouter = router({
  list: teamProcedure("viewer").query(({ ctx }) => ctx.services.knowledge.listBases(ctx.team.id)),

  get: teamProcedure("viewer")
    .input(z.object({ id: Id }))
    .query(({ ctx, input }) => ctx.services.knowledge.getBase(ctx.team.id, input.id)),

  create: teamProcedure("editor")
    .input(KnowledgeBaseSettings)
    .mutation(({ ctx, input }) => ctx.services.knowledge.createBase(scopeOf(ctx), input)),

  update: teamProcedure("editor")
    .input(z.object({ id: Id, settings: KnowledgeBaseSettings }))
    .mutation(({ ctx, input }) => ctx.services.knowledge.updateBase(scopeOf(ctx), input.id, input.settings)),

  remove: teamProcedure("editor")
    .input(z.object({ id: Id }))
    .mutation(({ ctx, input }) => ctx.services.knowledge.removeBase(scopeOf(ctx), input.id)),

  search: teamProcedure("viewer")
    .input(
      InBase.extend({
        query: z.string().trim().min(1, "Type something to search for").max(2000),
        mode: z.enum(SEARCH_MODES).optional(),
        topK: z.number().int().min(1).max(50).default(5),
        minScore: z.number().min(0).max(1).default(0),
      }),
    )
    .query(({ ctx, input }) => {
      const { knowledgeBaseId, query, ...options } = input;
      return ctx.services.knowledge.search(ctx.team.id, knowledgeBaseId, query, { ...options, ...(options.mode ? { mode: options.mode } : {}) });
    }),

  documents: documentsRouter,
});
