import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { compileGraph, TARGET_IDS, type TargetId } from "#agents/compile/compile";
import { formatDiagnostic, type Diagnostic } from "#agents/graph/diagnostics";
import { validateGraph } from "#agents/compile/validate";
import { blockRegistry } from "#agents/blocks/index";
import { formatMegabytes, GRAPH_LIMITS, parseFlowFile, type FlowFile } from "#agents/graph/index";
import { NODE_USAGE, NodeUsageError, runNodeCommand } from "../marketplace/node/command";
import { importCommand } from "./import-command";

/**
 * `skyloom compile` and `skyloom validate`: the compiler for CI pipelines. Needs no server or
 * database; reads a flow file ({ name, graph }, as the editor exports it), writes manifests
 * to stdout or a folder, and exits 1 with the diagnostics on stderr when the flow is invalid.
 */
export type Io = { stdout: (s: string) => void; stderr: (s: string) => void };

const USAGE = `Usage:
  skyloom node --kind provider|fizz --join URL --token TOKEN [--serve-openai URL] [--gpu MODEL:COUNT]...
  skyloom validate <flow.json>
  skyloom compile <flow.json> [--target ${TARGET_IDS.join("|")}]... [--out DIR]
                  [--akash-denom usdc|uakt] [--uakt-per-spon N]
  skyloom import <file>   (a Flowise, Langflow or Dify export, or a Skyloom flow file)

compile prints the manifests of the chosen targets to stdout (several files are separated by
"---"), or with --out writes one file per manifest plus quote.json into DIR. With no --target,
every target is compiled. import prints the Skyloom flow file to stdout and the report of
what was mapped, left as placeholder notes or not imported (secrets) to stderr; nothing in the
file is run. Exit codes: 0 ok, 1 the flow has errors or the file is refused, 2 bad usage or
unreadable file. node runs a compute node that joins a Skyloom marketplace (skyloom node --help
for its options).`;

export class UsageError extends Error {
  override name = "UsageError";
}

/**
 * Reads a flow file with the kernel's parser (the editor's and the server's too): the same size
 * and depth limits, safe JSON, any graph format this build knows, nodes upgraded to their
 * block's current version. Unknown block types pass here; `validate` reports them (E101).
 */
export function readFlowFile(path: string): FlowFile {
  let text: string;
  try {
    // Refused before reading, so a huge file is never loaded; parseFlowFile checks the text too.
    const bytes = statSync(path).size;
    if (bytes > GRAPH_LIMITS.maxBytes) {
      throw new UsageError(`${path} is ${formatMegabytes(bytes)}; a flow file is at most ${formatMegabytes(GRAPH_LIMITS.maxBytes)}.`);
    }
    text = readFileSync(path, "utf8");
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`Cannot read ${path}: ${(error as Error).message}`);
  }
  const read = parseFlowFile(text, blockRegistry);
  if (!read.ok) throw new UsageError(`${path}: ${read.message}${read.details.map((d) => `\n  ${d}`).join("")}`);
  return read.file;
}

function report(io: Io, diagnostics: readonly Diagnostic[]): boolean {
  for (const d of diagnostics) io.stderr(`${d.severity}: ${formatDiagnostic(d)}\n`);
  return diagnostics.some((d) => d.severity === "error");
}

function validateCommand(file: string, io: Io): number {
  const flow = readFlowFile(file);
  if (report(io, validateGraph(flow.graph))) return 1;
  io.stdout(`${basename(file)}: "${flow.name}" is valid (${flow.graph.nodes.length} blocks).\n`);
  return 0;
}

function compileCommand(file: string, values: Record<string, unknown>, io: Io): number {
  const requested = ((values.target as string[] | undefined) ?? []).flatMap((t) => t.split(","));
  for (const t of requested) {
    if (!(TARGET_IDS as readonly string[]).includes(t)) throw new UsageError(`Unknown target "${t}"; use ${TARGET_IDS.join(", ")}.`);
  }
  const targets = (requested.length > 0 ? [...new Set(requested)] : [...TARGET_IDS]) as TargetId[];
  const denom = (values["akash-denom"] as string | undefined) ?? "usdc";
  if (denom !== "usdc" && denom !== "uakt") throw new UsageError(`--akash-denom is usdc or uakt, not "${denom}".`);
  const rateText = values["uakt-per-spon"] as string | undefined;
  const rate = rateText === undefined ? undefined : Number(rateText);
  if (rate !== undefined && !(rate > 0)) throw new UsageError("--uakt-per-spon is a positive number.");
  if (denom === "uakt" && targets.includes("akash-sdl") && rate === undefined) {
    throw new UsageError("Pricing Akash in uakt needs --uakt-per-spon (how many uakt one SPON is worth).");
  }

  const flow = readFlowFile(file);
  const result = compileGraph(flow.graph, { name: flow.name }, {
    targets,
    akashDenom: denom,
    ...(rate !== undefined ? { uaktPerSpon: rate } : {}),
    source: basename(file),
  });
  if (report(io, result.diagnostics) || !result.ok) return 1;

  const files = targets.flatMap((t) => result.manifests[t] ?? []);
  const out = values.out as string | undefined;
  if (out === undefined) {
    io.stdout(files.map((f) => f.content).join("---\n"));
    return 0;
  }
  const dir = resolve(out);
  mkdirSync(dir, { recursive: true });
  for (const f of files) {
    writeFileSync(join(dir, f.fileName), f.content);
    io.stderr(`wrote ${join(out, f.fileName)}\n`);
  }
  writeFileSync(join(dir, "quote.json"), `${JSON.stringify(result.quote, null, 2)}\n`);
  io.stderr(`wrote ${join(out, "quote.json")} (${result.quote?.totalPerHour} SPON/hour, escrow ${result.quote?.escrow} SPON)\n`);
  return 0;
}

/** Runs the CLI with the given arguments and returns the exit code (never calls process.exit). */
export function runCli(argv: readonly string[], io: Io): number {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        target: { type: "string", short: "t", multiple: true },
        out: { type: "string", short: "o" },
        "akash-denom": { type: "string" },
        "uakt-per-spon": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
    const [command, file, ...rest] = positionals;
    if (values.help || command === undefined) {
      io.stdout(`${USAGE}\n`);
      return values.help ? 0 : 2;
    }
    if (file === undefined) throw new UsageError(`${command} needs a flow file.`);
    if (rest.length > 0) throw new UsageError(`Unexpected arguments: ${rest.join(" ")}`);
    if (command === "validate") return validateCommand(file, io);
    if (command === "compile") return compileCommand(file, values, io);
    if (command === "import") return importCommand(file, io, (message) => new UsageError(message));
    throw new UsageError(`Unknown command "${command}".`);
  } catch (error) {
    if (error instanceof UsageError || (error instanceof TypeError && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS"))) {
      io.stderr(`skyloom: ${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    throw error;
  }
}

/**
 * Every command, as the `skyloom` binary runs them: `node` runs until SIGINT or SIGTERM (then
 * stops its leases' servers and resolves 0); the others are runCli's.
 */
export async function runCommand(argv: readonly string[], io: Io, signals: NodeJS.EventEmitter = process): Promise<number> {
  if (argv[0] !== "node") return runCli(argv, io);
  if (argv.includes("--help") || argv.includes("-h")) {
    io.stdout(`${NODE_USAGE}\n`);
    return 0;
  }
  // Listening before the node starts: a SIGTERM that lands while it joins (or right after its
  // "joined as" line) stops it cleanly instead of killing the process with the default action.
  let onSignal = (): void => undefined;
  const stopRequested = new Promise<void>((resolve) => (onSignal = resolve));
  signals.once("SIGINT", onSignal);
  signals.once("SIGTERM", onSignal);
  let node: Awaited<ReturnType<typeof runNodeCommand>>;
  try {
    node = await runNodeCommand(argv.slice(1), (line) => io.stdout(`${line}\n`));
  } catch (error) {
    signals.off("SIGINT", onSignal);
    signals.off("SIGTERM", onSignal);
    if (error instanceof NodeUsageError || (error instanceof TypeError && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS"))) {
      io.stderr(`skyloom node: ${error.message}\n\n${NODE_USAGE}\n`);
      return 2;
    }
    io.stderr(`skyloom node: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  await stopRequested;
  signals.off("SIGINT", onSignal);
  signals.off("SIGTERM", onSignal);
  await node.stop();
  io.stdout("node stopped\n");
  return 0;
}
