import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { finalErrorHandler } from "#server/http/error-handler";
import { NOTHING_POLICY } from "#server/http/security-headers";
import { expectNoInternals } from "../support/no-internals";

// An Express app whose routes fail the ways real ones do, ended by the host's error handler.
let server: Server;
let url: string;
const errorLog = vi.spyOn(console, "error").mockImplementation(() => {});
const warnLog = vi.spyOn(console, "warn").mockImplementation(() => {});

beforeAll(async () => {
  const app = express();
  const fail = () => {
    throw new Error("ENOENT: no such file or directory, open '/work/skyloom/build/server/index.js'");
  };
  app.get("/page", fail);
  app.get("/api/thing", fail);
  // Express decodes route parameters; a malformed one fails before the route runs.
  app.get("/flows/:id", (_req, res) => void res.send("ok"));
  app.get("/half", (_req, res, next) => {
    res.write("part of the page");
    next(new Error("failed mid-answer"));
  });
  app.use(finalErrorHandler);
  server = createServer(app).listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => {
  server?.close();
  errorLog.mockRestore();
  warnLog.mockRestore();
});

test("a failing page answers a plain 500 page; the server log gets the error", async () => {
  const response = await fetch(`${url}/page`);
  expect(response.status).toBe(500);
  expect(response.headers.get("content-type")).toMatch(/^text\/html/);
  expect(response.headers.get("content-security-policy")).toBe(NOTHING_POLICY);
  const html = await response.text();
  expect(html).toContain("Something went wrong");
  expectNoInternals(html, "/page");
  expect(errorLog).toHaveBeenCalledWith("GET /page failed:", expect.objectContaining({ message: expect.stringContaining("ENOENT") }));
});

test("under /api the answer is JSON without details", async () => {
  const response = await fetch(`${url}/api/thing?token=secret`);
  expect(response.status).toBe(500);
  const body = (await response.json()) as { error: { message: string; code: string } };
  expect(body.error.code).toBe("INTERNAL_SERVER_ERROR");
  expectNoInternals(JSON.stringify(body), "/api/thing");
  // The query (which may carry a token) stays out of the log.
  expect(errorLog).toHaveBeenCalledWith("GET /api/thing failed:", expect.anything());
});

test("a malformed URL is a 400 logged in one line", async () => {
  const response = await fetch(`${url}/flows/%E0%A4%A`);
  expect(response.status).toBe(400);
  const html = await response.text();
  expect(html).toContain("Bad request");
  expectNoInternals(html, "/flows/%E0%A4%A");
  expect(warnLog).toHaveBeenCalledWith(expect.stringMatching(/^GET \/flows\/%E0%A4%A: 400 URIError/));
});

test("an error after part of the answer was sent cuts the connection instead of passing it off as complete", async () => {
  await expect(fetch(`${url}/half`).then((r) => r.text())).rejects.toThrow();
});
