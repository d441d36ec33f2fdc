import { afterAll, beforeAll, expect, test } from "vitest";
import { NOTHING_POLICY } from "#server/http/security-headers";
import { startBuiltServer, type StartedServer } from "../e2e/support/server";
import { ensureBuild, signUpOverHttp } from "../support/built-host";

let host: StartedServer;
let cookie: string;

beforeAll(async () => {
  ensureBuild();
  host = await startBuiltServer({ NODE_ENV: undefined, SEED_DEMO: "false" });
  cookie = await signUpOverHttp(host.url, "csp@example.com");
}, 300_000);

afterAll(async () => {
  await host?.stop();
});

type Page = { policy: Map<string, string[]>; nonce: string; html: string };

async function page(path: string, headers: Record<string, string> = {}): Promise<Page> {
  const response = await fetch(`${host.url}${path}`, { headers });
  const header = response.headers.get("content-security-policy");
  expect(header, `${path} has no Content-Security-Policy`).toMatch(/default-src 'self'/);
  const policy = new Map(
    header!.split(";").map((directive) => {
      const [name, ...values] = directive.trim().split(/\s+/);
      return [name!, values] as const;
    }),
  );
  const nonce = /'nonce-([A-Za-z0-9+/=]+)'/.exec(policy.get("script-src")?.join(" ") ?? "")?.[1];
  // 128 random bits in base64.
  expect(nonce, `${path}: script-src has no nonce`).toMatch(/^[A-Za-z0-9+/]{22}={0,2}$/);
  return { policy, nonce: nonce!, html: await response.text() };
}

/** Every inline <script> (no src) of a page, with its nonce attribute. */
function inlineScripts(html: string): Array<{ nonce: string | undefined; start: string }> {
  return [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)]
    .filter(([, attrs]) => !/\ssrc=/.test(attrs!))
    .map(([, attrs, body]) => ({ nonce: /\snonce="([^"]*)"/.exec(attrs!)?.[1], start: body!.slice(0, 60) }));
}

test.each([
  ["the login page", "/login", false],
  ["the dashboard", "/", true],
  ["a page that does not exist", "/no-such-page", true],
])("%s carries the page policy, and its nonce is on every inline script", async (_name, path, loggedIn) => {
  const { policy, nonce, html } = await page(path, loggedIn ? { cookie } : {});
  expect(policy.get("script-src")).toEqual(["'self'", `'nonce-${nonce}'`]);
  expect(policy.get("default-src")).toEqual(["'self'"]);
  expect(policy.get("object-src")).toEqual(["'none'"]);
  expect(policy.get("frame-ancestors")).toEqual(["'none'"]);
  expect(policy.get("base-uri")).toEqual(["'self'"]);
  const scripts = inlineScripts(html);
  // Remix's context, its module loader, scroll restoration and the streamed loader data.
  expect(scripts.length).toBeGreaterThanOrEqual(4);
  for (const script of scripts) expect(script.nonce, `inline script without this page's nonce: ${script.start}`).toBe(nonce);
});

test("each page gets a new nonce", async () => {
  const nonces = new Set<string>();
  for (let i = 0; i < 5; i++) nonces.add((await page("/login")).nonce);
  expect(nonces.size).toBe(5);
  expect(Buffer.from([...nonces][0]!, "base64")).toHaveLength(16);
});

test("answers that are not pages forbid everything; the /v1 API as well", async () => {
  for (const path of ["/healthz", "/embed.js", "/api/trpc/auth.me", "/v1/models"]) {
    const response = await fetch(`${host.url}${path}`);
    expect(response.headers.get("content-security-policy"), path).toBe(NOTHING_POLICY);
    expect(response.headers.get("x-content-type-options"), path).toBe("nosniff");
    expect(response.headers.get("x-frame-options"), path).toBe("DENY");
  }
});
