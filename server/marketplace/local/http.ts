import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { z } from "zod";
import { BodyTooLargeError, readBodyWithin } from "../../http/read-body";
import { MarketplaceError } from "../marketplace";
import { HeartbeatSchema, JoinRequestSchema, LeaseReportSchema, MARKET_BASE_PATH, ManifestReportSchema, OrderAnswerSchema } from "../protocol";
import type { Matchmaker } from "./matchmaker";
import { fromThisMachine } from "./node-uri";

/**
 * The matchmaker's HTTP face for node processes (protocol.ts lists the routes). A plain
 * `(req, res)` handler, so the host can mount it under its own Express app later; until then
 * `listenMatchmaker` serves it on its own port.
 */
const MAX_BODY_BYTES = 1024 * 1024;
const STATUS: Record<MarketplaceError["code"], number> = { BAD_REQUEST: 400, UNAUTHORIZED: 401, NOT_FOUND: 404, CONFLICT: 409, TIMEOUT: 504, UNAVAILABLE: 503 };

class BadBody extends Error {}

async function readJson<T>(req: IncomingMessage, schema: z.ZodType<T>): Promise<T> {
  let body: Buffer;
  try {
    body = await readBodyWithin(req, MAX_BODY_BYTES);
  } catch (error) {
    throw error instanceof BodyTooLargeError ? new BadBody("The body is over 1 MB.") : error;
  }
  let json: unknown;
  try {
    json = JSON.parse(body.toString("utf8"));
  } catch {
    throw new BadBody("The body is not JSON.");
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  throw new BadBody(`Bad body: ${parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}

/** A heartbeat's answer: nothing to say, so no body (every node beats every second). */
function sendNoContent(res: ServerResponse): void {
  if (!res.headersSent) res.writeHead(204).end();
}

export function matchmakerHandler(matchmaker: Matchmaker) {
  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Split by hand: a URL object per request showed in the profile, and only /work has a query.
    const [pathname = "/", query = ""] = (req.url ?? "/").split("?", 2);
    if (!pathname.startsWith(`${MARKET_BASE_PATH}/`)) return send(res, 404, { error: "Not a marketplace route." });
    const path = pathname.slice(MARKET_BASE_PATH.length);
    if (req.method === "POST" && path === "/join") return send(res, 200, matchmaker.join(await readJson(req, JoinRequestSchema)));

    const nodeId = matchmaker.authenticate(req.headers.authorization);
    if (req.method === "GET" && path === "/work") {
      const after = new URLSearchParams(query).get("after");
      const abort = new AbortController();
      // Only a poll the node gave up on ends early (an answered one closes too).
      res.on("close", () => res.writableFinished || abort.abort());
      return send(res, 200, await matchmaker.work(nodeId, after === null ? undefined : Number(after), abort.signal));
    }
    if (req.method === "POST" && path === "/heartbeat") {
      const beat = await readJson(req, HeartbeatSchema);
      matchmaker.heartbeat(nodeId);
      const from = { nodeOnThisMachine: () => fromThisMachine(req.socket.remoteAddress) };
      for (const [leaseId, report] of Object.entries(beat.leases)) {
        try {
          matchmaker.leaseReport(nodeId, leaseId, report, from);
        } catch (error) {
          // A lease the node still reports but no longer holds must not fail its heartbeat.
          if (!(error instanceof MarketplaceError && error.code === "NOT_FOUND")) throw error;
        }
      }
      return sendNoContent(res);
    }
    const order = /^\/orders\/([\w-]{1,60})\/answer$/.exec(path);
    if (req.method === "POST" && order?.[1]) {
      matchmaker.answer(nodeId, order[1], await readJson(req, OrderAnswerSchema));
      return send(res, 200, { ok: true });
    }
    const lease = /^\/leases\/([\w-]{1,60})\/(manifest|report)$/.exec(path);
    if (req.method === "POST" && lease?.[1]) {
      if (lease[2] === "manifest") matchmaker.manifestReport(nodeId, lease[1], await readJson(req, ManifestReportSchema));
      else matchmaker.leaseReport(nodeId, lease[1], await readJson(req, LeaseReportSchema), { nodeOnThisMachine: () => fromThisMachine(req.socket.remoteAddress) });
      return send(res, 200, { ok: true });
    }
    send(res, 404, { error: `No route ${req.method} ${path}.` });
  }

  return (req: IncomingMessage, res: ServerResponse): void => {
    route(req, res).catch((error: unknown) => {
      if (error instanceof MarketplaceError) send(res, STATUS[error.code], { error: error.message, code: error.code });
      else if (error instanceof BadBody) send(res, 400, { error: error.message, code: "BAD_REQUEST" });
      else {
        console.error("marketplace:", error);
        send(res, 500, { error: "The matchmaker failed; see the host's log." });
      }
    });
  };
}

export type MatchmakerServer = { url: string; server: Server; close(): Promise<void> };

/** Serves the node protocol on host:port (port 0: any free one). The URL ends with the base path. */
export async function listenMatchmaker(matchmaker: Matchmaker, options: { host?: string; port?: number } = {}): Promise<MatchmakerServer> {
  const server = createServer(matchmakerHandler(matchmaker));
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}${MARKET_BASE_PATH}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
