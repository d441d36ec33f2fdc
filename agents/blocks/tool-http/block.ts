import { z } from "zod";
import { defineBlock } from "../define-block";
import { toolDescriptionSchema, toolNameSchema } from "../tool-name";

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]{0,63})\}/g;

/** The `{name}` placeholders of the URL and body templates: the tool's arguments. */
export function httpToolParameters(config: { url: string; body: string }): string[] {
  const names = new Set<string>();
  for (const text of [config.url, config.body]) for (const m of text.matchAll(PLACEHOLDER)) names.add(m[1] as string);
  return [...names].slice(0, 20);
}

const HEADER_NAME = /^[A-Za-z0-9-]{1,100}$/;
const MAX_HEADERS = 30;

/**
 * Version 1 stored headers as a list of { name, value }; version 2 as a name → value record
 * (the key/value editor). A later duplicate name wins, as it did when the request was built;
 * a value that was not text (only possible through the old JSON box) becomes its text.
 */
function headersListToRecord(headers: unknown): unknown {
  const entries: [string, unknown][] = Array.isArray(headers)
    ? headers.map((h) => {
        const { name, value } = (h ?? {}) as { name?: unknown; value?: unknown };
        return [String(name ?? ""), value];
      })
    : headers !== null && typeof headers === "object"
      ? Object.entries(headers)
      : [];
  const asText = (v: unknown) => (typeof v === "string" ? v : v === undefined || v === null ? "" : typeof v === "object" ? JSON.stringify(v) : String(v));
  return Object.fromEntries(entries.map(([name, value]) => [name, asText(value)]));
}

function isHttpUrlTemplate(value: string): boolean {
  try {
    const url = new URL(value.replace(PLACEHOLDER, "x"));
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

/** Calls an HTTP API for an agent; every request goes through Skyloom's SSRF guard. */
export const toolHttpBlock = defineBlock({
  type: "tool.http",
  // 2: headers moved from a list of { name, value } to a name → value record.
  version: 2,
  title: "HTTP Request",
  category: "Tools",
  part: "agent",
  description: "Lets an agent call a web API; {placeholders} become the tool's arguments.",
  icon: "globe",
  inputs: [],
  outputs: [{ id: "tool", label: "Tool", type: "tool" }],
  config: z.object({
    name: toolNameSchema("http_request"),
    description: toolDescriptionSchema("Fetches a web page or API."),
    method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE"]).default("GET").meta({ title: "Method" }),
    url: z
      .string()
      .max(4_000)
      .refine(isHttpUrlTemplate, "Enter an http(s) URL; {name} marks an argument, e.g. https://api.example.com/items/{id}")
      .default("https://example.com/search?q={query}")
      .meta({ title: "URL", description: "{name} parts are filled in by the agent (URL-encoded)." }),
    headers: z
      .record(z.string(), z.string().max(4_000, "A header value is at most 4,000 characters"))
      .superRefine((headers, ctx) => {
        const names = Object.keys(headers);
        if (names.length > MAX_HEADERS) ctx.addIssue({ code: "custom", message: `At most ${MAX_HEADERS} headers` });
        const bad = names.find((name) => !HEADER_NAME.test(name));
        // Checked here rather than as the record's key schema, whose error only says "Invalid key in record".
        if (bad !== undefined) ctx.addIssue({ code: "custom", message: `"${bad}" is not a header name: use letters, digits and -` });
      })
      .default({})
      // Named explicitly: the plain name → value editor (no credential references in headers;
      // the Credential field below sends a secret).
      .meta({ title: "Headers", description: "Sent with every request, e.g. Accept: application/json.", widget: "key-value" }),
    body: z
      .string()
      .max(100_000)
      .default("")
      .meta({ title: "Body", description: "Sent for POST/PUT/PATCH; {name} parts are filled in.", widget: "code" }),
    credentialId: z
      .string()
      .max(64)
      .nullable()
      .default(null)
      .meta({ title: "Credential", description: "A saved secret sent in the auth header.", widget: "secret" }),
    authHeader: z
      .string()
      .regex(HEADER_NAME, "A header name uses letters, digits and -")
      .default("Authorization")
      .meta({ title: "Auth header", showWhen: { field: "credentialId", is: "set" }, help: "The HTTP header that carries the credential to the API; most APIs use Authorization." }),
    authPrefix: z
      .string()
      .max(50)
      .default("Bearer ")
      .meta({ title: "Auth prefix", showWhen: { field: "credentialId", is: "set" }, help: "Text written before the secret in that header, usually “Bearer ” (with its space); empty sends the secret alone." }),
  }),
  migrate: {
    1: (config) => {
      const c = (config ?? {}) as Record<string, unknown>;
      return "headers" in c ? { ...c, headers: headersListToRecord(c.headers) } : c;
    },
  },
});
