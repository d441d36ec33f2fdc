#!/usr/bin/env node
// The `skyloom` command (package.json "bin"). The compiler is TypeScript shared with the app,
// so this loads it through tsx's ESM hooks; nothing else (no server, no database) starts.
// `skyloom node` runs a marketplace node until SIGINT/SIGTERM.
import { register } from "tsx/esm/api";

register();
const { runCommand } = await import("../server/cli/main.ts");
process.exitCode = await runCommand(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
});
