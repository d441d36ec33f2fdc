import { lookup as dnsLookup } from "node:dns/promises";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { Readable, Transform } from "node:stream";
import { classifyAddress, type AddressClass } from "./address-class";

export { classifyAddress, type AddressClass };

/**
 * The one SSRF guard for every URL a user gives Skyloom (tool.http, custom model base URLs).
 * Each hop resolves the host once, refuses private, loopback, link-local, cloud-metadata and
 * other non-public addresses (unless the operator allowed them), then connects to exactly
 * the address it checked, so a DNS answer cannot change between check and use. Redirects are
 * followed by hand and every hop is checked again.
 */
export type SsrfPolicy = {
  /** SKYLOOM_ALLOW_PRIVATE_URLS=true: private, loopback and link-local are allowed (metadata still is not). */
  allowPrivate: boolean;
  /** Hosts allowed although they are not public: "host", "host:port" or an IP, lowercased. */
  allowedHosts: ReadonlySet<string>;
};

export type ResolvedAddress = { address: string; family: 4 | 6 };
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export class SsrfBlockedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SsrfBlockedError";
  }
}

const CLASS_NAMES: Record<Exclude<AddressClass, "public">, string> = {
  private: "a private network address",
  loopback: "this machine (loopback)",
  "link-local": "a link-local address",
  metadata: "a cloud metadata service",
  reserved: "a reserved address",
};

export function parseSsrfPolicy(value: string | undefined): SsrfPolicy {
  const v = (value ?? "").trim().toLowerCase();
  if (v === "" || v === "false" || v === "0") return { allowPrivate: false, allowedHosts: new Set() };
  if (v === "true" || v === "1") return { allowPrivate: true, allowedHosts: new Set() };
  return { allowPrivate: false, allowedHosts: new Set(v.split(",").map((h) => h.trim()).filter(Boolean)) };
}

const defaultResolver: Resolver = async (hostname) => {
  const answers = await dnsLookup(hostname, { all: true, verbatim: true });
  return answers.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

export type GuardedFetch = (input: string | URL, init?: RequestInit) => Promise<Response>;

export type SsrfGuard = {
  /** Resolves the URL's host once and returns the address it may connect to, or throws SsrfBlockedError. */
  check(url: URL): Promise<ResolvedAddress>;
  fetch: GuardedFetch;
};

const MAX_REDIRECTS = 5;
const DEFAULT_MAX_RESPONSE_BYTES = 20 * 1024 * 1024;

export function createSsrfGuard(options: { policy: SsrfPolicy; resolve?: Resolver; maxResponseBytes?: number }): SsrfGuard {
  const resolve = options.resolve ?? defaultResolver;
  const { policy } = options;
  const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;

  function hostAllowed(url: URL, hostname: string, address: string): boolean {
    const port = url.port || (url.protocol === "https:" ? "443" : "80");
    const names = [hostname, `${hostname}:${port}`, address, `${address}:${port}`];
    return names.some((n) => policy.allowedHosts.has(n.toLowerCase()));
  }

  async function check(url: URL): Promise<ResolvedAddress> {
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new SsrfBlockedError(`Only http and https URLs are allowed (got ${url.protocol}).`);
    }
    if (url.username || url.password) throw new SsrfBlockedError("URLs with a user name or password are not allowed; use a credential.");
    const hostname = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
    let addresses: ResolvedAddress[];
    const literal = isIP(hostname);
    if (literal) addresses = [{ address: hostname, family: literal === 6 ? 6 : 4 }];
    else {
      try {
        addresses = await resolve(hostname);
      } catch (error) {
        throw new SsrfBlockedError(`Cannot resolve ${hostname}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (addresses.length === 0) throw new SsrfBlockedError(`${hostname} has no address.`);
    // Every answer must pass, so a host that also resolves to a private address is refused.
    for (const { address } of addresses) {
      const kind = classifyAddress(address);
      if (kind === "public") continue;
      // Cloud metadata stays blocked whatever the operator allowed: it hands out the host's credentials.
      if (kind !== "metadata" && hostAllowed(url, hostname, address)) continue;
      if (policy.allowPrivate && kind !== "metadata" && kind !== "reserved") continue;
      throw new SsrfBlockedError(
        `Refused to connect to ${hostname}: it resolves to ${address}, ${CLASS_NAMES[kind]}. ` +
          "An operator can allow such hosts with SKYLOOM_ALLOW_PRIVATE_URLS.",
      );
    }
    return addresses[0] as ResolvedAddress;
  }

  async function once(url: URL, method: string, headers: Headers, body: Buffer | undefined, signal: AbortSignal | undefined): Promise<IncomingMessage> {
    const pinned = await check(url);
    const lookup: LookupFunction = (_hostname, opts, callback) => {
      if (opts.all) (callback as unknown as (e: null, a: ResolvedAddress[]) => void)(null, [pinned]);
      else callback(null, pinned.address, pinned.family);
    };
    const outgoing: Record<string, string> = {};
    headers.forEach((value, key) => {
      outgoing[key] = value;
    });
    if (body && !headers.has("content-length")) outgoing["content-length"] = String(body.length);
    const requestFn = url.protocol === "https:" ? httpsRequest : httpRequest;
    return new Promise<IncomingMessage>((resolvePromise, reject) => {
      const req = requestFn(
        {
          protocol: url.protocol,
          hostname: url.hostname.replace(/^\[|\]$/g, ""),
          port: url.port || undefined,
          path: `${url.pathname}${url.search}`,
          method,
          headers: outgoing,
          lookup,
          signal,
          ...(url.protocol === "https:" && !isIP(url.hostname.replace(/^\[|\]$/g, "")) ? { servername: url.hostname } : {}),
        },
        resolvePromise,
      );
      req.on("error", reject);
      req.end(body);
    });
  }

  const guardedFetch: GuardedFetch = async (input, init = {}) => {
    let url = new URL(String(input));
    let method = (init.method ?? "GET").toUpperCase();
    const headers = new Headers(init.headers);
    let body: Buffer | undefined =
      init.body === undefined || init.body === null
        ? undefined
        : typeof init.body === "string"
          ? Buffer.from(init.body)
          : Buffer.from(await new Response(init.body).arrayBuffer());
    const signal = init.signal ?? undefined;

    for (let hop = 0; ; hop++) {
      const res = await once(url, method, headers, body, signal);
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if ([301, 302, 303, 307, 308].includes(status) && location && init.redirect !== "manual") {
        res.resume();
        if (hop >= MAX_REDIRECTS) throw new SsrfBlockedError(`Too many redirects (more than ${MAX_REDIRECTS}).`);
        const next = new URL(location, url);
        if (status === 303 || ((status === 301 || status === 302) && method === "POST")) {
          method = "GET";
          body = undefined;
          headers.delete("content-type");
          headers.delete("content-length");
        }
        // Credentials never follow a redirect to another origin.
        if (next.origin !== url.origin) {
          headers.delete("authorization");
          headers.delete("cookie");
        }
        url = next;
        continue;
      }
      return toWebResponse(res, maxBytes);
    }
  };

  return { check, fetch: guardedFetch };
}

function toWebResponse(res: IncomingMessage, maxBytes: number): Response {
  const headers = new Headers();
  for (const [key, value] of Object.entries(res.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(key, v);
  }
  const status = res.statusCode ?? 502;
  if (status === 204 || status === 304 || status < 200) {
    res.resume();
    return new Response(null, { status: status < 200 ? 502 : status, statusText: res.statusMessage, headers });
  }
  let seen = 0;
  const limited = res.pipe(
    new Transform({
      transform(chunk: Buffer, _enc, callback) {
        seen += chunk.length;
        if (seen > maxBytes) callback(new Error(`The response is larger than ${Math.round(maxBytes / 1024 / 1024)} MB.`));
        else callback(null, chunk);
      },
    }),
  );
  res.on("error", (error) => limited.destroy(error));
  return new Response(Readable.toWeb(limited) as ReadableStream<Uint8Array>, { status, statusText: res.statusMessage, headers });
}
