import { tmpdir } from "node:os";
import { expect } from "vitest";
import { projectRoot } from "#db/root";

/** Marks of server internals that no answer may carry: stack frames, file paths, packages. */
const INTERNALS: Array<[string, RegExp]> = [
  ["a stack frame", /\bat (?:async )?[\w$.<>[\] ]+ \(/],
  ["a stack frame", /(?:^|\n|&nbsp;|<br>)\s*at [^\n]*:\d+:\d+/],
  ["a file URL", /file:\/\//],
  ["node_modules", /node_modules/],
  ["the project's folder", new RegExp(escape(projectRoot()))],
  ["the temporary folder", new RegExp(escape(tmpdir()) + "/")],
  ["a /work/ path", /\/work\//],
  ["a JavaScript error name", /\b(?:URIError|TypeError|ReferenceError|SqliteError)\b/],
];

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Fails naming what leaked and where, so a failure reads as the bug it is. */
export function expectNoInternals(body: string, where: string): void {
  for (const [what, pattern] of INTERNALS) {
    const match = pattern.exec(body);
    expect(match, `${where} answers with ${what}: …${match ? body.slice(Math.max(0, match.index - 80), match.index + 120) : ""}…`).toBeNull();
  }
}
