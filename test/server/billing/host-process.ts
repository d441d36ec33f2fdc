/**
 * A Skyloom host in its own process, as `npm start` composes it (billing on, the chain given by
 * CHAIN_RPC_URL and the contract addresses in the environment), without the Remix pages, so
 * random-flows-kill9.test.ts can kill -9 it and start it again on the same data folder:
 * `node --import tsx host-process.ts` with DATA_DIR, CHAIN_* … set. Prints `{"url": …}` once it
 * listens; SIGTERM stops it cleanly.
 */
import { startSkyloom } from "#server/index";

const skyloom = await startSkyloom(process.env, { pages: false });
console.log(JSON.stringify({ url: skyloom.url.replace("localhost", "127.0.0.1") }));
process.once("SIGTERM", () => {
  void skyloom.close().finally(() => process.exit(0));
});
