import type { APIRequestContext } from "@playwright/test";

/** Calls a tRPC procedure over HTTP with the request context's session cookie. */
export async function trpcCall<T>(request: APIRequestContext, path: string, input: unknown, kind: "mutation" | "query" = "mutation"): Promise<T> {
  const response =
    kind === "mutation"
      ? await request.post(`/api/trpc/${path}`, { data: input as object })
      : await request.get(`/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`);
  const body = (await response.json()) as { result?: { data: T }; error?: { message: string } };
  if (!response.ok() || !body.result) throw new Error(`${path} failed (${response.status()}): ${body.error?.message ?? "no result"}`);
  return body.result.data;
}

export { memoryAgentGraph, promptAgentGraph } from "../../fixtures/agent-graphs";
