import { format } from "node:util";

/**
 * Unexpected `console.error` calls fail the test that made them (docs/decisions/021): an error
 * log in a passing test is either a bug the test missed or noise that hides the next real one.
 * vitest.config.ts runs test/support/fail-on-console-error.ts in every test file, which sends
 * console.error through `consoleErrors`; a test that means to provoke a logged error declares it
 * with expectConsoleError().
 */

type Expectation = { pattern: RegExp; seen: number };
type Scope = { expected: Expectation[]; unexpected: string[] };

export class ConsoleErrorLog {
  private readonly file: Scope = { expected: [], unexpected: [] };
  private test: Scope | null = null;

  /** See expectConsoleError. */
  expect(pattern: RegExp): void {
    (this.test ?? this.file).expected.push({ pattern, seen: 0 });
  }

  /** Takes one console.error call; true when it was declared (and so is kept out of the output). */
  record(args: unknown[]): boolean {
    const text = format(...args);
    const expectation = [...(this.test?.expected ?? []), ...this.file.expected].find((e) => e.pattern.test(text));
    if (expectation) {
      expectation.seen += 1;
      return true;
    }
    (this.test ?? this.file).unexpected.push(text);
    return false;
  }

  startTest(): void {
    this.test = { expected: [], unexpected: [] };
  }

  /** What the test that just ended logged against its declarations, as one message; null when all is well. */
  endTest(): string | null {
    const scope = this.test;
    this.test = null;
    return scope ? problemsOf(scope) : null;
  }

  /** The same for what was logged outside tests (hooks, late callbacks) and the file-wide declarations. */
  endFile(): string | null {
    const problems = problemsOf(this.file);
    this.file.expected = [];
    this.file.unexpected = [];
    return problems;
  }
}

export const consoleErrors = new ConsoleErrorLog();

/**
 * Declares that an error matching `pattern` is logged: such calls stay out of the output, and
 * the check fails if none was logged. Inside a test it covers that test; called in beforeAll
 * or at the top of a file, it covers the whole file (for the logs of a server its tests share).
 */
export function expectConsoleError(pattern: RegExp): void {
  consoleErrors.expect(pattern);
}

function problemsOf(scope: Scope): string | null {
  const problems = [
    ...scope.unexpected.map((text) => `unexpected console.error (if the test provokes it, declare it with expectConsoleError(/…/)):\n  ${firstLines(text)}`),
    ...scope.expected.filter((e) => e.seen === 0).map((e) => `expected a console.error matching ${e.pattern}, and none was logged`),
  ];
  return problems.length > 0 ? problems.join("\n") : null;
}

function firstLines(text: string): string {
  const lines = text.split("\n");
  const shown = lines.length > 8 ? [...lines.slice(0, 8), `… (${lines.length - 8} more lines)`] : lines;
  return shown.join("\n  ");
}
