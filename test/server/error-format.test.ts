import { getTRPCErrorShape, TRPCError } from "@trpc/server";
import { expect, test } from "vitest";
import { z } from "zod";
import { INTERNAL_ERROR_MESSAGE } from "#server/trpc/error-format";
import { appRouter } from "#server/trpc/root";

/**
 * What an HTTP caller receives for an error: tRPC's own shape (here as in development mode,
 * which adds the stack) passed through the formatter Skyloom's router is built with.
 */
function shapeOf(error: TRPCError) {
  return getTRPCErrorShape({
    config: { ...appRouter._def._config, isDev: true },
    error,
    type: "query",
    path: "flow.get",
    input: undefined,
    ctx: undefined,
  });
}

test("an unexpected error answers a fixed message, without its own message or stack", () => {
  // What tRPC makes of anything a procedure throws that is not a TRPCError.
  const cause = new Error("ENOENT: no such file or directory, open '/work/skyloom/data/secret.key'");
  const shape = shapeOf(new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: cause.message, cause }));
  expect(shape.message).toBe(INTERNAL_ERROR_MESSAGE);
  expect(shape.data.code).toBe("INTERNAL_SERVER_ERROR");
  expect(shape.data.stack).toBeUndefined();
  expect(JSON.stringify(shape)).not.toMatch(/secret\.key|\/work\/|ENOENT|\bat /);
});

test("errors meant for the user keep their message; none keeps a stack", () => {
  const shape = shapeOf(new TRPCError({ code: "NOT_FOUND", message: "Flow not found." }));
  expect(shape.message).toBe("Flow not found.");
  expect(shape.data).toMatchObject({ code: "NOT_FOUND", httpStatus: 404, fieldErrors: null });
  expect(shape.data.stack).toBeUndefined();
});

test("input errors list the fields to fix", () => {
  const zodError = z.object({ name: z.string().min(1, "Give the flow a name") }).safeParse({ name: "" }).error!;
  const shape = shapeOf(new TRPCError({ code: "BAD_REQUEST", message: "name: Give the flow a name", cause: zodError }));
  expect(shape.message).toBe("name: Give the flow a name");
  expect(shape.data.fieldErrors).toEqual({ name: ["Give the flow a name"] });
});
