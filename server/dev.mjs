// `npm run dev`: the host from its sources (through tsx, as the `skyloom` command loads them),
// with the pages from Vite's dev server: a change under app/ shows in the browser at once (hot
// reload); a change under server/, db/ or agents/ code the host runs takes a restart. The
// gateway, tRPC and everything else run as `npm start` runs them (docs/decisions/021).
import { register } from "tsx/esm/api";
import { exitIfNodeTooOld, portProblem } from "./preflight.mjs";

exitIfNodeTooOld();
process.env.NODE_ENV = "development";

const portTaken = await portProblem(process.env.PORT, process.env.HOST || "127.0.0.1");
if (portTaken) {
  console.error(portTaken);
  process.exit(1);
}

register();
await import("./main.ts");
