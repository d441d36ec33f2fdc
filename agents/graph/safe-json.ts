import { GRAPH_LIMITS } from "./doc";

/**
 * Reading JSON that a person or a program handed us (a flow file, a paste, an API body). The
 * text is bounded before it is parsed; the value is then walked once to refuse nesting deeper
 * than GRAPH_LIMITS.maxDepth (later recursive code — JSON.stringify, the config form — must not
 * overflow the stack) and keys that reach an object's prototype when code later merges or
 * assigns the value.
 */

/** `__proto__` and `constructor` change what an object inherits when merged or assigned. */
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor"]);

export type UnsafeJsonKind = "too-big" | "not-json" | "too-deep" | "forbidden-key";

/** A refusal of untrusted JSON: `message` says what is wrong, `details` where and what to do. */
export class UnsafeJsonError extends Error {
  override name = "UnsafeJsonError";
  constructor(
    readonly kind: UnsafeJsonKind,
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
  }
}

const MB = 1024 * 1024;

/** Megabytes for messages: "5 MB", "6.2 MB". */
export function formatMegabytes(bytes: number): string {
  const mb = bytes / MB;
  return `${Number.isInteger(mb) ? mb : mb.toFixed(1)} MB`;
}

/** Whether a text's UTF-8 size is over GRAPH_LIMITS.maxBytes. */
export function isOverByteLimit(text: string): boolean {
  // Each UTF-16 unit is 1 to 3 UTF-8 bytes, so most texts are judged without encoding them.
  if (text.length > GRAPH_LIMITS.maxBytes) return true;
  if (text.length * 3 <= GRAPH_LIMITS.maxBytes) return false;
  return new TextEncoder().encode(text).length > GRAPH_LIMITS.maxBytes;
}

type Visit = { value: unknown; depth: number; parent: Visit | undefined; key: string };

function pathOf(visit: Visit): string {
  const keys: string[] = [];
  for (let v: Visit | undefined = visit; v?.parent; v = v.parent) keys.push(v.key);
  return keys.reverse().join(".") || "(top)";
}

/**
 * The first reason a parsed JSON value is unsafe to keep, or undefined: nesting deeper than
 * GRAPH_LIMITS.maxDepth (the top object is depth 1) or a forbidden key. `subject` starts the
 * message ("This file"). Walks without recursion, so a hostile depth cannot overflow the stack.
 */
export function findUnsafeJson(value: unknown, subject: string): UnsafeJsonError | undefined {
  const maxDepth = GRAPH_LIMITS.maxDepth;
  const stack: Visit[] = [{ value, depth: 1, parent: undefined, key: "" }];
  while (stack.length > 0) {
    const visit = stack.pop() as Visit;
    const current = visit.value;
    if (current === null || typeof current !== "object") continue;
    if (visit.depth > maxDepth) {
      return new UnsafeJsonError("too-deep", `${subject} nests values more than ${maxDepth} levels deep; the limit is ${maxDepth}.`, [
        `${pathOf(visit)}: nest this value less deeply`,
      ]);
    }
    // Object.keys lists an own "__proto__" key, which JSON.parse creates as plain data. Keys go
    // on the stack last to first, so problems are found in reading order.
    const keys = Object.keys(current);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i] as string;
      const child: Visit = { value: (current as Record<string, unknown>)[key], depth: visit.depth + 1, parent: visit, key };
      if (FORBIDDEN_KEYS.has(key)) {
        return new UnsafeJsonError("forbidden-key", `${subject} has a key named "${key}", which is refused: it could change how objects behave.`, [
          `${pathOf(child)}: rename or remove this key`,
        ]);
      }
      stack.push(child);
    }
  }
  return undefined;
}

/**
 * Parses untrusted JSON text: at most GRAPH_LIMITS.maxBytes, valid JSON, no deeper than
 * GRAPH_LIMITS.maxDepth, no forbidden keys. Throws UnsafeJsonError saying which, and what to
 * fix; `subject` starts the message ("This file is not valid JSON.").
 */
export function parseUntrustedJson(text: string, subject: string): unknown {
  if (isOverByteLimit(text)) {
    const size = new TextEncoder().encode(text).length;
    throw new UnsafeJsonError("too-big", `${subject} is ${formatMegabytes(size)}; the limit is ${formatMegabytes(GRAPH_LIMITS.maxBytes)}.`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UnsafeJsonError("not-json", `${subject} is not valid JSON.`, [error instanceof Error ? error.message : String(error)]);
  }
  const unsafe = findUnsafeJson(value, subject);
  if (unsafe) throw unsafe;
  return value;
}
