import { BlockRunError, innermostMessage } from "../../runtime/context";
import { implement } from "../../runtime/implement";
import { langChainTool } from "../../runtime/langchain.server";
import type { ToolValue } from "../../runtime/values";
import { httpToolParameters, toolHttpBlock } from "./block";

const MAX_RESPONSE_CHARS = 20_000;
const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]{0,63})\}/g;

function fill(template: string, args: Record<string, unknown>, encode: (v: string) => string): string {
  return template.replace(PLACEHOLDER, (_m, name: string) => {
    const value = args[name];
    return encode(value === undefined || value === null ? "" : typeof value === "string" ? value : JSON.stringify(value));
  });
}

/** The URL as messages show it: no query string, which may carry a key typed into the template. */
function withoutQuery(url: string): string {
  return url.split(/[?#]/)[0] ?? url;
}

/** Inside a JSON body a value is inserted as the inside of a JSON string (escaped). */
const jsonStringInner = (v: string) => JSON.stringify(v).slice(1, -1);

/**
 * An HTTP call the agent can make. The URL and body templates are filled from the agent's
 * arguments, the credential (if any) is added as a header, and the request goes through the
 * run context's HTTP client, which on the server is the SSRF-guarded fetch. A request that
 * cannot be sent or gets an error status fails the call.
 */
export const toolHttpRunner = implement(toolHttpBlock, async ({ config, ctx }) => {
  const parameters = httpToolParameters(config);
  const schema = {
    type: "object" as const,
    properties: Object.fromEntries(parameters.map((p) => [p, { type: "string" as const, description: `Value for {${p}}` }])),
    required: parameters,
  };
  const credential = config.credentialId ? await ctx.credentials.resolve(config.credentialId) : undefined;
  const fixedHeaders = Object.entries(config.headers);
  const bodyIsJson = fixedHeaders.some(([name, value]) => name.toLowerCase() === "content-type" && value.includes("json")) || /^\s*[[{]/.test(config.body);

  const tool = await langChainTool();
  const httpTool = tool(
    async (args: Record<string, unknown>) => {
      const url = fill(config.url, args, encodeURIComponent);
      const headers = new Headers();
      for (const [name, value] of fixedHeaders) headers.set(name, value);
      if (credential) headers.set(config.authHeader, `${config.authPrefix}${credential.secret}`);
      const hasBody = config.method !== "GET" && config.method !== "DELETE" && config.body !== "";
      if (hasBody && bodyIsJson && !headers.has("content-type")) headers.set("content-type", "application/json");
      let response: Response;
      try {
        response = await ctx.http.fetch(url, {
          method: config.method,
          headers,
          ...(hasBody ? { body: fill(config.body, args, bodyIsJson ? jsonStringInner : (v) => v) } : {}),
          signal: ctx.signal,
        });
      } catch (error) {
        if (ctx.signal.aborted) throw error;
        throw new BlockRunError(`${config.method} ${withoutQuery(url)} failed: ${innermostMessage(error)}`);
      }
      let text = await response.text();
      if (text.length > MAX_RESPONSE_CHARS) text = `${text.slice(0, MAX_RESPONSE_CHARS)}… (cut at ${MAX_RESPONSE_CHARS} characters)`;
      // An error status is a failed call (the Agent still shows the model the body, which may explain it).
      if (!response.ok) throw new BlockRunError(`${config.method} ${withoutQuery(url)} answered HTTP ${response.status}${text ? `: ${text}` : "."}`);
      return text;
    },
    { name: config.name, description: config.description, schema },
  );
  const value: ToolValue = { kind: "tool", tool: httpTool, trace: { name: config.name, description: config.description } };
  return { tool: value };
});
