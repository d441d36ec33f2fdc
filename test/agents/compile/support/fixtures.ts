import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { GraphDocSchema } from "#agents/graph/index";

/** The fixture flows under test/fixtures/compile, each a `{ name, graph }` flow file. */
export const FIXTURE_ROOT = join(process.cwd(), "test/fixtures/compile");

export function loadFixture(name: string) {
  const raw = JSON.parse(readFileSync(join(FIXTURE_ROOT, name, "flow.json"), "utf8")) as { name: string; graph: unknown };
  return { name: raw.name, graph: GraphDocSchema.parse(raw.graph) };
}

export const FIXTURES = readdirSync(FIXTURE_ROOT, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();
