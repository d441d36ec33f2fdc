/**
 * The process entry of `npm start` (bundled to build/host/main.js by server/build-host.mjs).
 * Prints where Skyloom listens and how to log in, and shuts down cleanly on a signal.
 */
import { ConfigError } from "./env";
import { DEMO_ACCOUNT, PortInUseError, startSkyloom } from "./index";

async function main(): Promise<void> {
  const started = Date.now();
  const skyloom = await startSkyloom(process.env);
  const mode = process.env.NODE_ENV ?? "development";
  console.log(`Skyloom is running at ${skyloom.url} (${mode} mode, started in ${Date.now() - started} ms)`);
  if (skyloom.services.config.seedDemo) {
    console.log(`Demo account: ${DEMO_ACCOUNT.email} / ${DEMO_ACCOUNT.password}`);
  }
  const stop = (signal: string) => {
    console.log(`${signal}: stopping Skyloom…`);
    skyloom.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", () => stop("SIGINT"));
  process.once("SIGTERM", () => stop("SIGTERM"));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof PortInUseError) console.error(error.message);
  else console.error("Skyloom could not start:", error);
  process.exit(1);
});
