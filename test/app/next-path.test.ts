import { expect, test } from "vitest";
import { authPath, safeNextPath } from "#app/lib/next-path";

test("after login, a path on this site is kept", () => {
  expect(safeNextPath("/invite/abc_DEF-123")).toBe("/invite/abc_DEF-123");
  expect(safeNextPath("/flows/flw_1?tab=chat")).toBe("/flows/flw_1?tab=chat");
});

test("anything that would leave the site goes to the dashboard instead", () => {
  for (const hostile of [null, "", "https://evil.example.com/", "//evil.example.com", "/\\evil.example.com", "javascript:alert(1)", "invite/x", "/\t/evil.example.com"]) {
    expect(safeNextPath(hostile), String(hostile)).toMatch(/^\/(?!\/)/);
    expect(new URL(safeNextPath(hostile), "https://skyloom.example.com").host).toBe("skyloom.example.com");
  }
  expect(safeNextPath("https://evil.example.com/")).toBe("/");
  expect(safeNextPath("//evil.example.com")).toBe("/");
});

test("links between login and signup carry next along", () => {
  expect(authPath("/signup", "/invite/abc")).toBe("/signup?next=%2Finvite%2Fabc");
  expect(authPath("/login", "/")).toBe("/login");
});
