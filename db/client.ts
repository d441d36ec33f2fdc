import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { drizzle, type BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import * as sqliteVec from "sqlite-vec";
import * as schema from "./schema";

/** The drizzle handle, with the better-sqlite3 connection under it (for SQL drizzle cannot write: FTS5, sqlite-vec). */
export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

export type DatabaseHandle = {
  db: Db;
  sqlite: Database.Database;
  close(): void;
};

/** `file:./data/x.db`, `./data/x.db` and `:memory:` all name a SQLite database. */
export function sqlitePathFromUrl(url: string): string {
  return url.startsWith("file:") ? url.slice("file:".length) : url;
}

/**
 * Opens (creating if needed) the SQLite file with the settings Skyloom relies on: WAL so
 * readers never wait for the writer, foreign keys so cascades hold, and a busy timeout so a
 * second process waits briefly instead of failing. The sqlite-vec extension is loaded into
 * every connection, since knowledge bases keep their vectors in its vec0 tables.
 */
export function openDatabase(path: string, migrationsFolder: string): DatabaseHandle {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const sqlite = new Database(path);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("busy_timeout = 5000");
  sqlite.pragma("synchronous = NORMAL");
  // Knowledge bases' vectors live in vec0 tables (server/knowledge/store.ts) in this same file.
  // A vector search reads every vector of its base: memory-mapped reads and a larger page cache
  // (filled only as pages are read) make that about 2.5 times faster (bench/knowledge.bench.ts).
  sqliteVec.load(sqlite);
  sqlite.pragma("mmap_size = 268435456");
  sqlite.pragma("cache_size = -262144");
  const db = drizzle(sqlite, { schema });
  // Foreign keys on only after migrating (better-sqlite3 turns them on by default): a migration
  // that rebuilds a table (drizzle-kit's "__new_" copy, drop, rename) runs in one transaction,
  // where its own PRAGMA foreign_keys=OFF does nothing, and the DROP would cascade-delete the
  // rows of the tables referencing it.
  sqlite.pragma("foreign_keys = OFF");
  const appliedBefore = appliedMigrations(sqlite);
  migrate(db, { migrationsFolder });
  // The check reads every referencing row: only after a start that applied a migration.
  if (appliedMigrations(sqlite) !== appliedBefore) {
    const broken = sqlite.pragma("foreign_key_check") as unknown[];
    if (broken.length > 0) throw new Error(`The database has ${broken.length} rows whose foreign keys point nowhere after migrating: ${JSON.stringify(broken.slice(0, 3))}`);
  }
  sqlite.pragma("foreign_keys = ON");
  return { db, sqlite, close: () => sqlite.close() };
}

/** How many migrations drizzle has recorded as applied (0 on a new file). */
function appliedMigrations(sqlite: Database.Database): number {
  const table = sqlite.prepare("select 1 from sqlite_master where type = 'table' and name = '__drizzle_migrations'").get();
  return table ? (sqlite.prepare("select count(*) as n from __drizzle_migrations").get() as { n: number }).n : 0;
}

export { schema };

/** A transaction handle; services take `DbLike` so they compose inside a caller's transaction. */
export type DbTx = Parameters<Parameters<Db["transaction"]>[0]>[0];
export type DbLike = Db | DbTx;
