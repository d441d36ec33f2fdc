import { resolve } from "node:path";
import { z } from "zod";
import { loadChainConfig, type ChainConfig } from "./chain/config";
import { loadMarketplaceConfig, type MarketplaceConfig } from "./marketplace/from-env";

/**
 * Skyloom's configuration: every setting has an embedded default so `npm start` needs
 * nothing, and every default can be replaced by an environment variable. A bad value stops
 * the start with a message that names the variable.
 */
const booleanFromEnv = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");

export const ENV_VARIABLES = {
  PORT: {
    schema: z.coerce.number().int().min(0).max(65_535),
    default: "3000",
    description: "HTTP port.",
  },
  HOST: {
    schema: z.string().min(1),
    default: "127.0.0.1",
    description: "Interface to listen on; 0.0.0.0 exposes Skyloom to the network.",
  },
  DATA_DIR: {
    schema: z.string().min(1),
    default: "./data",
    description: "Folder for the SQLite file, the secret key file and other local state.",
  },
  DATABASE_URL: {
    schema: z.string().regex(/^(file:)?[^\s]+$/, "must be a SQLite path such as file:./data/skyloom.db"),
    default: undefined,
    description: "SQLite database (default: file:<DATA_DIR>/skyloom.db). Setting it turns off the demo seed.",
  },
  SKYLOOM_SECRET_KEY: {
    schema: z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, "must be 64 hex characters (32 bytes), e.g. from `openssl rand -hex 32`"),
    default: undefined,
    description: "Key that encrypts credentials (default: generated into <DATA_DIR>/secret.key, mode 600).",
  },
  PUBLIC_URL: {
    schema: z.url({ protocol: /^https?$/ }),
    default: undefined,
    description: "The address people reach Skyloom at, used in snippets (default: http://localhost:PORT).",
  },
  SECURE_COOKIES: {
    schema: booleanFromEnv,
    default: undefined,
    description: "Mark cookies Secure (default: true when PUBLIC_URL is https).",
  },
  SEED_DEMO: {
    schema: booleanFromEnv,
    default: undefined,
    description: "Create the demo account (default: only on the embedded database).",
  },
  OPENAI_API_KEY: {
    schema: z.string().min(1).max(10_000),
    default: undefined,
    description: "API key of the default chat model (replaces the local development model for Chat Model blocks with neither a base URL nor a credential).",
  },
  OPENAI_BASE_URL: {
    schema: z.url({ protocol: /^https?$/ }),
    default: undefined,
    description: "OpenAI-compatible base URL of the default chat model, e.g. http://localhost:11434/v1 (default with OPENAI_API_KEY: https://api.openai.com/v1).",
  },
  SKYLOOM_DEV_MODEL_CHUNK_DELAY_MS: {
    schema: z.coerce.number().int().min(0).max(5_000),
    default: "0",
    description: "Pause between the local development model's streamed chunks, to watch streaming at a model-like pace (0: as fast as possible).",
  },
  SKYLOOM_SIGNUPS_PER_HOUR: {
    schema: z.coerce.number().int().min(1).max(1_000_000),
    default: "5",
    description: "Sign-ups allowed from one client address in any hour (the socket's address; X-Forwarded-For is not trusted).",
  },
  SKYLOOM_MARKETPLACE_NODES: {
    schema: z.coerce.number().int().min(0).max(5),
    default: "5",
    description:
      "How many of the embedded marketplace nodes (server/marketplace/local/embedded-nodes.ts: 2 provider, 3 fizz) start with Skyloom, each its own process joining this host; 0 starts none (deployments then wait for nodes joining with a token).",
  },
  SKYLOOM_ALLOW_PRIVATE_URLS: {
    schema: z.string().max(10_000),
    default: undefined,
    description:
      "User-given URLs (HTTP tools, model base URLs) may not reach private, loopback or link-local addresses; `true` allows them (cloud metadata stays blocked), or list allowed hosts: `localhost:11434,10.0.0.5`.",
  },
  SMTP_URL: {
    schema: z.url({
      protocol: /^smtps?$/,
      error: "must be an smtp:// or smtps:// URL, e.g. smtp://user:password@mail.example.com:587",
    }),
    default: undefined,
    /** It may carry a password: an error never repeats the value. */
    secret: true,
    description:
      "Mail server for invitation emails, e.g. smtp://user:password@mail.example.com:587 (smtps:// for TLS from the start). Unset: invitation links are shown to copy and share by hand.",
  },
  SMTP_FROM: {
    schema: z
      .string()
      .max(300)
      .regex(/^(?:[^<>\r\n]*<[^<>\s@]+@[^<>\s@]+>|[^<>\s@]+@[^<>\s@]+)$/, "must be an address, e.g. Skyloom <no-reply@example.com>"),
    default: undefined,
    description: "Sender of invitation emails (default: Skyloom <no-reply@the PUBLIC_URL host>).",
  },
  SKYLOOM_BILLING: {
    schema: z.enum(["on", "off"], { error: 'must be "on" or "off"' }),
    default: "on",
    description:
      "Billing in SPON (ADR 030): `on` starts the chain (the embedded anvil devnet unless CHAIN_RPC_URL is set; see server/chain/config.ts for the CHAIN_* variables), meters /v1 usage and answers 402 when a team cannot pay; `off` bills nothing.",
  },
  SKYLOOM_TOKEN_PRICES: {
    schema: z.string().max(10_000),
    default: undefined,
    description:
      "/v1 token prices in SPON per 1K input/output tokens, per model: `gpt-4o-mini=0.0015/0.006,*=0.002/0.006` (`*`: every other model). Default: skyloom-dev=0.0001/0.0002,*=0.002/0.006.",
  },
  SKYLOOM_WELCOME_TEST_SPON: {
    schema: z.string().regex(/^\d{1,4}(\.\d{1,18})?$/, "must be an amount of SPON from 0 to 9999, e.g. 100"),
    default: "100",
    description: "Test SPON each new team gets once on the embedded devnet, so its agents answer on /v1 at once (0: none). Never on another chain.",
  },
  CHAIN_SETTLE_EVERY_MINUTES: {
    schema: z.coerce.number().int().min(1).max(10_080),
    default: "60",
    description: "How often providers' accrued lease earnings are settled on-chain in one batch transaction.",
  },
} as const;

type Vars = typeof ENV_VARIABLES;
type Name = keyof Vars;

export class ConfigError extends Error {
  constructor(readonly variable: string, detail: string) {
    super(`Invalid configuration: ${variable} ${detail}`);
    this.name = "ConfigError";
  }
}

export type ServerConfig = {
  port: number;
  host: string;
  dataDir: string;
  databasePath: string;
  /** True when the operator chose the database (then no demo account is seeded). */
  databaseConfigured: boolean;
  secretKeyHex: string | undefined;
  publicUrl: string;
  /** False when PUBLIC_URL is unset: publicUrl is then only a guess (localhost), and a request's Host is the better one. */
  publicUrlConfigured: boolean;
  secureCookies: boolean;
  seedDemo: boolean;
  openaiApiKey: string | undefined;
  openaiBaseUrl: string | undefined;
  /** Raw SKYLOOM_ALLOW_PRIVATE_URLS; parsed by the SSRF guard. */
  allowPrivateUrls: string | undefined;
  devModelChunkDelayMs: number;
  /** Where invitation emails go out; undefined means links are shared by hand. */
  smtpUrl: string | undefined;
  smtpFrom: string;
  signupsPerHour: number;
  /** Embedded marketplace nodes to start (the first N of EMBEDDED_NODES). */
  marketplaceNodes: number;
  /** MARKETPLACE and what the chosen one needs (server/marketplace/from-env.ts); only `local` starts embedded nodes. */
  marketplace: MarketplaceConfig;
  billing: BillingConfig;
};

/** Billing's settings (ADR 030); the chain's own come from server/chain/config.ts. */
export type BillingConfig = {
  enabled: boolean;
  chain: ChainConfig;
  /** Raw SKYLOOM_TOKEN_PRICES; parsed by server/billing/prices.ts. */
  tokenPrices: string | undefined;
  welcomeTestSpon: string;
  settleEveryMs: number;
};

function read<N extends Name>(env: EnvSource, name: N): z.output<Vars[N]["schema"]> | undefined {
  const spec = ENV_VARIABLES[name];
  const raw = env[name] === "" ? undefined : (env[name] ?? spec.default);
  if (raw === undefined) return undefined;
  const parsed = spec.schema.safeParse(raw);
  if (!parsed.success) {
    const why = parsed.error.issues[0]?.message ?? "is invalid";
    const got = "secret" in spec ? "" : ` (got ${JSON.stringify(raw)})`;
    throw new ConfigError(name, `${why}${got}.`);
  }
  return parsed.data as z.output<Vars[N]["schema"]>;
}

export type EnvSource = Record<string, string | undefined>;

export function loadConfig(env: EnvSource = process.env): ServerConfig {
  const port = read(env, "PORT") ?? 3000;
  const dataDir = resolve(read(env, "DATA_DIR") ?? "./data");
  const databaseUrl = read(env, "DATABASE_URL");
  const configuredPublicUrl = read(env, "PUBLIC_URL");
  const publicUrl = (configuredPublicUrl ?? `http://localhost:${port}`).replace(/\/+$/, "");
  const databasePath = databaseUrl
    ? databaseUrl.replace(/^file:/, "") === ":memory:"
      ? ":memory:"
      : resolve(databaseUrl.replace(/^file:/, ""))
    : resolve(dataDir, "skyloom.db");
  return {
    port,
    host: read(env, "HOST") ?? "127.0.0.1",
    dataDir,
    databasePath,
    databaseConfigured: databaseUrl !== undefined,
    secretKeyHex: read(env, "SKYLOOM_SECRET_KEY"),
    publicUrl,
    publicUrlConfigured: configuredPublicUrl !== undefined,
    secureCookies: read(env, "SECURE_COOKIES") ?? publicUrl.startsWith("https:"),
    seedDemo: read(env, "SEED_DEMO") ?? databaseUrl === undefined,
    openaiApiKey: read(env, "OPENAI_API_KEY"),
    openaiBaseUrl: read(env, "OPENAI_BASE_URL")?.replace(/\/+$/, ""),
    allowPrivateUrls: read(env, "SKYLOOM_ALLOW_PRIVATE_URLS"),
    devModelChunkDelayMs: read(env, "SKYLOOM_DEV_MODEL_CHUNK_DELAY_MS") ?? 0,
    smtpUrl: read(env, "SMTP_URL"),
    smtpFrom: read(env, "SMTP_FROM") ?? `Skyloom <no-reply@${new URL(publicUrl).hostname}>`,
    signupsPerHour: read(env, "SKYLOOM_SIGNUPS_PER_HOUR") ?? 5,
    marketplaceNodes: read(env, "SKYLOOM_MARKETPLACE_NODES") ?? 5,
    marketplace: loadMarketplaceConfig(env),
    billing: {
      enabled: (read(env, "SKYLOOM_BILLING") ?? "on") === "on",
      chain: loadChainConfig(env),
      tokenPrices: read(env, "SKYLOOM_TOKEN_PRICES"),
      welcomeTestSpon: read(env, "SKYLOOM_WELCOME_TEST_SPON") ?? "100",
      settleEveryMs: (read(env, "CHAIN_SETTLE_EVERY_MINUTES") ?? 60) * 60_000,
    },
  };
}
