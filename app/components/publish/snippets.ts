/**
 * Copy-ready client code for a published agent. The key is a placeholder (an environment
 * variable) unless a freshly created key is given: stored keys cannot be shown again.
 */
export type SnippetInput = {
  baseUrl: string;
  model: string;
  key?: string | null;
  /** curl only: ask for the answer as it is written (server-sent events) instead of in one piece. */
  stream?: boolean;
};

export const SNIPPET_LANGUAGES = ["curl", "Python", "JavaScript", "Widget"] as const;
export type SnippetLanguage = (typeof SNIPPET_LANGUAGES)[number];

/** The environment variable the snippets read the key from when no key is put in the code. */
export const KEY_ENV = "SKYLOOM_API_KEY";

export function snippetFor(language: SnippetLanguage, input: SnippetInput): string {
  if (language === "curl") return curlSnippet(input);
  if (language === "Python") return pythonSnippet(input);
  if (language === "JavaScript") return javascriptSnippet(input);
  return widgetSnippet(input);
}

export type KeyKind = "secret" | "public";

/**
 * Which key may go into the code for `language`. A public key works only from web pages on
 * its allowed sites, so it never goes into server code; a secret key must never be put in a
 * web page, so it never goes into the widget. A mismatch gives a placeholder and a warning.
 */
export function keyForSnippet(
  language: SnippetLanguage,
  chosen: { kind: KeyKind; token: string | null } | null,
): { token: string | null; warning: string | null } {
  if (!chosen) return { token: null, warning: null };
  if (language === "Widget" && chosen.kind === "secret") {
    return { token: null, warning: "A secret key must never be put in a web page. Choose a widget (public) key for this agent, or create one with “New widget key”." };
  }
  if (language !== "Widget" && chosen.kind === "public") {
    return { token: null, warning: "A widget (public) key works only from web pages on its allowed sites. Choose a secret key for server code, or create one with “New key for this agent”." };
  }
  return { token: chosen.token, warning: null };
}

/** `-N` turns off curl's buffering, so each streamed `data:` line shows as it arrives. */
export function curlSnippet({ baseUrl, model, key, stream }: SnippetInput): string {
  return [
    `curl${stream ? " -N" : ""} ${baseUrl}/chat/completions \\`,
    `  -H "Authorization: Bearer ${key ?? `$${KEY_ENV}`}" \\`,
    `  -H "Content-Type: application/json" \\`,
    `  -d '{"model": "${model}", ${stream ? '"stream": true, ' : ""}"messages": [{"role": "user", "content": "Hello!"}]}'`,
  ].join("\n");
}

/**
 * A name for a new key that no live key has yet: "orders key", then "orders key 2", "orders
 * key 3" …, so keys made for the same agent can be told apart in lists.
 */
export function nextKeyName(base: string, taken: readonly string[]): string {
  const names = new Set(taken);
  if (!names.has(base)) return base;
  let n = 2;
  while (names.has(`${base} ${n}`)) n++;
  return `${base} ${n}`;
}

export function pythonSnippet({ baseUrl, model, key }: SnippetInput): string {
  return [
    "# pip install openai",
    ...(key ? [] : ["import os"]),
    "from openai import OpenAI",
    "",
    `client = OpenAI(base_url="${baseUrl}", api_key=${key ? `"${key}"` : `os.environ["${KEY_ENV}"]`})`,
    "",
    "reply = client.chat.completions.create(",
    `    model="${model}",`,
    '    messages=[{"role": "user", "content": "Hello!"}],',
    ")",
    "print(reply.choices[0].message.content)",
  ].join("\n");
}

export function javascriptSnippet({ baseUrl, model, key }: SnippetInput): string {
  return [
    "// npm install openai",
    'import OpenAI from "openai";',
    "",
    `const client = new OpenAI({ baseURL: "${baseUrl}", apiKey: ${key ? `"${key}"` : `process.env.${KEY_ENV}`} });`,
    "",
    "const stream = await client.chat.completions.create({",
    `  model: "${model}",`,
    '  messages: [{ role: "user", content: "Hello!" }],',
    "  stream: true,",
    "});",
    "for await (const chunk of stream) process.stdout.write(chunk.choices[0]?.delta?.content ?? \"\");",
  ].join("\n");
}

/** One attribute a line, so the whole tag (key included) is readable in a narrow panel. */
export function widgetSnippet({ baseUrl, model, key }: SnippetInput): string {
  const host = baseUrl.replace(/\/v1$/, "");
  return [
    "<script",
    `  src="${host}/embed.js"`,
    `  data-agent="${model}"`,
    `  data-key="${key ?? "YOUR_PUBLIC_KEY"}"`,
    "></script>",
  ].join("\n");
}
