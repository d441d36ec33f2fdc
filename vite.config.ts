import { vitePlugin as remix } from "@remix-run/dev";
import tailwindcss from "@tailwindcss/vite";
import { defineConfig } from "vite";
import remixConfig from "./remix.config.js";

// The #agents/*, #app/*, #server/* and #db/* imports resolve through package.json "imports",
// which Vite (and so vitest) reads natively: no aliases here (docs/decisions/021).
export default defineConfig({
  plugins: [tailwindcss(), remix(remixConfig)],
  server: { port: 5173 },
});
