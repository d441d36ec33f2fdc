import { fileURLToPath } from "node:url";
import { vitePlugin as remix } from "@remix-run/dev";
import tailwindcss from "@tailwindcss/vite";
import { defineConfig } from "vite";
import remixConfig from "./remix.config.js";

const dir = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export const aliases = {
  "#agents": dir("./agents"),
  "#app": dir("./app"),
  "#server": dir("./server"),
  "#db": dir("./db"),
};

export default defineConfig({
  plugins: [tailwindcss(), remix(remixConfig)],
  resolve: { alias: aliases },
  server: { port: 5173 },
});
