// vitest setup file (vitest.config.ts): every test fails on a console.error it did not declare
// with expectConsoleError() (test/support/console-errors.ts).
import { afterAll, afterEach, beforeEach } from "vitest";
import { consoleErrors } from "./console-errors";

const print = console.error.bind(console);
console.error = (...args: unknown[]) => {
  if (!consoleErrors.record(args)) print(...args);
};

beforeEach(() => consoleErrors.startTest());

afterEach(() => {
  const problems = consoleErrors.endTest();
  if (problems) throw new Error(problems);
});

afterAll(() => {
  const problems = consoleErrors.endFile();
  if (problems) throw new Error(`outside any one test: ${problems}`);
});
