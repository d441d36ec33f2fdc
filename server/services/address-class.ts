import { isIP } from "node:net";
import ipaddr from "ipaddr.js";

/**
 * Classifies an IP address for the SSRF guard with ipaddr.js's range tables. IPv6 forms that
 * carry an IPv4 address (mapped, compatible, SIIT, NAT64, 6to4, Teredo, ISATAP) are classified
 * by the IPv4 they carry, so `[::127.0.0.1]` is loopback however it is written.
 */
export type AddressClass = "public" | "private" | "loopback" | "link-local" | "metadata" | "reserved";

type IPv4 = ipaddr.IPv4;
type IPv6 = ipaddr.IPv6;

/** Cloud metadata services (AWS, ECS, Alibaba, Oracle, Azure's wire server, AWS over IPv6). */
const METADATA = new Set(
  ["169.254.169.254", "169.254.170.2", "100.100.100.200", "192.0.0.192", "168.63.129.16", "fd00:ec2::254"].map(
    (a) => ipaddr.parse(a).toNormalizedString(),
  ),
);

/** When an address carries several classes, the one that is refused most often wins. */
const SEVERITY: Record<AddressClass, number> = {
  public: 0,
  private: 1,
  "link-local": 2,
  loopback: 3,
  reserved: 4,
  metadata: 5,
};

function worst(classes: AddressClass[]): AddressClass {
  return classes.reduce<AddressClass>((a, b) => (SEVERITY[b] > SEVERITY[a] ? b : a), "public");
}

const IPV4_CLASSES: Partial<Record<ReturnType<IPv4["range"]>, AddressClass>> = {
  unicast: "public",
  private: "private",
  carrierGradeNat: "private",
  loopback: "loopback",
  linkLocal: "link-local",
  // unspecified, broadcast, multicast, reserved, benchmarking, as112, amt: never a service a user means.
};

function classifyIpv4(ip: IPv4): AddressClass {
  if (METADATA.has(ip.toNormalizedString())) return "metadata";
  return IPV4_CLASSES[ip.range()] ?? "reserved";
}

function ipv4From(high: number, low: number): IPv4 {
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

/** 2000::/3 is the only IPv6 space handed out for global unicast; the rest is unassigned. */
const GLOBAL_UNICAST = ipaddr.parseCIDR("2000::/3") as [IPv6, number];
/** RFC 8215 local-use NAT64 prefix; the operator picks where in it the IPv4 sits (RFC 6052 §2.2). */
const LOCAL_NAT64 = ipaddr.parseCIDR("64:ff9b:1::/48") as [IPv6, number];

/**
 * The IPv4 a local-use NAT64 address may carry: RFC 6052 §2.2 puts it at one of four places,
 * by the prefix length (/48, /56, /64, /96) the operator chose, skipping the reserved bits
 * 64–71. Every reading counts, except ones in 0.0.0.0/8, which no translator sends to.
 */
function nat64Readings(p: number[]): IPv4[] {
  const bytes = p.flatMap((part) => [part >> 8, part & 0xff]);
  const at = (...indexes: number[]) => new ipaddr.IPv4(indexes.map((i) => bytes[i] as number));
  const readings = [at(6, 7, 9, 10), at(7, 9, 10, 11), at(9, 10, 11, 12), at(12, 13, 14, 15)];
  return readings.filter((ip) => ip.octets[0] !== 0);
}

/** How an IPv6 address carries IPv4: translated forms are the IPv4 alone; the others keep the prefix's class too. */
type Carried = { ipv4: IPv4[]; form: "translated" | "local-nat64" | "isatap" };

/** The IPv4 addresses an IPv6 address carries, by the form it is written in; null for a plain IPv6 address. */
export function carriedIpv4(ip: IPv6): Carried | null {
  const p = ip.parts as [number, number, number, number, number, number, number, number];
  const last32 = ipv4From(p[6], p[7]);
  switch (ip.range()) {
    case "ipv4Mapped": // ::ffff:a.b.c.d
    case "rfc6145": // ::ffff:0:a.b.c.d (SIIT)
      return { ipv4: [last32], form: "translated" };
    case "rfc6052": // 64:ff9b::/96 (well-known NAT64), 64:ff9b:1::/48 (local-use NAT64)
      return ip.match(LOCAL_NAT64) ? { ipv4: nat64Readings(p), form: "local-nat64" } : { ipv4: [last32], form: "translated" };
    case "6to4": // 2002:AABB:CCDD::/48
      return { ipv4: [ipv4From(p[1], p[2])], form: "translated" };
    case "teredo": // 2001:0:SERVER:flags:port:CLIENT, the client's bits inverted
      return { ipv4: [ipv4From(p[2], p[3]), ipv4From(p[6] ^ 0xffff, p[7] ^ 0xffff)], form: "translated" };
    case "unspecified":
    case "loopback":
      return null;
  }
  // ::a.b.c.d (IPv4-compatible, deprecated): the first 96 bits are zero.
  if (p.slice(0, 6).every((part) => part === 0)) return { ipv4: [last32], form: "translated" };
  // ISATAP interface identifier: PREFIX::0:5efe:a.b.c.d or PREFIX::200:5efe:a.b.c.d.
  if ((p[4] & 0xfdff) === 0 && p[5] === 0x5efe) return { ipv4: [last32], form: "isatap" };
  return null;
}

const IPV6_CLASSES: Partial<Record<string, AddressClass>> = {
  loopback: "loopback",
  linkLocal: "link-local",
  uniqueLocal: "private",
  deprecatedSiteLocal: "private",
  // unspecified, multicast, discard, benchmarking, documentation and the other special ranges: reserved.
};

/** The class of an IPv6 address by its own ranges, not looking at an IPv4 it carries. */
function plainIpv6Class(ip: IPv6): AddressClass {
  const range: string = ip.range();
  if (range === "unicast") return ip.match(GLOBAL_UNICAST) ? "public" : "reserved";
  return IPV6_CLASSES[range] ?? "reserved";
}

function classifyIpv6(ip: IPv6): AddressClass {
  // Without a zone id (fe80::1%eth0), so the metadata set compares plain addresses.
  if (METADATA.has(new ipaddr.IPv6(ip.parts).toNormalizedString())) return "metadata";
  const carried = carriedIpv4(ip);
  if (!carried) return plainIpv6Class(ip);
  const classes = carried.ipv4.map(classifyIpv4);
  // The local-use NAT64 prefix exists only inside an operator's network.
  if (carried.form === "local-nat64") classes.push("private");
  if (carried.form === "isatap") classes.push(plainIpv6Class(ip));
  return worst(classes);
}

/** The class of an IP address; anything that is not a well-formed address is "reserved". */
export function classifyAddress(address: string): AddressClass {
  // Node's strict check first: ipaddr.js also takes loose IPv4 forms such as 0x7f.1.
  const family = isIP(address);
  if (family === 0) return "reserved";
  const ip = ipaddr.parse(address);
  return ip.kind() === "ipv4" ? classifyIpv4(ip as IPv4) : classifyIpv6(ip as IPv6);
}
