/**
 * Domain errors thrown by services. The tRPC layer maps each to its code; the /v1 gateway to
 * OpenAI's error shape. Messages are written for the person who has to fix the input.
 */
export class DomainError extends Error {
  constructor(
    readonly kind: "NOT_FOUND" | "CONFLICT" | "BAD_REQUEST" | "FORBIDDEN" | "UNAUTHORIZED" | "TOO_MANY_REQUESTS" | "PRECONDITION_FAILED",
    message: string,
  ) {
    super(message);
    this.name = "DomainError";
  }
}

export const notFound = (what: string) => new DomainError("NOT_FOUND", `${what} not found.`);
export const conflict = (message: string) => new DomainError("CONFLICT", message);
export const badRequest = (message: string) => new DomainError("BAD_REQUEST", message);
export const forbidden = (message: string) => new DomainError("FORBIDDEN", message);
/** Something else must happen first (add funds): the message says what. */
export const preconditionFailed = (message: string) => new DomainError("PRECONDITION_FAILED", message);
