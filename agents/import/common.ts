import { escapeTemplate } from "../blocks/prompt-template/block";
import type { ImportBuilder } from "./builder";
import type { SourceRef } from "./report";

/** Field names that hold secrets in the builders we import from. Their values are never read. */
const SECRET_NAME = /api[_-]?key|secret|password|passwd|credential|authorization|private[_-]?key|token$/i;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

export function record(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function text(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

export function numberOf(value: unknown): number | undefined {
  const n = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

export function point(value: unknown): { x: number; y: number } {
  const p = record(value);
  return { x: numberOf(p.x) ?? 0, y: numberOf(p.y) ?? 0 };
}

/**
 * Reports every non-empty secret-looking field of an object (by name, never by value). The
 * importers copy only the fields they know, so a secret is never carried over; this makes
 * sure the person hears that one was in the file.
 */
export function reportSecrets(b: ImportBuilder, ref: SourceRef, fields: Record<string, unknown>, isSecret?: (name: string, value: unknown) => boolean): void {
  for (const [name, value] of Object.entries(fields)) {
    const filled = typeof value === "string" ? value.trim() !== "" : value !== null && value !== undefined && value !== false;
    if (filled && (isSecret ? isSecret(name, value) : SECRET_NAME.test(name))) b.secret(ref, name);
  }
}

/** reportSecrets through nested settings (a Dify node's `authorization.config.api_key`), a few levels deep. */
export function reportNestedSecrets(b: ImportBuilder, ref: SourceRef, fields: Record<string, unknown>, depth = 4): void {
  reportSecrets(b, ref, Object.fromEntries(Object.entries(fields).filter(([, v]) => typeof v === "string")));
  if (depth <= 0) return;
  for (const value of Object.values(fields)) if (isRecord(value)) reportNestedSecrets(b, ref, value, depth - 1);
}

export function looksSecret(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** A text cut to what a block takes, reported when it was longer. */
export function clip(b: ImportBuilder, ref: SourceRef, value: string, max: number, what: string): string {
  if (value.length <= max) return value;
  b.entry("I406", "warning", ref, `The ${what} has ${value.length.toLocaleString("en")} characters; Skyloom keeps the first ${max.toLocaleString("en")}.`);
  return value.slice(0, max);
}

/** A plain text (a system message) kept word for word in a template field. */
export function asTemplateText(value: string): string {
  return escapeTemplate(value);
}

const OLLAMA_PORT = /:11434\/?$/;

/** An OpenAI-compatible base URL from a provider's address (Ollama's native one gains /v1). */
export function openAiBaseUrl(value: string | undefined): string {
  const url = value?.trim() ?? "";
  if (!/^https?:\/\//i.test(url)) return "";
  return OLLAMA_PORT.test(url) ? `${url.replace(/\/$/, "")}/v1` : url;
}

export type ChatModelSettings = { model?: string; temperature?: unknown; maxTokens?: unknown; baseUrl?: string; provider: string; compatible: boolean };

/**
 * A Chat Model config from a source model's settings. The API key never comes along; the base
 * URL only when the file names one, so a model without it answers from Skyloom's default.
 */
export function chatModelConfig(b: ImportBuilder, ref: SourceRef, s: ChatModelSettings): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  if (s.model?.trim()) config.model = s.model.trim().slice(0, 200);
  const temperature = numberOf(s.temperature);
  if (temperature !== undefined) config.temperature = temperature;
  const maxTokens = numberOf(s.maxTokens);
  if (maxTokens !== undefined && maxTokens > 0) config.maxTokens = Math.round(maxTokens);
  const baseUrl = openAiBaseUrl(s.baseUrl);
  if (baseUrl) config.baseUrl = baseUrl;
  if (!s.compatible) {
    b.entry("I406", "warning", ref, `${s.provider} does not speak the OpenAI API; the model name is kept, but choose an OpenAI-compatible provider (or a credential) for it in Skyloom.`);
  }
  return config;
}

/** A tool name the model accepts: letters, digits, _ and -. */
export function toolName(value: string | undefined, fallback: string): string {
  const name = (value ?? "").trim().replace(/[^A-Za-z0-9_-]+/g, "_").replace(/^_+|_+$/g, "").slice(0, 64);
  return name || fallback;
}

/**
 * A Code Tool whose code is the imported source kept as a comment: it is never run, not at
 * import and not when the agent calls it (it returns an error asking for a rewrite), because
 * code from another builder is untrusted and written for another runtime.
 */
export function codeToolConfig(b: ImportBuilder, ref: SourceRef, s: { name?: string; description?: string; code: string; language: string; from: string }): Record<string, unknown> {
  const source = clip(b, ref, s.code, 90_000, "tool code").replace(/\*\//g, "*\\/");
  b.entry("I404", "warning", ref, `The ${s.language} code of this tool was kept as a comment and not run; rewrite it for Skyloom's sandbox before the agent uses it.`);
  return {
    name: toolName(s.name, "imported_tool"),
    description: (s.description?.trim() || `Imported from ${s.from}; not rewritten yet.`).slice(0, 1_000),
    code: [
      `/* Imported from ${s.from} (${s.language}). Kept as text and never run: review it and rewrite it`,
      ` * as a JavaScript function body that reads \`input\` and returns a JSON value.`,
      ` *`,
      source,
      ` */`,
      `throw new Error("This tool was imported from ${s.from} and has not been rewritten yet.");`,
    ].join("\n"),
  };
}

/**
 * A table lookup by a name from the file: own keys only, so a name like "constructor" or
 * "toString" never finds Object.prototype's members.
 */
export function own<T>(table: Readonly<Record<string, T>> | undefined, key: string | undefined): T | undefined {
  return table !== undefined && key !== undefined && Object.hasOwn(table, key) ? table[key] : undefined;
}

const UNSAFE_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/** Whether a name from the file may become a key of an object we build. */
export function safeKey(key: string): boolean {
  return !UNSAFE_KEYS.has(key);
}
