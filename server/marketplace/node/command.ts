import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { GPU_IDS } from "#agents/catalog/gpus";
import { startDevModelServer, type DevModelServer } from "../../dev-model/server";
import { NODE_TIERS, type NodeTier } from "../marketplace";
import { checksummedPayoutAddress, payoutAddressProblem } from "../payout-address";
import { NodeAgent } from "./agent";
import { defaultPriceTable } from "./pricing";

/**
 * `skyloom node`: runs one provider or fizz node that joins a Skyloom marketplace over HTTP.
 * Shared by the CLI and by the host, which starts its embedded nodes as child processes of
 * this same program (server/marketplace/node/main.ts).
 */
export const NODE_USAGE = `Usage:
  skyloom node --kind provider|fizz --join URL --token TOKEN [options]

  --join URL             the marketplace's node API, e.g. http://127.0.0.1:3000/market/v1
  --token TOKEN          a join token (Settings → Nodes); not needed with a saved --state
  --serve-openai URL     serve your own OpenAI-compatible server (Ollama, vLLM), e.g.
                         http://localhost:11434/v1; without it the node serves Skyloom's
                         local development model (canned answers, not a language model)
  --upstream-model NAME  the model name your server knows (default: what clients ask for)
                         (the upstream's API key, if any, is read from SKYLOOM_UPSTREAM_API_KEY)
  --gpu MODEL:COUNT      GPUs this node offers, repeatable (e.g. --gpu rtx4090:2); none: CPU only
  --name NAME  --region SLUG  --tier ${NODE_TIERS.join("|")}
  --cpu N  --memory-gi N  --storage-gi N     resources offered (default 32, 128, 1000)
  --price-percent N      bid N% of Skyloom's catalog prices (default 100)
  --payout-address 0x…   the EVM address your lease earnings are paid to (checksummed, or
                         all lower case); without it the host pays an address it derives
                         from the node id
  --state FILE           keep this node's identity here, so a restart rejoins as the same node
  --listen-host IP       interface the endpoints listen on (default 127.0.0.1)
  --advertise-host IP    IP address the host reaches the endpoints at (default: the listen
                         host). On another machine than the host, set both, e.g.
                         --listen-host 0.0.0.0 --advertise-host 10.0.0.5: the host refuses a
                         remote node's loopback, names, link-local and metadata addresses
  --health-interval-ms N how often to check the model backend (default 2000)`;

export class NodeUsageError extends Error {
  override name = "NodeUsageError";
}

function parseGpus(values: string[]): { model: string; count: number }[] {
  return values.map((v) => {
    const [model = "", countText = "1"] = v.split(":");
    const count = Number(countText);
    if (!(GPU_IDS as readonly string[]).includes(model)) throw new NodeUsageError(`--gpu ${v}: "${model}" is not a GPU Skyloom knows (e.g. rtx4090, a10, l4, a100-80g).`);
    if (!Number.isInteger(count) || count < 1 || count > 64) throw new NodeUsageError(`--gpu ${v}: the count is a whole number from 1 to 64.`);
    return { model, count };
  });
}

function positive(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!(n > 0) || !Number.isFinite(n)) throw new NodeUsageError(`--${name} is a positive number, not "${text}".`);
  return n;
}

function payoutAddressOf(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const problem = payoutAddressProblem(text.trim());
  if (problem) throw new NodeUsageError(`--payout-address: ${problem}.`);
  return checksummedPayoutAddress(text.trim());
}

export type RunningNode = { agent: NodeAgent; devModel: DevModelServer | null; stop(): Promise<void> };

export async function runNodeCommand(argv: readonly string[], log: (line: string) => void = (l) => console.log(l)): Promise<RunningNode> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      kind: { type: "string" },
      join: { type: "string" },
      token: { type: "string" },
      "serve-openai": { type: "string" },
      "upstream-model": { type: "string" },
      gpu: { type: "string", multiple: true },
      name: { type: "string" },
      region: { type: "string" },
      tier: { type: "string" },
      cpu: { type: "string" },
      "memory-gi": { type: "string" },
      "storage-gi": { type: "string" },
      "price-percent": { type: "string" },
      state: { type: "string" },
      "listen-host": { type: "string" },
      "advertise-host": { type: "string" },
      "health-interval-ms": { type: "string" },
      "payout-address": { type: "string" },
    },
  });
  const kind = values.kind;
  if (kind !== "provider" && kind !== "fizz") throw new NodeUsageError("--kind is provider or fizz.");
  if (!values.join) throw new NodeUsageError("--join URL is required.");
  let joinUrl: URL;
  try {
    joinUrl = new URL(values.join);
  } catch {
    throw new NodeUsageError(`--join ${values.join} is not a URL.`);
  }
  const tier = (values.tier ?? (kind === "provider" ? "community1" : "community3")) as NodeTier;
  if (!NODE_TIERS.includes(tier)) throw new NodeUsageError(`--tier is one of ${NODE_TIERS.join(", ")}.`);
  const payoutAddress = payoutAddressOf(values["payout-address"]);
  const statePath = values.state;
  const identity = statePath && existsSync(statePath) ? (JSON.parse(readFileSync(statePath, "utf8")) as { nodeId: string; secret: string }) : undefined;
  if (!values.token && !identity) throw new NodeUsageError("--token is required to join (or --state with a saved identity).");

  let devModel: DevModelServer | null = null;
  const upstream = values["serve-openai"];
  if (upstream !== undefined && !/^https?:\/\//.test(upstream)) throw new NodeUsageError("--serve-openai is an http(s) URL such as http://localhost:11434/v1.");
  if (!upstream) devModel = await startDevModelServer();
  const backend = upstream
    ? { kind: "upstream" as const, baseUrl: upstream, apiKey: process.env.SKYLOOM_UPSTREAM_API_KEY, model: values["upstream-model"], label: `the operator's OpenAI-compatible server at ${new URL(upstream).host}` }
    : { kind: "dev-model" as const, baseUrl: (devModel as DevModelServer).baseUrl, label: "Skyloom's local development model (canned answers, not a language model)" };

  const agent = new NodeAgent({
    join: joinUrl.toString(),
    token: values.token,
    identity,
    onIdentity: (id) => {
      if (!statePath) return;
      mkdirSync(dirname(statePath), { recursive: true });
      writeFileSync(statePath, JSON.stringify(id), { mode: 0o600 });
      chmodSync(statePath, 0o600);
    },
    kind,
    name: values.name ?? `${kind}-${process.pid}`,
    region: values.region ?? "us-east",
    tier,
    inventory: {
      gpus: parseGpus(values.gpu ?? []),
      cpu: positive("cpu", values.cpu, 32),
      memoryGi: positive("memory-gi", values["memory-gi"], 128),
      storageGi: positive("storage-gi", values["storage-gi"], 1000),
    },
    prices: defaultPriceTable(positive("price-percent", values["price-percent"], 100)),
    backend,
    listenHost: values["listen-host"],
    advertiseHost: values["advertise-host"],
    payoutAddress,
    healthIntervalMs: positive("health-interval-ms", values["health-interval-ms"], 2000),
    log,
  });
  try {
    await agent.start();
  } catch (error) {
    await devModel?.close();
    throw error;
  }
  return {
    agent,
    devModel,
    stop: async () => {
      await agent.stop();
      await devModel?.close();
    },
  };
}
