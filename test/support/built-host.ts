import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "#db/root";

/**
 * Builds Skyloom when no build exists, as `npm start` does (`npm test` builds before the unit
 * tests, so this only runs for a test started on its own in a fresh checkout).
 */
export function ensureBuild(): void {
  const root = projectRoot();
  if (existsSync(join(root, "build", "host", "main.js")) && existsSync(join(root, "build", "server", "index.js"))) return;
  const result = spawnSync("npm", ["run", "build"], { cwd: root, stdio: "inherit" });
  if (result.status !== 0) throw new Error("npm run build failed; see its output above.");
}

/** Signs a new person up over HTTP and returns their session cookie, ready for a Cookie header. */
export async function signUpOverHttp(url: string, email: string): Promise<string> {
  const response = await fetch(`${url}/api/trpc/auth.signup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password: "correct-horse-battery" }),
  });
  const setCookie = response.headers.get("set-cookie");
  if (response.status !== 200 || !setCookie) throw new Error(`Sign-up failed with ${response.status}: ${await response.text()}`);
  return setCookie.split(";")[0]!;
}
