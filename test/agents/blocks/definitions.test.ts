import { describe, expect, test } from "vitest";
import { z } from "zod";
import { BLOCKS, blockRegistry, defaultConfig, parseBlockConfig } from "#agents/blocks/index";
import { createBlockRegistry, DuplicateBlockTypeError } from "#agents/blocks/registry";

/** Walks every registered block: the promises each definition makes to the canvas and compiler. */
describe.each(BLOCKS.map((b) => [b.type, b] as const))("block %s", (_type, block) => {
  test("has a dot-namespaced type, a title, a description and an icon", () => {
    expect(block.type).toMatch(/^[a-z]+\.[a-z-]+$/);
    expect(block.title.length).toBeGreaterThan(0);
    expect(block.description.length).toBeGreaterThan(10);
    expect(block.icon).toMatch(/^[a-z0-9-]+$/);
  });

  test("its default config parses", () => {
    expect(parseBlockConfig(block, block.version, {})).toEqual({ ok: true, config: defaultConfig(block) });
  });

  test("port ids are unique per side", () => {
    const ports = blockRegistry.resolvePorts({ id: "n", type: block.type, version: block.version, config: {}, ui: { x: 0, y: 0 } });
    expect(ports).toBeDefined();
    for (const side of [ports?.inputs ?? [], ports?.outputs ?? []]) {
      const ids = side.map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });

  test("every older version migrates to the current one", () => {
    for (let v = 1; v < block.version; v++) {
      expect(block.migrate?.[v], `missing migration from version ${v}`).toBeTypeOf("function");
    }
  });

  test("its config schema converts to JSON Schema for the config form", () => {
    expect(z.toJSONSchema(block.config, { io: "input", unrepresentable: "any" })).toMatchObject({ type: "object" });
  });
});

test("a block saved by a newer Skyloom is reported, not misread", () => {
  const block = BLOCKS[0];
  const result = parseBlockConfig(block, block.version + 1, {});
  expect(result.ok).toBe(false);
});

test("registering two blocks with the same type fails at start", () => {
  expect(() => createBlockRegistry([BLOCKS[0], BLOCKS[0]])).toThrow(DuplicateBlockTypeError);
});
