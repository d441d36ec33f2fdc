import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { publicUrlFor } from "#server/http/public-url";
import { startGatewayHost, type GatewayHost } from "./support";

/** GET /v1/models with a chosen Host header and no key; resolves with the error message. */
function askWithoutKey(url: string, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const target = new URL("/v1/models", url);
    const req = request({ hostname: target.hostname, port: target.port, path: target.pathname, headers: { host } }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => resolve((JSON.parse(body) as { error: { message: string } }).error.message));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("the address in the API's messages", () => {
  let plain: GatewayHost;
  let configured: GatewayHost;
  beforeAll(async () => {
    plain = await startGatewayHost();
    configured = await startGatewayHost({ PUBLIC_URL: "https://ai.example.com" });
  });
  afterAll(async () => {
    await plain.close();
    await configured.close();
  });

  it("without PUBLIC_URL, points at the address the client used (its Host), not localhost", async () => {
    const message = await askWithoutKey(plain.url, "skyloom.lan:8443");
    expect(message).toBe(`You didn't provide an API key. Send it as "Authorization: Bearer YOUR_KEY"; create keys at http://skyloom.lan:8443/settings/api-keys.`);
    expect(message).not.toContain("localhost");
  });

  it("with PUBLIC_URL, uses it whatever the Host says", async () => {
    expect(await askWithoutKey(configured.url, "internal-name:3000")).toContain("create keys at https://ai.example.com/settings/api-keys.");
  });
});

describe("publicUrlFor", () => {
  const unset = { publicUrl: "http://localhost:3000", publicUrlConfigured: false };
  it("takes a well-formed Host, and falls back for a missing or odd one", () => {
    expect(publicUrlFor({ headers: { host: "10.0.0.7:3000" } }, unset)).toBe("http://10.0.0.7:3000");
    expect(publicUrlFor({ headers: { host: "[::1]:3000" } }, unset)).toBe("http://[::1]:3000");
    expect(publicUrlFor({ headers: {} }, unset)).toBe("http://localhost:3000");
    expect(publicUrlFor({ headers: { host: "evil.example/<script>" } }, unset)).toBe("http://localhost:3000");
    expect(publicUrlFor({ headers: { host: "a b" } }, unset)).toBe("http://localhost:3000");
  });
});
