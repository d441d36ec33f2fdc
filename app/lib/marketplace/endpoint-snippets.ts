import { curlSnippet, javascriptSnippet, KEY_ENV, pythonSnippet } from "#app/components/publish/snippets";

/**
 * Copy-ready code for a model endpoint, through the team's `/v1` gateway with the endpoint's
 * slug as the model. Chat models get the chat call (the same code as a published agent);
 * embedding models get /v1/embeddings. The key is a placeholder unless one was just created.
 */
export const ENDPOINT_SNIPPET_LANGUAGES = ["curl", "Python", "JavaScript"] as const;
export type EndpointSnippetLanguage = (typeof ENDPOINT_SNIPPET_LANGUAGES)[number];

export type EndpointSnippetInput = {
  baseUrl: string;
  slug: string;
  /** "embeddings" for embedding models; anything else is called as a chat model. */
  task: string;
  key?: string | null;
  stream?: boolean;
};

export function endpointSnippet(language: EndpointSnippetLanguage, input: EndpointSnippetInput): string {
  const common = { baseUrl: input.baseUrl, model: input.slug, key: input.key ?? null, stream: input.stream ?? false };
  if (input.task !== "embeddings") {
    if (language === "curl") return curlSnippet(common);
    if (language === "Python") return pythonSnippet(common);
    return javascriptSnippet(common);
  }
  const key = input.key ?? null;
  if (language === "curl") {
    return [
      `curl ${input.baseUrl}/embeddings \\`,
      `  -H "Authorization: Bearer ${key ?? `$${KEY_ENV}`}" \\`,
      `  -H "Content-Type: application/json" \\`,
      `  -d '{"model": "${input.slug}", "input": "Hello!"}'`,
    ].join("\n");
  }
  if (language === "Python") {
    return [
      "# pip install openai",
      ...(key ? [] : ["import os"]),
      "from openai import OpenAI",
      "",
      `client = OpenAI(base_url="${input.baseUrl}", api_key=${key ? `"${key}"` : `os.environ["${KEY_ENV}"]`})`,
      "",
      `result = client.embeddings.create(model="${input.slug}", input="Hello!")`,
      "print(len(result.data[0].embedding))",
    ].join("\n");
  }
  return [
    "// npm install openai",
    'import OpenAI from "openai";',
    "",
    `const client = new OpenAI({ baseURL: "${input.baseUrl}", apiKey: ${key ? `"${key}"` : `process.env.${KEY_ENV}`} });`,
    "",
    `const result = await client.embeddings.create({ model: "${input.slug}", input: "Hello!" });`,
    "console.log(result.data[0].embedding.length);",
  ].join("\n");
}

/** The join command a node operator runs; the token appears only right after it was created. */
export function joinCommand(input: { joinUrl: string; token: string; kind?: "fizz" | "provider"; serveOpenai?: string | null }): string {
  const kind = input.kind ?? "fizz";
  const serve = input.serveOpenai ? ` --serve-openai ${input.serveOpenai}` : "";
  return `skyloom node --kind ${kind} --join ${input.joinUrl} --token ${input.token}${serve}`;
}

/** Log lines that contain the search text, case-insensitive; an empty search keeps all. */
export function filterLogLines<T extends { line: string }>(lines: readonly T[], search: string): T[] {
  const needle = search.trim().toLowerCase();
  if (needle === "") return [...lines];
  return lines.filter((l) => l.line.toLowerCase().includes(needle));
}
