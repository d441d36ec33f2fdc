import { spawnSync } from "node:child_process";

/**
 * A Linux network namespace joined to this machine by a veth pair with a private /24, for tests
 * of programs that must reach the host over a network rather than loopback. Needs root and
 * iproute2's `ip`; `netnsUnavailable()` says why not when they are missing, so a test can skip.
 * Names carry the creating process's id: a run that crashed left its namespace behind, and the
 * next run removes those whose process is gone (never a live run's).
 */
export type Netns = {
  name: string;
  /** The host's end of the veth pair. */
  hostAddress: string;
  /** The namespace's end. */
  nsAddress: string;
  /** argv prefix that runs a command inside the namespace. */
  exec: string[];
  remove(): void;
};

const PREFIX = "skyloomt";

function ip(args: string[]): { ok: boolean; out: string } {
  const r = spawnSync("ip", args, { encoding: "utf8" });
  return { ok: r.status === 0, out: `${r.stdout ?? ""}${r.stderr ?? ""}`.trim() };
}

function must(args: string[]): string {
  const r = ip(args);
  if (!r.ok) throw new Error(`ip ${args.join(" ")} failed: ${r.out}`);
  return r.out;
}

/** Null when namespaces can be made here; otherwise a one-line reason. */
export function netnsUnavailable(): string | null {
  if (process.platform !== "linux") return "network namespaces are Linux only";
  if (process.getuid?.() !== 0) return "creating a network namespace needs root";
  const probe = spawnSync("ip", ["netns", "list"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) return `iproute2's \`ip\` is missing or refuses netns (${probe.error?.message ?? probe.stderr.trim()})`;
  return null;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Removes namespaces and host-side veths a crashed earlier run of these tests left. */
export function removeStaleNetns(): void {
  for (const line of ip(["netns", "list"]).out.split("\n")) {
    const match = new RegExp(`^(${PREFIX}-(\\d+))\\b`).exec(line);
    if (match?.[1] && !alive(Number(match[2]))) ip(["netns", "delete", match[1]]);
  }
  for (const line of ip(["-o", "link", "show"]).out.split("\n")) {
    const match = new RegExp(`^\\d+: (${PREFIX.slice(0, 4)}h(\\d+))[@:]`).exec(line);
    if (match?.[1] && !alive(Number(match[2]))) ip(["link", "delete", match[1]]);
  }
}

/**
 * Creates the namespace and its veth pair, addresses 10.213.N.1 (host) and 10.213.N.2
 * (namespace), N from the process id: a range unlikely to be in use, and distinct for two runs
 * at once. Loopback is brought up inside too (a node's own model server listens there).
 */
export function createNetns(): Netns {
  const pid = process.pid;
  const name = `${PREFIX}-${pid}`;
  const hostIf = `${PREFIX.slice(0, 4)}h${pid}`.slice(0, 15);
  const nsIf = `${PREFIX.slice(0, 4)}n${pid}`.slice(0, 15);
  const subnet = `10.213.${pid % 250}`;
  const hostAddress = `${subnet}.1`;
  const nsAddress = `${subnet}.2`;
  const remove = () => {
    ip(["netns", "delete", name]);
    // Deleting the namespace deletes its end, and with it the pair; this is for a half-made one.
    ip(["link", "delete", hostIf]);
  };
  try {
    must(["netns", "add", name]);
    must(["link", "add", hostIf, "type", "veth", "peer", "name", nsIf]);
    must(["link", "set", nsIf, "netns", name]);
    must(["addr", "add", `${hostAddress}/24`, "dev", hostIf]);
    must(["link", "set", hostIf, "up"]);
    must(["-n", name, "addr", "add", `${nsAddress}/24`, "dev", nsIf]);
    must(["-n", name, "link", "set", nsIf, "up"]);
    must(["-n", name, "link", "set", "lo", "up"]);
  } catch (error) {
    remove();
    throw error;
  }
  return { name, hostAddress, nsAddress, exec: ["ip", "netns", "exec", name], remove };
}
