/**
 * Copy-ready client code for a published agent. The key is a placeholder (an environment
 * variable) unless a freshly created key is given: stored keys cannot be shown again.
 */
export type SnippetInput = { baseUrl: string; model: string; key?: string | null };

const KEY_ENV = "SKYLOOM_API_KEY";

export function curlSnippet({ baseUrl, model, key }: SnippetInput): string {
  return [
    `curl ${baseUrl}/chat/completions \\`,
    `  -H "Authorization: Bearer ${key ?? `$${KEY_ENV}`}" \\`,
    `  -H "Content-Type: application/json" \\`,
    `  -d '{"model": "${model}", "messages": [{"role": "user", "content": "Hello!"}]}'`,
  ].join("\n");
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

export function widgetSnippet({ baseUrl, model, key }: SnippetInput): string {
  const host = baseUrl.replace(/\/v1$/, "");
  return `<script src="${host}/embed.js" data-agent="${model}" data-key="${key ?? "YOUR_PUBLIC_KEY"}"></script>`;
}
