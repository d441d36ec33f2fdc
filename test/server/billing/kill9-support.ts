/**
 * What random-flows-kill9.test.ts drives: a Skyloom host in its own process that can be killed
 * with SIGKILL and started again on the same data folder (host-process.ts), its APIs as a
 * person and an API client reach them (tRPC over HTTP with a session cookie, the official
 * openai SDK on /v1), and a seeded random generator.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createTRPCClient, httpLink } from "@trpc/client";
import OpenAI from "openai";
import type { AppRouter } from "#server/trpc/root";
import { signUpOverHttp } from "../../support/built-host";

/** A loaded machine can take this long to start a Skyloom (see test/e2e/support/server.ts). */
const START_TIMEOUT_MS = 90_000;

export type HostHealth = { status: string; billing: { status: string; processedBlock: number; headBlock: number; error: string | null } };

/** The host process: start, kill -9, start again on the same DATA_DIR, stop. */
export class KillableHost {
  url = "";
  starts = 0;
  private child: ChildProcess | undefined;
  private output = "";
  private expectingExit = false;
  private diedOnItsOwn: string | undefined;

  constructor(private readonly env: Record<string, string>) {}

  async start(): Promise<void> {
    const script = fileURLToPath(new URL("./host-process.ts", import.meta.url));
    const child = spawn(process.execPath, ["--import", "tsx", script], { env: { ...process.env, ...this.env }, stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    this.expectingExit = false;
    const keep = (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-20_000));
    child.stdout!.on("data", keep);
    child.stderr!.on("data", keep);
    child.once("exit", (code, signal) => {
      if (!this.expectingExit) this.diedOnItsOwn = `the host exited on its own (code ${code}, signal ${signal}); its last output:\n${this.output}`;
    });
    this.url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the host did not start in ${START_TIMEOUT_MS / 1000} s:\n${this.output}`)), START_TIMEOUT_MS);
      const onData = () => {
        const url = /\{"url":"([^"]+)"\}/.exec(this.output)?.[1];
        if (!url) return;
        clearTimeout(timer);
        child.stdout!.off("data", onData);
        resolve(url);
      };
      child.stdout!.on("data", onData);
      child.once("exit", () => {
        clearTimeout(timer);
        reject(new Error(`the host exited while starting:\n${this.output}`));
      });
    });
    this.output = "";
    this.starts += 1;
  }

  /** kill -9: no shutdown code runs; whatever SQLite had not committed is gone. */
  async kill(): Promise<void> {
    await this.signal("SIGKILL");
  }

  /** A clean stop (SIGTERM): the host stores what it holds and closes the database. */
  async stop(): Promise<void> {
    await this.signal("SIGTERM");
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    this.expectingExit = true;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill(signal);
    await exited;
  }

  /** Throws with the host's output when it died without being asked to. */
  assertAlive(): void {
    if (this.diedOnItsOwn) throw new Error(this.diedOnItsOwn);
  }

  async health(): Promise<HostHealth> {
    this.assertAlive();
    return (await (await fetch(`${this.url}/healthz`)).json()) as HostHealth;
  }
}

/** One person of a team, reaching the host over HTTP as a browser does (the cookie survives restarts: sessions are stored). */
export class Person {
  private cookie = "";
  private client: { url: string; trpc: ReturnType<typeof trpcClient> } | undefined;

  constructor(
    private readonly host: KillableHost,
    readonly email: string,
  ) {}

  async signUp(): Promise<void> {
    this.cookie = await signUpOverHttp(this.host.url, this.email);
  }

  /** tRPC for the host as it runs now (its port changes at every start). */
  get trpc(): ReturnType<typeof trpcClient> {
    if (this.client?.url !== this.host.url) this.client = { url: this.host.url, trpc: trpcClient(this.host.url, this.cookie) };
    return this.client.trpc;
  }
}

function trpcClient(url: string, cookie: string) {
  return createTRPCClient<AppRouter>({ links: [httpLink({ url: `${url}/api/trpc`, headers: { cookie } })] });
}

/** The official openai SDK on the host's /v1, without retries: every status is seen as sent. */
export const openaiFor = (host: KillableHost, apiKey: string): OpenAI => new OpenAI({ apiKey, baseURL: `${host.url}/v1`, maxRetries: 0, timeout: 60_000 });

/** Polls `check` until it returns true (every 10 ms); fails with `what` after `timeoutMs`. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A small seeded generator (mulberry32), so a failing sequence replays with SEED. */
export function seededRandom(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return {
    int,
    chance: (p: number) => next() < p,
    pick: <T>(xs: readonly T[]): T => xs[int(xs.length)]!,
    /** 1 … max wei, spread evenly. */
    wei: (max: bigint) => (BigInt(int(2 ** 30)) * max) / 2n ** 30n + 1n,
    /** Picks by weight: `[[weight, value], …]`. */
    weighted: <T>(choices: readonly (readonly [number, T])[]): T => {
      let r = next() * choices.reduce((sum, [w]) => sum + w, 0);
      for (const [w, value] of choices) if ((r -= w) < 0) return value;
      return choices.at(-1)![1];
    },
  };
}
export type Random = ReturnType<typeof seededRandom>;
