import { z } from "zod";
import {
  CREDENTIAL_KINDS,
  CredentialBaseUrl,
  CredentialName,
  CredentialSecret,
  createCredential,
  listCredentials,
  removeCredential,
  renameCredential,
} from "../services/credentials";
import { router, teamProcedure } from "../trpc/trpc";
import { scopeOf } from "./team";

const CredentialId = z.string().min(1).max(64);

/** Team credentials. Every answer carries the masked hint only, never the secret. */
export const credentialRouter = router({
  list: teamProcedure("viewer").query(({ ctx }) => listCredentials(ctx.db, scopeOf(ctx))),

  create: teamProcedure("editor")
    .input(
      z.object({
        name: CredentialName,
        kind: z.enum(CREDENTIAL_KINDS),
        secret: CredentialSecret,
        baseUrl: CredentialBaseUrl.optional(),
      }),
    )
    .mutation(({ ctx, input }) => createCredential(ctx.db, ctx.deps.secretKey, scopeOf(ctx), input)),

  rename: teamProcedure("editor")
    .input(z.object({ id: CredentialId, name: CredentialName }))
    .mutation(({ ctx, input }) => renameCredential(ctx.db, scopeOf(ctx), input)),

  remove: teamProcedure("editor")
    .input(z.object({ id: CredentialId }))
    .mutation(({ ctx, input }) => removeCredential(ctx.db, scopeOf(ctx), input.id)),
});
