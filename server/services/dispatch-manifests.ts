import { compileGraph, type CompileResult } from "#agents/compile/compile";
import type { SecretResolver } from "#agents/compile/secrets";
import type { GraphDoc } from "#agents/graph/index";
import type { Db } from "#db/client";
import { resolveCredential } from "./credentials";
import { DomainError } from "./errors";

/**
 * Credential values for one team's manifests. A credential of another team, or one deleted
 * since the block chose it, resolves to nothing (the compiler then reports E316).
 */
export function teamSecretResolver(db: Db, secretKey: Buffer, teamId: string): SecretResolver {
  return (credentialId) => {
    try {
      return resolveCredential(db, secretKey, teamId, credentialId).secret;
    } catch (error) {
      if (error instanceof DomainError && error.kind === "NOT_FOUND") return null;
      throw error;
    }
  };
}

/**
 * The manifests exactly as they go to a node: the only place credential values are put into
 * them. Previews, downloads and the CLI compile without a resolver and show placeholders.
 */
export function compileForDispatch(db: Db, secretKey: Buffer, teamId: string, flow: { name: string; graph: GraphDoc }): CompileResult {
  return compileGraph(flow.graph, { name: flow.name }, { resolveSecret: teamSecretResolver(db, secretKey, teamId) });
}
