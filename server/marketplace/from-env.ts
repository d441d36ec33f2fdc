/**
 * Which marketplace the host uses (ADR 029). Unset, it is the embedded local one (matchmaker +
 * node processes). MARKETPLACE=kubernetes applies deployments to the cluster of a kubeconfig;
 * MARKETPLACE=spheron orders on Spheron's network with a wallet key. Kept beside the
 * marketplace code, like server/chain/config.ts, so this slice merges on its own; errors name
 * the variable (ConfigError). Adapters load lazily: the local default never imports their SDKs.
 */
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { ConfigError, type EnvSource } from "#server/env";
import type { Marketplace } from "./marketplace";

export const MARKETPLACE_ENV_VARIABLES = {
  MARKETPLACE: { schema: z.enum(["local", "kubernetes", "spheron"]), description: "local (default: embedded matchmaker and nodes), kubernetes, or spheron." },
  KUBECONFIG: { schema: z.string().min(1), description: "With MARKETPLACE=kubernetes: the kubeconfig file (default: ~/.kube/config, or the in-cluster service account)." },
  KUBERNETES_CONTEXT: { schema: z.string().min(1), description: "With MARKETPLACE=kubernetes: the kubeconfig context to use (default: its current context)." },
  SPHERON_PRIVATE_KEY: {
    schema: z.string().regex(/^0x[0-9a-fA-F]{64}$/, "must be a 0x-prefixed 32-byte private key"),
    secret: true,
    description: "With MARKETPLACE=spheron: the wallet that pays for leases (its escrow must hold the tokens).",
  },
  SPHERON_PROVIDER_PROXY_URL: { schema: z.url({ protocol: /^https?$/ }), description: "With MARKETPLACE=spheron: the provider proxy that forwards manifests to providers (default https://provider-proxy.sphn.xyz)." },
  MARKETPLACE_POLL_MS: { schema: z.coerce.number().int().min(10).max(60_000), description: "How often the kubernetes and spheron adapters poll for status changes (default 2000)." },
} as const;

type Var = keyof typeof MARKETPLACE_ENV_VARIABLES;

function read<N extends Var>(env: EnvSource, name: N): z.output<(typeof MARKETPLACE_ENV_VARIABLES)[N]["schema"]> | undefined {
  const raw = env[name];
  if (raw === undefined || raw === "") return undefined;
  const spec = MARKETPLACE_ENV_VARIABLES[name];
  const parsed = spec.schema.safeParse(raw);
  if (!parsed.success) {
    const got = "secret" in spec ? "" : ` (got ${JSON.stringify(raw)})`;
    throw new ConfigError(name, `${parsed.error.issues[0]?.message ?? "is invalid"}${got}.`);
  }
  return parsed.data as never;
}

export type MarketplaceKind = "local" | "kubernetes" | "spheron";

/** The marketplace the host uses, read and checked at start (ServerConfig.marketplace). */
export type MarketplaceConfig =
  | { kind: "local" }
  | { kind: "kubernetes"; kubeconfigPath: string | undefined; context: string | undefined; pollMs: number | undefined }
  | { kind: "spheron"; privateKey: string; providerProxyUrl: string; pollMs: number | undefined };

export function marketplaceKind(env: EnvSource): MarketplaceKind {
  return read(env, "MARKETPLACE") ?? "local";
}

/** Where a kubeconfig is found when KUBECONFIG is unset (client-node's loadFromDefault looks at the same). */
function defaultKubeconfigFound(env: EnvSource): boolean {
  return existsSync(join(env.HOME || homedir(), ".kube", "config")) || Boolean(env.KUBERNETES_SERVICE_HOST);
}

/**
 * Reads and checks the marketplace's variables, so a wrong or missing one stops the start with
 * a message naming it (ConfigError), before anything is built. Variables of another kind than
 * the chosen one are refused too: a key set for spheron while the host runs the local one is a
 * mistake worth hearing about. KUBECONFIG is exempt: kubectl users have it set for other tools.
 */
export function loadMarketplaceConfig(env: EnvSource): MarketplaceConfig {
  const kind = marketplaceKind(env);
  const pollMs = read(env, "MARKETPLACE_POLL_MS");
  const strayFor = (names: readonly Var[], needs: MarketplaceKind) => {
    for (const name of names) {
      if (kind !== needs && env[name]) throw new ConfigError(name, `is set but MARKETPLACE is ${kind}: set MARKETPLACE=${needs} too, or unset ${name}.`);
    }
  };
  strayFor(["SPHERON_PRIVATE_KEY", "SPHERON_PROVIDER_PROXY_URL"], "spheron");
  strayFor(["KUBERNETES_CONTEXT"], "kubernetes");
  if (kind === "kubernetes") {
    const kubeconfigPath = read(env, "KUBECONFIG");
    if (kubeconfigPath && !existsSync(kubeconfigPath)) throw new ConfigError("KUBECONFIG", `names no file (got ${JSON.stringify(kubeconfigPath)}): set it to your cluster's kubeconfig.`);
    if (!kubeconfigPath && !defaultKubeconfigFound(env)) {
      throw new ConfigError("KUBECONFIG", "is required with MARKETPLACE=kubernetes: there is no ~/.kube/config and Skyloom is not running in a cluster. Set KUBECONFIG to your cluster's kubeconfig file.");
    }
    return { kind, kubeconfigPath, context: read(env, "KUBERNETES_CONTEXT"), pollMs };
  }
  if (kind === "spheron") {
    const privateKey = read(env, "SPHERON_PRIVATE_KEY");
    if (!privateKey) throw new ConfigError("SPHERON_PRIVATE_KEY", "is required with MARKETPLACE=spheron: set it to the 0x private key of the wallet that pays for leases.");
    return { kind, privateKey, providerProxyUrl: read(env, "SPHERON_PROVIDER_PROXY_URL") ?? "https://provider-proxy.sphn.xyz", pollMs };
  }
  return { kind };
}

/**
 * The marketplace a checked configuration asks for. `local` builds the embedded one (the
 * composition root owns its matchmaker and node processes); the others are built here.
 */
export async function createMarketplace(config: MarketplaceConfig, options: { local: () => Marketplace | Promise<Marketplace>; dataDir?: string }): Promise<Marketplace> {
  if (config.kind === "kubernetes") {
    const { KubeConfig } = await import("@kubernetes/client-node");
    const { KubernetesMarketplace } = await import("./kubernetes/kubernetes-marketplace");
    const kubeConfig = new KubeConfig();
    try {
      if (config.kubeconfigPath) kubeConfig.loadFromFile(config.kubeconfigPath);
      else kubeConfig.loadFromDefault();
    } catch (error) {
      throw new ConfigError("KUBECONFIG", `could not be read: ${(error as Error).message}.`);
    }
    if (config.context) {
      if (!kubeConfig.getContextObject(config.context)) throw new ConfigError("KUBERNETES_CONTEXT", `names no context of the kubeconfig (it has: ${kubeConfig.getContexts().map((c) => c.name).join(", ") || "none"}).`);
      kubeConfig.setCurrentContext(config.context);
    }
    if (!kubeConfig.getCurrentCluster()) throw new ConfigError("KUBECONFIG", "has no current cluster: set its current-context or KUBERNETES_CONTEXT.");
    return new KubernetesMarketplace({ kubeConfig, pollMs: config.pollMs });
  }
  if (config.kind === "spheron") {
    const { SpheronMarketplace } = await import("./spheron/spheron-marketplace");
    return SpheronMarketplace.create({
      privateKey: config.privateKey,
      providerProxyUrl: config.providerProxyUrl,
      stateFile: `${options.dataDir ?? "./data"}/spheron-deployments.json`,
      pollMs: config.pollMs,
    });
  }
  return options.local();
}

/** loadMarketplaceConfig then createMarketplace, for callers holding an environment rather than a ServerConfig. */
export async function createMarketplaceFromEnv(env: EnvSource, options: { local: () => Marketplace | Promise<Marketplace>; dataDir?: string }): Promise<Marketplace> {
  return createMarketplace(loadMarketplaceConfig(env), options);
}
