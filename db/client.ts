import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { drizzle, type BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import * as schema from "./schema";

export type Db = BetterSQLite3Database<typeof schema>;

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
 * second process waits briefly instead of failing.
 */
export function openDatabase(path: string, migrationsFolder: string): DatabaseHandle {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const sqlite = new Database(path);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  sqlite.pragma("synchronous = NORMAL");
  const db = drizzle(sqlite, { schema });
  migrate(db, { migrationsFolder });
  return { db, sqlite, close: () => sqlite.close() };
}

export { schema };

/** A transaction handle; services take `DbLike` so they compose inside a caller's transaction. */
export type DbTx = Parameters<Parameters<Db["transaction"]>[0]>[0];
export type DbLike = Db | DbTx;
