import { startBuiltServer } from "./server";

/** One Skyloom for the whole browser suite; specs that need a clean one start their own. */
export default async function globalSetup() {
  const server = await startBuiltServer();
  process.env.SKYLOOM_E2E_URL = server.url;
  return async () => {
    await server.stop();
  };
}
