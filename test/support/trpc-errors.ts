import { TRPCError } from "@trpc/server";

/** "CODE: message" of the error a call fails with, or "no error": one string to assert on. */
export async function outcomeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TRPCError) return `${error.code}: ${error.message}`;
    throw error;
  }
  return "no error";
}
