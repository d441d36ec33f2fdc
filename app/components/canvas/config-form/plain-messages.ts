import type { z } from "zod";
import { fieldTitle } from "./schema-fields";

/**
 * Zod's built-in messages are written for programmers ("Invalid input: expected number,
 * received string"). Blocks write their own plain messages for their rules; this rewrites
 * the generic ones and names the field, so a non-programmer knows what to fix.
 */
const EXPECTED: Record<string, string> = {
  number: "enter a number",
  int: "enter a whole number",
  string: "enter some text",
  boolean: "switch it on or off",
  object: "fill in the entries",
  array: "add a list of values",
};

export function plainMessage(message: string, schema: z.ZodType, path: string): string {
  const title = path ? fieldTitle(schema, path) ?? path : undefined;
  const prefix = title ? `${title}: ` : "";
  const expected = /^Invalid input: expected (\w+)/.exec(message);
  if (expected) {
    if (message.includes("received undefined")) return `${prefix}this is required`;
    return `${prefix}${EXPECTED[expected[1] ?? ""] ?? `enter a valid ${expected[1]}`}`;
  }
  if (/^Invalid option/.test(message)) return `${prefix}pick one of the choices`;
  const small = /^Too small: expected (?:string|array) to have >=?(\d+)/.exec(message);
  if (small) return small[1] === "1" ? `${prefix}this cannot be empty` : `${prefix}needs at least ${small[1]}`;
  const big = /^Too big: expected (?:string|array) to have <=?(\d+)/.exec(message);
  if (big) return `${prefix}at most ${big[1]}`;
  const numSmall = /^Too small: expected number to be >=?(-?[\d.]+)/.exec(message);
  if (numSmall) return `${prefix}at least ${numSmall[1]}`;
  const numBig = /^Too big: expected number to be <=?(-?[\d.]+)/.exec(message);
  if (numBig) return `${prefix}at most ${numBig[1]}`;
  if (/^Invalid (input|string)/.test(message)) return `${prefix}${message.replace(/^Invalid (input|string):?\s*/, "this value is not valid ").trim()}`;
  // A block's own message already says what to fix; the field name helps on the node.
  return title && !message.toLowerCase().includes(title.toLowerCase()) ? `${prefix}${message}` : message;
}
