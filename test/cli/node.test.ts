import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JOIN_TOKEN, startMarket, type Market } from "../server/marketplace/support";

const BIN = join(process.cwd(), "bin/skyloom.mjs");
let market: Market;
beforeAll(async () => {
  market = await startMarket();
});
afterAll(async () => {
  await market.stop();
});

/** Runs the binary without blocking this process: the matchmaker it talks to lives here. */
function runBin(args: string[]): Promise<{ status: number | null; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.once("exit", (status) => resolve({ status, stderr })));
}

describe("skyloom node", () => {
  it("joins the marketplace with a token, keeps its identity in --state, and stops cleanly on SIGTERM", async () => {
    const state = join(mkdtempSync(join(tmpdir(), "skyloom-node-")), "node.json");
    const child = spawn(process.execPath, [BIN, "node", "--kind", "fizz", "--join", market.server.url, "--token", JOIN_TOKEN, "--name", "gaming-pc", "--gpu", "rtx4090:1", "--state", state], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const joined = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).on("line", (line) => {
        if (line.includes("joined as")) resolve(line);
      });
      child.once("exit", (code) => reject(new Error(`exited ${code}`)));
    });
    expect(joined).toMatch(/node gaming-pc joined as node_\S+ \(fizz, us-east, community3\); serving models from Skyloom's local development model/);
    const offers = await market.marketplace.listOffers();
    expect(offers).toEqual([expect.objectContaining({ name: "gaming-pc", kind: "fizz", gpus: [{ model: "rtx4090", count: 1 }] })]);
    expect(JSON.parse(readFileSync(state, "utf8")).nodeId).toBe(offers[0]?.nodeId);
    expect(statSync(state).mode & 0o777).toBe(0o600);
    const code = await new Promise<number | null>((resolve) => {
      child.once("exit", resolve);
      child.kill("SIGTERM");
    });
    expect(code).toBe(0);
  }, 60_000);

  it("says what to fix for bad usage and a forged token", async () => {
    const bad = await runBin(["node", "--kind", "laptop", "--join", market.server.url]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--kind is provider or fizz.");
    const forged = await runBin(["node", "--kind", "provider", "--join", market.server.url, "--token", "forged"]);
    expect(forged.status).toBe(1);
    expect(forged.stderr).toContain("The join token is not valid for this marketplace");
  }, 60_000);
});
