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
  version: 1,
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
      .array(
        z.object({
          name: z.string().regex(/^[A-Za-z0-9-]{1,100}$/, "A header name uses letters, digits and -"),
          value: z.string().max(4_000),
        }),
      )
      .max(30)
      .default([])
      .meta({ title: "Headers" }),
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
      .regex(/^[A-Za-z0-9-]{1,100}$/, "A header name uses letters, digits and -")
      .default("Authorization")
      .meta({ title: "Auth header", help: "The HTTP header that carries the credential to the API; most APIs use Authorization." }),
    authPrefix: z
      .string()
      .max(50)
      .default("Bearer ")
      .meta({ title: "Auth prefix", help: "Text written before the secret in that header, usually “Bearer ” (with its space); empty sends the secret alone." }),
  }),
});
