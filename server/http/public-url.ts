import type { IncomingMessage } from "node:http";

/** A Host header worth echoing: a DNS name or an IP (IPv6 in brackets), with an optional port. */
const HOST_HEADER = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))*\.?|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;

/**
 * The address this client reached Skyloom at, for links in messages: PUBLIC_URL when the
 * operator set it, else the request's Host header (the default PUBLIC_URL says localhost,
 * which is wrong for anyone on another machine). An odd Host falls back to `publicUrl`; the
 * result only goes back to the same client, as text.
 */
export function publicUrlFor(req: Pick<IncomingMessage, "headers">, config: { publicUrl: string; publicUrlConfigured: boolean }): string {
  if (config.publicUrlConfigured) return config.publicUrl;
  const host = req.headers.host;
  return host && host.length <= 260 && HOST_HEADER.test(host) ? `http://${host}` : config.publicUrl;
}
