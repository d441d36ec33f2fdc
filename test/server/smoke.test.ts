import { afterEach, expect, test } from "vitest";
import { createTestBackend, type TestBackend } from "../support/harness";

let backend: TestBackend | undefined;
afterEach(() => backend?.close());

test("a new account gets a personal team and an empty flow list", async () => {
  backend = createTestBackend();
  const ada = await backend.signedUpClient("ada@example.com", "Ada");
  const me = await ada.trpc.auth.me();
  expect(me?.user.email).toBe("ada@example.com");
  expect(me?.team).toMatchObject({ name: "Ada's team", role: "owner", personal: true });
  expect(await ada.trpc.flow.list()).toEqual([]);
});
