import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { newestSource, rebuildReason, rebuildReasonAt } from "#server/build-freshness.mjs";

const BUILD = [
  { path: "build/server/index.js", mtimeMs: 2_000 },
  { path: "build/host/main.js", mtimeMs: 2_500 },
];

describe("whether npm start builds first", () => {
  test("builds when a build output is missing", () => {
    expect(rebuildReason([BUILD[0]!, { path: "build/host/main.js", mtimeMs: null }], { path: "app/root.tsx", mtimeMs: 1_000 })).toBe(
      "no build yet (build/host/main.js is missing)",
    );
  });

  test("builds when a source changed after the older of the build's outputs", () => {
    // The app build finished at 2000 and the host at 2500: a change at 2200 is in neither for sure.
    expect(rebuildReason(BUILD, { path: "agents/graph/doc.ts", mtimeMs: 2_200 })).toBe("agents/graph/doc.ts changed after the last build");
  });

  test("serves the build when every source is older", () => {
    expect(rebuildReason(BUILD, { path: "app/root.tsx", mtimeMs: 1_999 })).toBeNull();
    expect(rebuildReason(BUILD, null)).toBeNull();
  });
});

describe("the newest source of a checkout", () => {
  let root: string | undefined;
  afterEach(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  /** Writes `files` (path → modification time in seconds) under a fresh folder. */
  function checkout(files: Record<string, number>): string {
    root = mkdtempSync(join(tmpdir(), "skyloom-freshness-"));
    for (const [path, seconds] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), "");
      utimesSync(join(root, path), seconds, seconds);
    }
    return root;
  }

  test("is the most recently changed file under the folders and files the build reads", () => {
    const dir = checkout({ "app/root.tsx": 100, "agents/graph/doc.ts": 300, "vite.config.ts": 200, "docs/notes.md": 900, "test/x.test.ts": 900 });
    expect(newestSource(dir)).toEqual({ path: "agents/graph/doc.ts", mtimeMs: 300_000 });
  });

  test("leaves out what is read at run time rather than built: migrations, the launchers", () => {
    const dir = checkout({ "server/index.ts": 100, "db/migrations/0009_new.sql": 900, "server/launch.mjs": 900, "server/dev.mjs": 900 });
    expect(newestSource(dir)?.path).toBe("server/index.ts");
  });

  test("a pull that changes a source after the build asks for a rebuild, and the rebuild settles it", () => {
    const dir = checkout({ "app/root.tsx": 100, "build/server/index.js": 200, "build/host/main.js": 200 });
    expect(rebuildReasonAt(dir)).toBeNull();
    utimesSync(join(dir, "app/root.tsx"), 300, 300);
    expect(rebuildReasonAt(dir)).toBe("app/root.tsx changed after the last build");
    utimesSync(join(dir, "build/server/index.js"), 400, 400);
    utimesSync(join(dir, "build/host/main.js"), 400, 400);
    expect(rebuildReasonAt(dir)).toBeNull();
  });
});
