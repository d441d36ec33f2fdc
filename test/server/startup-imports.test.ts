import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { hostBundleOptions } from "#server/package-imports.mjs";

/**
 * The host bundles as `npm run build` does (server/build-host.mjs) and the packages it imports
 * at start are read from esbuild's metafile: the heavy libraries an agent run needs must be
 * imported when first used (`import()`), never by a top-level import, or every start pays for them.
 */
const LOADED_ON_FIRST_USE = [/^@langchain\//, /^langchain(\/|$)/, /^quickjs-emscripten/];

describe("the host's start", () => {
  it("imports LangChain and QuickJS only when a run first needs them", async () => {
    const result = await build({
      entryPoints: ["server/main.ts"],
      outfile: "host.js",
      ...hostBundleOptions(),
      write: false,
      metafile: true,
      logLevel: "silent",
    });
    const imports = Object.values(result.metafile.outputs).flatMap((o) => o.imports);
    const atStart = imports.filter((i) => i.kind === "import-statement").map((i) => i.path);
    const onFirstUse = imports.filter((i) => i.kind === "dynamic-import").map((i) => i.path);

    expect(atStart.filter((path) => LOADED_ON_FIRST_USE.some((p) => p.test(path)))).toEqual([]);
    // …and LangChain is still reachable, through import(). QuickJS is in no part of the host's
    // bundle: it runs only in the sandbox worker, a bundle of its own (docs/decisions/010).
    expect(onFirstUse).toEqual(expect.arrayContaining(["@langchain/openai", "@langchain/core/messages"]));
    expect([...atStart, ...onFirstUse].filter((path) => path.startsWith("quickjs-emscripten"))).toEqual([]);
  }, 60_000);
});
