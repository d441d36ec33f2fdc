import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { classifyAddress, createSsrfGuard, parseSsrfPolicy, SsrfBlockedError, type Resolver } from "#server/services/ssrf";

const DNS: Record<string, string[]> = {
  "internal.example": ["10.0.0.7"],
  "metadata.example": ["169.254.169.254"],
  "mixed.example": ["93.184.216.34", "127.0.0.1"],
  "public.example": ["93.184.216.34"],
  "v6-private.example": ["fd00::5"],
  "app.test": ["127.0.0.1"],
};
const lookups: string[] = [];
const fakeResolver: Resolver = async (host) => {
  lookups.push(host);
  const answers = DNS[host];
  if (!answers) throw new Error(`ENOTFOUND ${host}`);
  return answers.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
};
const strict = createSsrfGuard({ policy: parseSsrfPolicy(undefined), resolve: fakeResolver });

let target: Server;
let targetPort: number;
let other: Server;
let otherPort: number;
const seen: { path: string; method: string; auth?: string; body: string }[] = [];

beforeAll(async () => {
  target = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      seen.push({ path: req.url ?? "", method: req.method ?? "", auth: req.headers.authorization, body });
      const url = req.url ?? "";
      if (url === "/to-other") res.writeHead(302, { location: `http://127.0.0.1:${otherPort}/secret` }).end();
      else if (url === "/to-metadata") res.writeHead(301, { location: "http://metadata.example/latest/meta-data/" }).end();
      else if (url === "/to-self") res.writeHead(307, { location: "/final" }).end();
      else if (url === "/see-other") res.writeHead(303, { location: "/final" }).end();
      else if (url === "/loop") res.writeHead(302, { location: "/loop" }).end();
      else if (url === "/stream") {
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.write("data: one\n\n");
        setTimeout(() => res.end("data: two\n\n"), 20);
      } else res.writeHead(200, { "content-type": "text/plain", "x-seen": "yes" }).end(`hello from ${url}`);
    });
  });
  other = createServer((_req, res) => res.end("the other server's secret"));
  await new Promise<void>((r) => target.listen(0, "127.0.0.1", () => r()));
  await new Promise<void>((r) => other.listen(0, "127.0.0.1", () => r()));
  targetPort = (target.address() as AddressInfo).port;
  otherPort = (other.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((r) => target.close(r));
  await new Promise((r) => other.close(r));
});

describe("classifyAddress", () => {
  it.each([
    ["8.8.8.8", "public"],
    ["2606:4700:4700::1111", "public"],
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.168.1.1", "private"],
    ["100.64.0.1", "private"],
    ["fd00::1", "private"],
    ["127.0.0.1", "loopback"],
    ["127.8.9.10", "loopback"],
    ["::1", "loopback"],
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["169.254.1.1", "link-local"],
    ["fe80::1", "link-local"],
    ["169.254.169.254", "metadata"],
    ["fd00:ec2::254", "metadata"],
    ["::ffff:169.254.169.254", "metadata"],
    ["100.100.100.200", "metadata"],
    ["0.0.0.0", "reserved"],
    ["::", "reserved"],
    ["224.0.0.1", "reserved"],
    ["255.255.255.255", "reserved"],
  ])("%s is %s", (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });

  // IPv6 forms that carry an IPv4 address are classified by the IPv4 they carry.
  it.each([
    // IPv4-compatible ::a.b.c.d (what the URL parser makes of [::127.0.0.1])
    ["::127.0.0.1", "loopback"],
    ["::7f00:1", "loopback"],
    ["::a00:5", "private"],
    ["::a9fe:a9fe", "metadata"],
    ["::808:808", "public"],
    // IPv4-mapped ::ffff:a.b.c.d
    ["::ffff:10.0.0.1", "private"],
    ["::ffff:808:808", "public"],
    // SIIT / IPv4-translated ::ffff:0:a.b.c.d
    ["::ffff:0:127.0.0.1", "loopback"],
    ["::ffff:0:7f00:1", "loopback"],
    ["::ffff:0:a9fe:a9fe", "metadata"],
    ["::ffff:0:c0a8:101", "private"],
    ["::ffff:0:808:808", "public"],
    // NAT64 well-known prefix 64:ff9b::/96
    ["64:ff9b::127.0.0.1", "loopback"],
    ["64:ff9b::a9fe:a9fe", "metadata"],
    ["64:ff9b::a00:1", "private"],
    ["64:ff9b::808:808", "public"],
    // NAT64 local-use prefix 64:ff9b:1::/48: never public, and the IPv4 at any RFC 6052 position counts
    ["64:ff9b:1::7f00:1", "loopback"],
    ["64:ff9b:1:7f00:0:100::", "loopback"],
    ["64:ff9b:1:a9fe:a9:fe00::", "metadata"],
    ["64:ff9b:1::808:808", "private"],
    // 6to4 2002:AABB:CCDD::/48
    ["2002:7f00:1::", "loopback"],
    ["2002:a9fe:a9fe::1", "metadata"],
    ["2002:c0a8:101::1", "private"],
    ["2002:808:808::1", "public"],
    // Teredo 2001:0:SERVER:flags:port:~CLIENT (client bits inverted)
    ["2001:0:4136:e378:8000:63bf:80ff:fffe", "loopback"], // client 127.0.0.1
    ["2001:0:4136:e378:8000:63bf:5601:5601", "metadata"], // client 169.254.169.254
    ["2001:0:a00:1:8000:63bf:f7f7:f7f7", "private"], // server 10.0.0.1
    ["2001:0:4136:e378:8000:63bf:f7f7:f7f7", "public"], // server 65.54.227.120, client 8.8.8.8
    // ISATAP interface identifiers under a public prefix
    ["2a00:1450:4001::5efe:7f00:1", "loopback"],
    ["2a00:1450:4001::200:5efe:a00:1", "private"],
    ["2a00:1450:4001::5efe:808:808", "public"],
    // Other special IPv6 ranges
    ["fec0::1", "private"],
    ["fe80::1%eth0", "link-local"],
    ["100::1", "reserved"],
    ["2001:db8::1", "reserved"],
    ["ff02::1", "reserved"],
    ["4000::1", "reserved"],
    ["::2", "reserved"],
    ["not an address", "reserved"],
    ["168.63.129.16", "metadata"],
    ["192.0.0.192", "metadata"],
  ])("%s carries %s", (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });
});

describe("check", () => {
  it("lets a public host through", async () => {
    await expect(strict.check(new URL("https://public.example/x"))).resolves.toEqual({ address: "93.184.216.34", family: 4 });
  });

  it.each([
    ["http://internal.example/", "10.0.0.7, a private network address"],
    ["http://metadata.example/latest/meta-data/", "169.254.169.254, a cloud metadata service"],
    ["http://mixed.example/", "127.0.0.1, this machine (loopback)"],
    ["http://v6-private.example/", "fd00::5, a private network address"],
    ["http://127.0.0.1:8080/", "127.0.0.1, this machine"],
    ["http://[::1]/", "::1, this machine"],
    ["http://2130706433/", "127.0.0.1, this machine"],
    ["http://0x7f.1/", "127.0.0.1, this machine"],
    ["http://169.254.169.254/", "a cloud metadata service"],
    ["http://[::ffff:a9fe:a9fe]/", "a cloud metadata service"],
    ["http://0.0.0.0:3000/", "a reserved address"],
    ["http://[::127.0.0.1]/", "::7f00:1, this machine (loopback)"],
    ["http://[::ffff:0:127.0.0.1]/", "::ffff:0:7f00:1, this machine (loopback)"],
    ["http://[64:ff9b::169.254.169.254]/", "a cloud metadata service"],
    ["http://[2002:7f00:1::]:8080/", "this machine (loopback)"],
    ["http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/", "this machine (loopback)"],
  ])("refuses %s", async (url, why) => {
    const error = await strict.check(new URL(url)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SsrfBlockedError);
    expect((error as Error).message).toContain(why);
    expect((error as Error).message).toContain("SKYLOOM_ALLOW_PRIVATE_URLS");
  });

  it("refuses localhost as resolved by the real DNS", async () => {
    const guard = createSsrfGuard({ policy: parseSsrfPolicy("false") });
    await expect(guard.check(new URL("http://localhost:3000/"))).rejects.toThrow(/resolves to (127\.0\.0\.1|::1)/);
  });

  it("refuses other schemes and credentials in the URL", async () => {
    await expect(strict.check(new URL("file:///etc/passwd"))).rejects.toThrow("Only http and https URLs are allowed (got file:).");
    await expect(strict.check(new URL("ftp://public.example/"))).rejects.toThrow("Only http and https");
    await expect(strict.check(new URL("http://user:pw@public.example/"))).rejects.toThrow("user name or password");
  });

  it("reports an unknown host", async () => {
    await expect(strict.check(new URL("http://nowhere.example/"))).rejects.toThrow("Cannot resolve nowhere.example");
  });

  it("operator settings: allow private networks (never metadata), or allow listed hosts", async () => {
    const open = createSsrfGuard({ policy: parseSsrfPolicy("true"), resolve: fakeResolver });
    await expect(open.check(new URL("http://internal.example/"))).resolves.toMatchObject({ address: "10.0.0.7" });
    await expect(open.check(new URL("http://127.0.0.1/"))).resolves.toMatchObject({ address: "127.0.0.1" });
    await expect(open.check(new URL("http://metadata.example/"))).rejects.toThrow("cloud metadata");
    await expect(open.check(new URL("http://[::ffff:0:169.254.169.254]/"))).rejects.toThrow("cloud metadata");
    await expect(open.check(new URL("http://[2002:a9fe:a9fe::]/"))).rejects.toThrow("cloud metadata");
    await expect(open.check(new URL("http://[::127.0.0.1]/"))).resolves.toMatchObject({ address: "::7f00:1" });

    const listed = createSsrfGuard({ policy: parseSsrfPolicy("internal.example, 127.0.0.1:11434"), resolve: fakeResolver });
    await expect(listed.check(new URL("http://internal.example/"))).resolves.toMatchObject({ address: "10.0.0.7" });
    await expect(listed.check(new URL("http://127.0.0.1:11434/v1"))).resolves.toMatchObject({ address: "127.0.0.1" });
    await expect(listed.check(new URL("http://127.0.0.1:11435/v1"))).rejects.toThrow("loopback");
    // Listing a host does not open the metadata service it may resolve to.
    const listedMetadata = createSsrfGuard({ policy: parseSsrfPolicy("metadata.example,169.254.169.254"), resolve: fakeResolver });
    await expect(listedMetadata.check(new URL("http://metadata.example/"))).rejects.toThrow("cloud metadata");
    await expect(listedMetadata.check(new URL("http://169.254.169.254/"))).rejects.toThrow("cloud metadata");
  });
});

describe("fetch", () => {
  const allowTarget = () => createSsrfGuard({ policy: parseSsrfPolicy(`127.0.0.1:${0}`), resolve: fakeResolver });
  const guardFor = (hosts: string) => createSsrfGuard({ policy: parseSsrfPolicy(hosts), resolve: fakeResolver });

  it("connects to exactly the address it checked (one lookup, no second resolution)", async () => {
    const guard = guardFor(`app.test:${targetPort}`);
    lookups.length = 0;
    const res = await guard.fetch(`http://app.test:${targetPort}/hello`, { headers: { authorization: "Bearer k" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-seen")).toBe("yes");
    expect(await res.text()).toBe("hello from /hello");
    // app.test exists only in the fake resolver: the connection used its answer.
    expect(lookups).toEqual(["app.test"]);
    expect(seen.at(-1)).toMatchObject({ path: "/hello", auth: "Bearer k" });
  });

  it("sends a body and streams the response", async () => {
    const guard = guardFor(`127.0.0.1:${targetPort}`);
    await guard.fetch(`http://127.0.0.1:${targetPort}/post`, { method: "POST", body: '{"a":1}', headers: { "content-type": "application/json" } });
    expect(seen.at(-1)).toMatchObject({ method: "POST", body: '{"a":1}' });
    const res = await guard.fetch(`http://127.0.0.1:${targetPort}/stream`);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe("data: one\n\n");
    let rest = "";
    for (let r = await reader.read(); !r.done; r = await reader.read()) rest += new TextDecoder().decode(r.value);
    expect(rest).toBe("data: two\n\n");
  });

  it("refuses a redirect to a host that is not allowed", async () => {
    const guard = guardFor(`127.0.0.1:${targetPort}`);
    await expect(guard.fetch(`http://127.0.0.1:${targetPort}/to-other`)).rejects.toThrow(/Refused to connect to 127\.0\.0\.1.*loopback/);
    expect(seen.some((s) => s.path === "/secret")).toBe(false);
  });

  it("refuses a redirect to a name that resolves to the metadata service", async () => {
    const guard = guardFor(`127.0.0.1:${targetPort}`);
    await expect(guard.fetch(`http://127.0.0.1:${targetPort}/to-metadata`)).rejects.toThrow("169.254.169.254, a cloud metadata service");
  });

  it("follows allowed redirects, turning 303 into GET, and gives up on loops", async () => {
    const guard = guardFor(`127.0.0.1:${targetPort}`);
    const res = await guard.fetch(`http://127.0.0.1:${targetPort}/to-self`, { method: "POST", body: "x" });
    expect(await res.text()).toBe("hello from /final");
    expect(seen.at(-1)).toMatchObject({ path: "/final", method: "POST", body: "x" });
    await guard.fetch(`http://127.0.0.1:${targetPort}/see-other`, { method: "POST", body: "x" });
    expect(seen.at(-1)).toMatchObject({ path: "/final", method: "GET", body: "" });
    await expect(guard.fetch(`http://127.0.0.1:${targetPort}/loop`)).rejects.toThrow("Too many redirects");
  });

  it("refuses the loopback test server when nothing is allowed", async () => {
    await expect(allowTarget().fetch(`http://127.0.0.1:${targetPort}/hello`)).rejects.toThrow(SsrfBlockedError);
  });

  it("caps the response size", async () => {
    const guard = createSsrfGuard({ policy: parseSsrfPolicy(`127.0.0.1:${targetPort}`), resolve: fakeResolver, maxResponseBytes: 5 });
    const res = await guard.fetch(`http://127.0.0.1:${targetPort}/long-path-response`);
    await expect(res.text()).rejects.toThrow();
  });
});
