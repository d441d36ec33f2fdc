import { describe, expect, it } from "vitest";
import { stillWatching } from "#app/components/billing/deposit-list";

describe("which deposits the billing page keeps polling for", () => {
  it("polls while one is pending, or while one it sent is not listed as credited yet", () => {
    expect(stillWatching([], [])).toBe(false);
    expect(stillWatching([{ txHash: "0xaa", status: "credited" }], [])).toBe(false);
    expect(stillWatching([{ txHash: "0xaa", status: "pending" }], [])).toBe(true);
    // Sent from this page, but the chain watcher has not seen it yet.
    expect(stillWatching([{ txHash: "0xaa", status: "credited" }], ["0xbb"])).toBe(true);
    // Hashes compare without regard to case (a wallet may answer checksummed hex).
    expect(stillWatching([{ txHash: "0xab", status: "credited" }], ["0xAB"])).toBe(false);
  });
});
