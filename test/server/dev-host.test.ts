import { request } from "node:http";
import { afterAll, beforeAll, expect, test } from "vitest";
import { startBuiltServer, type StartedServer } from "../e2e/support/server";

/**
 * `npm run dev` (server/dev.mjs): the host from its sources with the pages from Vite's dev
 * server. The hot reload itself (an edit under app/ showing in an open page) was checked by
 * hand in Chromium; this proves the parts it stands on: pages rendered from the sources with
 * the page policy, Vite's modules served, and Vite's hot-reload socket on the host's own port.
 */
let host: StartedServer;

beforeAll(async () => {
  host = await startBuiltServer({ NODE_ENV: undefined, SEED_DEMO: "false" }, { script: "server/dev.mjs" });
}, 120_000);

afterAll(async () => {
  await host?.stop();
});

test("says it runs in development mode", () => {
  expect(host.log()).toMatch(/running at http:\/\/\S+ \(development mode/);
});

test("renders a page from the sources, with the page policy's nonce on its inline scripts", async () => {
  const response = await fetch(`${host.url}/login`);
  expect(response.status).toBe(200);
  const nonce = /'nonce-([^']+)'/.exec(response.headers.get("content-security-policy") ?? "")?.[1];
  // 16 random bytes in base64 (server/http/security-headers.ts).
  expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
  const html = await response.text();
  expect(html).toContain("<h1");
  expect(html).toContain("Log in");
  // Remix's hot-reload runtime (which starts Vite's client) loads through a script carrying the nonce.
  const hotReload = [...html.matchAll(/<script\b([^>]*)>([^<]*)<\/script>/g)].find(([, , body]) => body!.includes("virtual:remix/inject-hmr-runtime"));
  expect(hotReload?.[1]).toContain(`nonce="${nonce}"`);
}, 60_000);

test("serves the browser's modules from the sources", async () => {
  const client = await fetch(`${host.url}/@vite/client`);
  expect(client.status).toBe(200);
  expect(client.headers.get("content-type")).toMatch(/javascript/);
  const component = await fetch(`${host.url}/app/components/auth-form.tsx`);
  expect(component.status).toBe(200);
  expect(await component.text()).toContain("Build agents and deploy models");
}, 60_000);

test("accepts the hot-reload socket on the host's own port", async () => {
  const { hostname, port } = new URL(host.url);
  const status = await new Promise<number>((resolve, reject) => {
    const req = request({
      hostname,
      port,
      path: "/",
      headers: {
        Connection: "Upgrade",
        Upgrade: "websocket",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Protocol": "vite-hmr",
      },
    });
    req.once("upgrade", (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.once("response", (res) => resolve(res.statusCode ?? 0));
    req.once("error", reject);
    req.end();
  });
  expect(status).toBe(101);
});

test("keeps the APIs as npm start serves them", async () => {
  expect((await fetch(`${host.url}/healthz`)).status).toBe(200);
  expect((await fetch(`${host.url}/api/trpc/auth.me`)).status).toBe(200);
  const models = await fetch(`${host.url}/v1/models`);
  expect(models.status).toBe(401);
});
