import type { TRPCDefaultErrorShape, TRPCError } from "@trpc/server";
import { z, ZodError } from "zod";

/** What the browser reads instead of an unexpected error's own message (which may name files). */
export const INTERNAL_ERROR_MESSAGE = "The server could not complete this request. Try again; if it keeps happening, tell your administrator.";

/**
 * How a tRPC error reaches the browser. Zod problems become readable field errors. Unexpected
 * errors (INTERNAL_SERVER_ERROR: a bug, the database, the file system) answer a fixed message:
 * their own may carry paths or SQL, and the server log has them (server/index.ts, onError).
 * No error carries its stack.
 */
export function formatTrpcError({ shape, error }: { shape: TRPCDefaultErrorShape; error: TRPCError }) {
  const zodError = error.cause instanceof ZodError ? error.cause : null;
  const internal = error.code === "INTERNAL_SERVER_ERROR";
  return {
    ...shape,
    message: internal ? INTERNAL_ERROR_MESSAGE : shape.message,
    data: {
      ...shape.data,
      stack: undefined,
      fieldErrors: zodError ? z.flattenError(zodError).fieldErrors : null,
    },
  };
}
