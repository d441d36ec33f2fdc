import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { BLOCKS, blockRegistry, memoryKeysOf } from "#agents/blocks/index";
import { graphOf } from "../runtime/support";

const ROOT = join(import.meta.dirname, "../../..");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "node_modules" ? [] : sourceFiles(path);
    return /\.(ts|tsx|mjs)$/.test(name) ? [path] : [];
  });
}

describe("block roles", () => {
  it("each role is declared by the blocks that play it", () => {
    const withRole = (role: Parameters<typeof blockRegistry.hasRole>[1]) => BLOCKS.filter((b) => blockRegistry.hasRole(b.type, role)).map((b) => b.title);
    expect(withRole("chatInput")).toEqual(["Chat Input"]);
    expect(withRole("chatOutput")).toEqual(["Chat Output"]);
    expect(withRole("memory")).toEqual(["Conversation Memory"]);
    expect(withRole("modelEndpoint")).toEqual(["Model Endpoint"]);
    expect(blockRegistry.hasRole("no.such-block", "chatOutput")).toBe(false);
  });

  it("memory keys come from the memory role: the configured key, else the node id, shared keys once", () => {
    const graph = graphOf(
      [
        { id: "a", type: "memory.conversation", config: { key: "shared" } },
        { id: "b", type: "memory.conversation", config: { key: "shared" } },
        { id: "c", type: "memory.conversation" },
        { id: "bad", type: "memory.conversation", config: { key: "not a key!" } },
        { id: "other", type: "io.chat-input" },
      ],
      [],
    );
    expect(memoryKeysOf(graph, blockRegistry)).toEqual(["shared", "c"]);
  });

  it("no code outside a block's folder and the registry names a block type", () => {
    const types = BLOCKS.map((b) => b.type);
    const quoted = new RegExp(`["'\`](${types.map((t) => t.replace(".", "\\.")).join("|")})["'\`]`);
    const allowed = (path: string) =>
      /^agents\/blocks\/[a-z-]+\//.test(path) || path === "agents/blocks/index.ts" || path === "agents/blocks/index.server.ts";
    const offenders = ["agents", "server", "app", "bin", "scripts"]
      .flatMap((dir) => sourceFiles(join(ROOT, dir)))
      .map((file) => relative(ROOT, file))
      .filter((path) => !allowed(path))
      .filter((path) => quoted.test(readFileSync(join(ROOT, path), "utf8")));
    expect(offenders).toEqual([]);
  });
});
