import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type AddressInfo, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, test } from "vitest";
import { PortInUseError, startSkyloom } from "#server/index";
import { nodeVersionProblem, portProblem, requiredNodeRange } from "#server/preflight.mjs";

const root = join(import.meta.dirname, "..", "..");
let busy: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => (busy ? busy.close(resolve) : resolve(undefined)));
  busy = undefined;
});

/** Another program listening on a port of 127.0.0.1. */
async function occupyPort(): Promise<number> {
  busy = createServer();
  await new Promise<void>((resolve) => busy!.listen(0, "127.0.0.1", resolve));
  return (busy.address() as AddressInfo).port;
}

test("the Node check names the required and the found version when Node is too old", () => {
  const problem = nodeVersionProblem("v18.19.0", ">=20.19");
  expect(problem).toContain("Skyloom needs Node.js 20.19 or newer");
  expect(problem).toContain("this is Node.js 18.19.0");
  expect(nodeVersionProblem("v20.18.3", ">=20.19")).toContain("this is Node.js 20.18.3");
  expect(nodeVersionProblem("v20.9.0", ">=20.19")).not.toBeNull();
});

test("the Node check passes the required version and anything newer", () => {
  for (const version of ["v20.19.0", "v20.19.5", "v20.20.0", "v22.1.0", "v24.0.0"]) {
    expect(nodeVersionProblem(version, ">=20.19")).toBeNull();
  }
  // The Node running this test is one Skyloom supports, by package.json's own range.
  expect(requiredNodeRange()).toBe(">=20.19");
  expect(nodeVersionProblem(process.version, requiredNodeRange())).toBeNull();
});

test("the Node check refuses a range it does not understand rather than passing silently", () => {
  expect(() => nodeVersionProblem("v20.19.0", "^20.19 || >=22")).toThrow(/understands only/);
});

test("the port check says which port is taken and how to pick another; a free port passes", async () => {
  const port = await occupyPort();
  expect(await portProblem(String(port), "127.0.0.1")).toBe(
    `Port ${port} is in use (another Skyloom, or another program); set PORT=… to use another, e.g. PORT=3000 npm start.`,
  );
  await new Promise((resolve) => busy!.close(resolve));
  busy = undefined;
  expect(await portProblem(String(port), "127.0.0.1")).toBeNull();
  // PORT=0 picks a free port, and a malformed PORT is server/env.ts's to explain.
  expect(await portProblem("0", "127.0.0.1")).toBeNull();
  expect(await portProblem("not-a-port", "127.0.0.1")).toBeNull();
});

test("npm start on a taken port stops at once with one line, before building or starting anything", async () => {
  const port = await occupyPort();
  const dataDir = mkdtempSync(join(tmpdir(), "skyloom-preflight-"));
  try {
    const child = spawn(process.execPath, ["server/launch.mjs"], {
      cwd: root,
      env: { ...process.env, PORT: String(port), DATA_DIR: dataDir },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(`Port ${port} is in use (another Skyloom, or another program); set PORT=… to use another, e.g. PORT=3000 npm start.`);
    expect(stdout).toBe("");
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test("the host itself reports a taken port as PortInUseError with the same message", async () => {
  const port = await occupyPort();
  const dataDir = mkdtempSync(join(tmpdir(), "skyloom-preflight-"));
  try {
    const starting = startSkyloom({ DATA_DIR: dataDir, PORT: String(port), SEED_DEMO: "false", SKYLOOM_MARKETPLACE_NODES: "0" }, { pages: false });
    await expect(starting).rejects.toBeInstanceOf(PortInUseError);
    await expect(starting).rejects.toThrow(`Port ${port} is in use`);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
