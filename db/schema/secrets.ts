import { integer, sqliteTable, text, index } from "drizzle-orm/sqlite-core";
import { users } from "./auth";
import { teams } from "./teams";

/** Team API keys for the /v1 gateway; only a keyed hash of the key is kept. */
export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    teamId: text("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    /** The first characters of the key, shown so a person can tell keys apart. */
    prefix: text("prefix").notNull(),
    keyHash: text("key_hash").notNull().unique(),
    /** Ids of the published agents this key may call; null means every agent of the team. */
    allowedAgents: text("allowed_agents", { mode: "json" }).$type<string[] | null>(),
    /**
     * `secret` keys are for servers; `public` keys may sit in a web page (the chat widget): they
     * call exactly one agent and only from `allowedOrigins`, checked on every request.
     */
    kind: text("kind", { enum: ["secret", "public"] }).notNull().default("secret"),
    /** Browser origins (scheme://host[:port]) a public key may be used from. */
    allowedOrigins: text("allowed_origins", { mode: "json" }).$type<string[] | null>(),
    requestsPerMinute: integer("requests_per_minute"),
    createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    lastUsedAt: integer("last_used_at", { mode: "timestamp_ms" }),
    revokedAt: integer("revoked_at", { mode: "timestamp_ms" }),
  },
  (t) => [index("api_keys_team_idx").on(t.teamId)],
);

/** Team secrets (model API keys and the like), encrypted with AES-256-GCM. */
export const credentials = sqliteTable(
  "credentials",
  {
    id: text("id").primaryKey(),
    teamId: text("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    kind: text("kind", { enum: ["openai", "secret"] }).notNull(),
    /** base64(iv ‖ tag ‖ ciphertext) */
    ciphertext: text("ciphertext").notNull(),
    /** Non-secret settings that travel with the secret, e.g. an OpenAI-compatible base URL. */
    meta: text("meta", { mode: "json" }).$type<Record<string, string>>().notNull(),
    createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("credentials_team_idx").on(t.teamId)],
);
