import { isIP } from "node:net";
import { networkInterfaces } from "node:os";
import { classifyAddress } from "../../services/address-class";

/**
 * Which addresses a node may say its services are served at. The gateway sends tenants'
 * requests there, and the host probes them, so a node's word decides where this host
 * connects: a node (anyone with a team's join token) must not point it at the cloud metadata
 * service, link-local or reserved addresses, or this machine's own loopback services.
 *
 * - public and private addresses: yes (a team's node on its LAN, 10.x, is the usual case);
 * - loopback: only for a node whose own requests come from this machine (the embedded nodes,
 *   `skyloom node` run beside the host); behind a reverse proxy on this machine every node
 *   looks local, so such a proxy should not forward /market/v1 from outside;
 * - host names: no. What a name resolves to can change after it was checked; a node
 *   advertises the IP address it is reached at (`--advertise-host`).
 */
export function nodeServiceUriProblem(uri: string, nodeOnThisMachine: () => boolean): string | null {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return `"${uri.slice(0, 100)}" is not a URL`;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return `${url.protocol} is not http or https`;
  if (url.username || url.password) return "it carries a user name or password";
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (!isIP(host)) return `${host} is a name, not an IP address; start the node with --advertise-host set to the address the host reaches it at`;
  const kind = classifyAddress(host);
  if (kind === "public" || kind === "private") return null;
  if (kind === "loopback") return nodeOnThisMachine() ? null : `${host} is a loopback address, and the node is not on the host's machine; start it with --listen-host and --advertise-host set to an address the host reaches it at`;
  return `${host} is ${kind === "metadata" ? "a cloud metadata service" : kind === "link-local" ? "a link-local address" : "a reserved address"}, which the host never connects to`;
}

/** Whether a request's peer is this machine: loopback, or one of its own interfaces' addresses (the socket's, never a header). */
export function fromThisMachine(remoteAddress: string | undefined): boolean {
  if (!remoteAddress) return false;
  const address = remoteAddress.replace(/^::ffff:(?=\d+\.)/i, "");
  if (classifyAddress(address) === "loopback") return true;
  return Object.values(networkInterfaces()).some((list) => list?.some((i) => i.address === address));
}
