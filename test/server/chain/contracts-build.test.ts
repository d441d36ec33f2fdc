/**
 * server/chain/generated/contracts.ts is committed (ADR 025); this fails when it no longer
 * matches what solc makes of server/chain/contracts/*.sol, naming the command that fixes it.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { GENERATED_FILE, renderGenerated } from "#server/chain/build-contracts.mjs";

describe("generated contract artifacts", () => {
  it("match the Solidity sources (run `node server/chain/build-contracts.mjs` when this fails)", () => {
    expect(readFileSync(GENERATED_FILE, "utf8") === renderGenerated(), "server/chain/generated/contracts.ts is stale").toBe(true);
  }, 60_000);
});
