import { timingSafeEqual } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import type { Db } from "#db/client";
import { marketNodes } from "#db/schema/marketplace";
import { MarketplaceError } from "../marketplace";
import { sameSecret } from "./ids";

/**
 * Who is calling: the node for an `Authorization: Bearer <nodeId>.<secret>` header.
 *
 * Every call still reads the node's row (one prepared lookup by primary key), so a node whose
 * row is gone or whose secret hash changed is refused on its very next call. What is cached is
 * only the sha256 (issue 12: hashing the secret on each of 100 heartbeats a second showed in
 * the profile): once a secret matched a row's hash, the next calls compare the presented
 * secret with the remembered one in constant time, as long as the row's hash is the same.
 * The secrets stay in this process's memory, as every request's header does; never stored.
 */
export class NodeAuth {
  private readonly nodeById;
  /** Node id → the row's secret hash when its secret was last checked, and that secret. */
  private readonly verified = new Map<string, { secretHash: string; secret: Buffer }>();

  constructor(db: Db) {
    this.nodeById = db
      .select({ id: marketNodes.id, secretHash: marketNodes.secretHash })
      .from(marketNodes)
      .where(eq(marketNodes.id, sql.placeholder("id")))
      .prepare();
  }

  /** The node id, or UNAUTHORIZED. */
  authenticate(authorization: string | undefined): string {
    const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? "")?.[1] ?? "";
    const dot = token.indexOf(".");
    const node = dot > 0 ? this.nodeById.get({ id: token.slice(0, dot) }) : undefined;
    if (!node) throw new MarketplaceError("UNAUTHORIZED", "Unknown node or wrong node secret.");
    if (!this.matches(node, token.slice(dot + 1))) throw new MarketplaceError("UNAUTHORIZED", "Unknown node or wrong node secret.");
    return node.id;
  }

  private matches(node: { id: string; secretHash: string }, secret: string): boolean {
    const given = Buffer.from(secret, "utf8");
    const known = this.verified.get(node.id);
    if (known && known.secretHash === node.secretHash && known.secret.length === given.length && timingSafeEqual(known.secret, given)) return true;
    // Not seen before, or not the remembered secret: the stored hash decides (and a wrong
    // secret costs the caller the hash, as it did before the cache).
    if (!sameSecret(secret, node.secretHash)) return false;
    this.verified.set(node.id, { secretHash: node.secretHash, secret: given });
    return true;
  }
}
