// The Remix app options. vite.config.ts passes this object to the Remix Vite plugin; see
// docs/decisions/001-remix-config-and-vite-config.md for why the two files exist.

/** @type {import("@remix-run/dev").VitePluginConfig} */
const remixConfig = {
  appDirectory: "app",
  buildDirectory: "build",
  serverModuleFormat: "esm",
  ignoredRouteFiles: ["**/*.test.*", "**/.*"],
  future: {
    v3_fetcherPersist: true,
    v3_relativeSplatPath: true,
    v3_throwAbortReason: true,
    v3_lazyRouteDiscovery: true,
    v3_singleFetch: true,
  },
};

export default remixConfig;
