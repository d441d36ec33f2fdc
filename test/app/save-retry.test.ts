import { describe, expect, it } from "vitest";
import { classifySaveFailure, MAX_RETRY_MS, retryDelayMs } from "#app/lib/graph-store/save-retry";

describe("classifySaveFailure", () => {
  it("never retries a conflict, online or not", () => {
    expect(classifySaveFailure({ code: "CONFLICT", online: true })).toBe("conflict");
    expect(classifySaveFailure({ code: "CONFLICT", online: false })).toBe("conflict");
  });

  it("waits for the connection when the browser is offline and no answer came", () => {
    expect(classifySaveFailure({ code: undefined, online: false })).toBe("offline");
  });

  it("retries when the server could not be reached or was briefly in trouble", () => {
    expect(classifySaveFailure({ code: undefined, online: true })).toBe("unreachable");
    expect(classifySaveFailure({ code: "INTERNAL_SERVER_ERROR", online: true })).toBe("unreachable");
    expect(classifySaveFailure({ code: "TOO_MANY_REQUESTS", online: true })).toBe("unreachable");
  });

  it("does not retry a save the server refused", () => {
    expect(classifySaveFailure({ code: "BAD_REQUEST", online: true })).toBe("refused");
    expect(classifySaveFailure({ code: "FORBIDDEN", online: false })).toBe("refused");
  });
});

describe("retryDelayMs", () => {
  it("doubles from one second and stops growing at the cap", () => {
    expect([0, 1, 2, 3].map(retryDelayMs)).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(retryDelayMs(20)).toBe(MAX_RETRY_MS);
    expect(retryDelayMs(-1)).toBe(1_000);
  });
});
