import { existsSync } from "node:fs";
import type { Server } from "node:http";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { ServerBuild } from "@remix-run/node";
import express, { type RequestHandler } from "express";

/**
 * Where the host's Remix pages come from: the build (`npm start`) or, in development, Vite's
 * dev server with hot reload (`npm run dev`; docs/decisions/021).
 */
export type PageSource = {
  /** Serves what the browser loads besides pages: build/client, or Vite's modules and public/. */
  assets: RequestHandler[];
  /** The Remix server build, or a loader of the current one (Vite rebuilds it on every change). */
  build: ServerBuild | (() => Promise<ServerBuild>);
  close(): Promise<void>;
};

/** Pages from `npm run build`'s output (build/server and build/client). */
export async function builtPages(root: string): Promise<PageSource> {
  const serverBuildPath = join(root, "build", "server", "index.js");
  if (!existsSync(serverBuildPath)) {
    throw new Error(`No app build at ${serverBuildPath}; run \`npm run build\` (npm start does this for you).`);
  }
  const build = (await import(pathToFileURL(serverBuildPath).href)) as ServerBuild;
  const clientDir = join(root, "build", "client");
  return {
    assets: [express.static(join(clientDir, "assets"), { immutable: true, maxAge: "1y" }), express.static(clientDir, { maxAge: "1h" })],
    build,
    close: async () => {},
  };
}

/**
 * Pages from Vite's dev server in middleware mode: every request loads the current server
 * build, and the browser's hot-reload socket shares the host's port (`httpServer`), so the
 * page's `connect-src 'self'` covers it. Vite is a dev dependency: only this imports it.
 */
export async function vitePages(root: string, httpServer: Server): Promise<PageSource> {
  const { createServer } = await import("vite");
  const vite = await createServer({
    root,
    configFile: join(root, "vite.config.ts"),
    appType: "custom",
    server: { middlewareMode: true, hmr: { server: httpServer } },
  });
  return {
    assets: [vite.middlewares],
    build: () => vite.ssrLoadModule("virtual:remix/server-build") as Promise<ServerBuild>,
    close: () => vite.close(),
  };
}
