import type { z } from "zod";
import { JoinResponseSchema, WorkSnapshotSchema, type Heartbeat, type JoinRequest, type JoinResponse, type LeaseReport, type ManifestReport, type OrderAnswer, type WorkSnapshot } from "../protocol";

/** An answer from the matchmaker that was not 2xx; `status` 401 means "join again". */
export class MatchmakerError extends Error {
  override name = "MatchmakerError";
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The node's side of the protocol (protocol.ts): typed calls, bodies checked on arrival. */
export class MatchmakerClient {
  private auth = "";

  constructor(private readonly baseUrl: string) {}

  setCredentials(nodeId: string, secret: string): void {
    this.auth = `Bearer ${nodeId}.${secret}`;
  }

  private async call<T>(method: "GET" | "POST", path: string, body: unknown, schema: z.ZodType<T> | null, signal?: AbortSignal): Promise<T> {
    const res = await fetch(`${this.baseUrl.replace(/\/+$/, "")}${path}`, {
      method,
      headers: { "content-type": "application/json", ...(this.auth ? { authorization: this.auth } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
    const json = (await res.json().catch(() => ({}))) as { error?: string };
    if (!res.ok) throw new MatchmakerError(res.status, json.error ?? `HTTP ${res.status}`);
    if (!schema) return json as T;
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new MatchmakerError(502, `The matchmaker sent a body this node does not understand: ${parsed.error.message}`);
    return parsed.data;
  }

  join(request: JoinRequest): Promise<JoinResponse> {
    return this.call("POST", "/join", request, JoinResponseSchema);
  }

  work(after: number | undefined, signal?: AbortSignal): Promise<WorkSnapshot> {
    return this.call("GET", `/work${after === undefined ? "" : `?after=${after}`}`, undefined, WorkSnapshotSchema, signal);
  }

  heartbeat(beat: Heartbeat): Promise<unknown> {
    return this.call("POST", "/heartbeat", beat, null);
  }

  answer(orderId: string, answer: OrderAnswer): Promise<unknown> {
    return this.call("POST", `/orders/${encodeURIComponent(orderId)}/answer`, answer, null);
  }

  manifest(leaseId: string, report: ManifestReport): Promise<unknown> {
    return this.call("POST", `/leases/${encodeURIComponent(leaseId)}/manifest`, report, null);
  }

  report(leaseId: string, report: LeaseReport): Promise<unknown> {
    return this.call("POST", `/leases/${encodeURIComponent(leaseId)}/report`, report, null);
  }
}
