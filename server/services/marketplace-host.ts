import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import type { Db } from "#db/client";
import { EMBEDDED_NODES, startEmbeddedNodes, type EmbeddedNodes, type EmbeddedNodeSpec } from "../marketplace/local/embedded-nodes";
import { listenMatchmaker, matchmakerHandler, type MatchmakerServer } from "../marketplace/local/http";
import { newSecret } from "../marketplace/local/ids";
import { LocalMarketplace } from "../marketplace/local/local-marketplace";
import { Matchmaker, type MatchmakerOptions } from "../marketplace/local/matchmaker";
import { MARKET_BASE_PATH } from "../marketplace/protocol";
import { acceptTeamJoinToken } from "./join-tokens";

/**
 * The embedded compute marketplace of one running Skyloom (ADR 024, 028): the matchmaker over
 * this host's database, its node protocol handler (the host mounts it at /market/v1), and the
 * embedded node processes, started once the host listens (they join the host's own URL).
 */
export type MarketplaceOptions = {
  /** The embedded nodes to start; [] for none. Default: the first SKYLOOM_MARKETPLACE_NODES of EMBEDDED_NODES. */
  nodes?: readonly EmbeddedNodeSpec[];
  /** Timeouts and windows (tests shorten them). */
  matchmaker?: Partial<Omit<MatchmakerOptions, "db" | "joinTokens" | "acceptJoinToken">>;
};

export type MarketplaceHost = {
  matchmaker: Matchmaker;
  marketplace: LocalMarketplace;
  /** The node protocol, for requests whose path starts with MARKET_BASE_PATH. */
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  /** Starts the embedded nodes joining `joinUrl` (…/market/v1); resolves once each joined. */
  startNodes(joinUrl: string): Promise<void>;
  /** Resolves once the nodes started by startNodes joined (at once when none were asked for). */
  readonly nodesStarted: Promise<void>;
  /** For a host without HTTP (the test backend): serves the node protocol on its own port and starts the nodes. */
  listenAndStartNodes(): Promise<string>;
  /** Stops the node processes (before the HTTP server closes: they hold long polls open). */
  stopNodes(): Promise<void>;
  stop(): Promise<void>;
};

export function isMarketplaceRequest(url: string | undefined): boolean {
  return url !== undefined && (url === MARKET_BASE_PATH || url.startsWith(`${MARKET_BASE_PATH}/`));
}

export function createMarketplaceHost(options: { db: Db; dataDir: string; defaultNodeCount: number } & MarketplaceOptions): MarketplaceHost {
  // The embedded nodes' own token: new at each start (a restarted node rejoins with its secret).
  const hostToken = newSecret();
  const matchmaker = new Matchmaker({
    ...options.matchmaker,
    db: options.db,
    joinTokens: [hostToken],
    acceptJoinToken: (token) => acceptTeamJoinToken(options.db, token),
  });
  matchmaker.start();
  const nodes = options.nodes ?? EMBEDDED_NODES.slice(0, options.defaultNodeCount);
  let running: EmbeddedNodes | null = null;
  let starting: Promise<void> | null = null;
  let ownServer: MatchmakerServer | null = null;

  const host: MarketplaceHost = {
    matchmaker,
    marketplace: new LocalMarketplace(matchmaker),
    handler: matchmakerHandler(matchmaker),
    startNodes(joinUrl) {
      if (nodes.length === 0) return Promise.resolve();
      starting ??= startEmbeddedNodes({ joinUrl, token: hostToken, stateDir: join(options.dataDir, "marketplace-nodes"), nodes }).then((started) => {
        running = started;
      });
      return starting;
    },
    get nodesStarted() {
      return starting ?? Promise.resolve();
    },
    async listenAndStartNodes() {
      ownServer ??= await listenMatchmaker(matchmaker);
      await host.startNodes(ownServer.url);
      return ownServer.url;
    },
    async stopNodes() {
      await starting?.catch(() => undefined);
      starting = null;
      const stopping = running;
      running = null;
      await stopping?.stop();
    },
    async stop() {
      await host.stopNodes();
      // Ends the long polls still open, then lets go of timers.
      matchmaker.stop();
      await ownServer?.close();
      ownServer = null;
    },
  };
  return host;
}
