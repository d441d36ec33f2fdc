import { expect, test } from "vitest";
import { mapImport } from "#server/package-imports.mjs";

// What the esbuild plugin (server/package-imports.mjs) does with package.json "imports".
test("maps an exact key first, then a * pattern to its default target, as Node reads them", () => {
  expect(mapImport("#db/schema")).toBe("./db/schema/index.ts");
  expect(mapImport("#db/client")).toBe("./db/client");
  expect(mapImport("#agents/blocks/index.server")).toBe("./agents/blocks/index.server");
  expect(mapImport("#server/preflight.mjs")).toBe("./server/preflight.mjs");
  expect(mapImport("#nothing/here")).toBeNull();
});
