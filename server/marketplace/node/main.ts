/**
 * The node program as its own process: `node --import tsx server/marketplace/node/main.ts
 * --kind provider --join URL --token T …` (the host's embedded nodes and the tests start it so),
 * or bundled as build/host/marketplace-node.js. `skyloom node` runs the same command.
 */
import { NODE_USAGE, NodeUsageError, runNodeCommand } from "./command";

try {
  const node = await runNodeCommand(process.argv.slice(2));
  const stop = () => void node.stop().finally(() => process.exit(0));
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
} catch (error) {
  if (error instanceof NodeUsageError) console.error(`skyloom node: ${error.message}\n\n${NODE_USAGE}`);
  else console.error(`skyloom node: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(error instanceof NodeUsageError ? 2 : 1);
}
