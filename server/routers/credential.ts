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
import { defaultModelInfo, listProviderModels } from "../services/provider-models";
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
    .mutation(({ ctx, input }) => createCredential(ctx.db, ctx.services.secretKey, scopeOf(ctx), input)),

  rename: teamProcedure("editor")
    .input(z.object({ id: CredentialId, name: CredentialName }))
    .mutation(({ ctx, input }) => renameCredential(ctx.db, scopeOf(ctx), input)),

  remove: teamProcedure("editor")
    .input(z.object({ id: CredentialId }))
    .mutation(({ ctx, input }) => removeCredential(ctx.db, scopeOf(ctx), input.id)),

  /**
   * The model names a Chat Model could use: GET {baseUrl}/models at the provider it would call
   * with this credential (resolved here, never sent to the browser). Editors only: it makes
   * the server call out with the team's key.
   */
  models: teamProcedure("editor")
    .input(z.object({ credentialId: CredentialId.nullable(), baseUrl: CredentialBaseUrl }))
    .query(({ ctx, input }) => listProviderModels(ctx.services, ctx.team.id, input)),

  /** What answers a Chat Model with neither a base URL nor a credential. */
  defaultModel: teamProcedure("viewer").query(({ ctx }) => defaultModelInfo(ctx.services)),
});
