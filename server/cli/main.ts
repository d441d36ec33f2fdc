import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { compileGraph, TARGET_IDS, type TargetId } from "#agents/compile/compile";
import { formatDiagnostic, type Diagnostic } from "#agents/compile/diagnostics";
import { validateGraph } from "#agents/compile/validate";
import { GRAPH_LIMITS, GraphDocSchema } from "#agents/graph/index";
import { NODE_USAGE, NodeUsageError, runNodeCommand } from "../marketplace/node/command";

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

compile prints the manifests of the chosen targets to stdout (several files are separated by
"---"), or with --out writes one file per manifest plus quote.json into DIR. With no --target,
every target is compiled. Exit codes: 0 ok, 1 the flow has errors, 2 bad usage or unreadable file.
node runs a compute node that joins a Skyloom marketplace (skyloom node --help for its options).`;

export class UsageError extends Error {
  override name = "UsageError";
}

const FlowFileSchema = z.object({
  name: z.string().trim().min(1, "The flow file needs a name").max(120),
  graph: GraphDocSchema,
});

export function readFlowFile(path: string): z.infer<typeof FlowFileSchema> {
  let text: string;
  try {
    if (statSync(path).size > GRAPH_LIMITS.maxBytes) throw new UsageError(`${path} is larger than ${GRAPH_LIMITS.maxBytes / 1024 / 1024} MB.`);
    text = readFileSync(path, "utf8");
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`Cannot read ${path}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${path} is not JSON: ${(error as Error).message}`);
  }
  const parsed = FlowFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new UsageError(`${path} is not a Skyloom flow file ({ name, graph }):\n${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
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
  let node: Awaited<ReturnType<typeof runNodeCommand>>;
  try {
    node = await runNodeCommand(argv.slice(1), (line) => io.stdout(`${line}\n`));
  } catch (error) {
    if (error instanceof NodeUsageError || (error instanceof TypeError && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS"))) {
      io.stderr(`skyloom node: ${error.message}\n\n${NODE_USAGE}\n`);
      return 2;
    }
    io.stderr(`skyloom node: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  await new Promise<void>((resolve) => {
    signals.once("SIGINT", resolve);
    signals.once("SIGTERM", resolve);
  });
  await node.stop();
  io.stdout("node stopped\n");
  return 0;
}
