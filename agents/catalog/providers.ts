/**
 * Where a Chat Model's answers come from: the OpenAI-compatible providers a person can pick
 * with one click, which base URL a Chat Model really calls, and that said in one sentence.
 * Isomorphic: the runner, the server and the config form share these rules.
 */
export const OPENAI_BASE_URL = "https://api.openai.com/v1";

export type ProviderPresetId = "openai" | "openrouter" | "groq" | "together" | "mistral" | "ollama" | "custom" | "skyloom";

export type ProviderPreset = {
  id: ProviderPresetId;
  title: string;
  /** "" for "any OpenAI-compatible URL" (the person types it) and for presets not available yet. */
  baseUrl: string;
  /** A model name the provider serves, shown as an example. */
  exampleModel: string;
  /** One plain sentence shown under the choice. */
  note: string;
  /** False for a preset that is announced but does not work yet; `note` says why. */
  available: boolean;
};

export const PROVIDER_PRESETS: readonly ProviderPreset[] = [
  { id: "openai", title: "OpenAI", baseUrl: OPENAI_BASE_URL, exampleModel: "gpt-4o-mini", note: "Paste a key from platform.openai.com.", available: true },
  {
    id: "openrouter",
    title: "OpenRouter",
    baseUrl: "https://openrouter.ai/api/v1",
    exampleModel: "openai/gpt-4o-mini",
    note: "One key for models of many companies, from openrouter.ai.",
    available: true,
  },
  { id: "groq", title: "Groq", baseUrl: "https://api.groq.com/openai/v1", exampleModel: "llama-3.1-8b-instant", note: "Fast open models; key from console.groq.com.", available: true },
  {
    id: "together",
    title: "Together AI",
    baseUrl: "https://api.together.xyz/v1",
    exampleModel: "meta-llama/Llama-3.3-70B-Instruct-Turbo",
    note: "Open models; key from api.together.ai.",
    available: true,
  },
  { id: "mistral", title: "Mistral", baseUrl: "https://api.mistral.ai/v1", exampleModel: "mistral-small-latest", note: "Key from console.mistral.ai.", available: true },
  {
    id: "ollama",
    title: "Ollama on this machine",
    baseUrl: "http://localhost:11434/v1",
    exampleModel: "llama3.2",
    note:
      "Models you run yourself with Ollama. Ollama ignores the key (type anything). Skyloom refuses addresses on its own machine " +
      "unless the operator starts it with SKYLOOM_ALLOW_PRIVATE_URLS=localhost:11434.",
    available: true,
  },
  { id: "custom", title: "Another OpenAI-compatible URL", baseUrl: "", exampleModel: "", note: "vLLM, LM Studio, a gateway: any server that speaks OpenAI's API.", available: true },
  {
    id: "skyloom",
    title: "Skyloom endpoints (coming with deployed endpoints)",
    baseUrl: "",
    exampleModel: "",
    note:
      "Models deployed on the compute marketplace will be listed here once deployed endpoints exist. Until then, wire a Model Endpoint block into an agent.",
    available: false,
  },
];

function sameUrl(a: string, b: string): boolean {
  return a.replace(/\/+$/, "").toLowerCase() === b.replace(/\/+$/, "").toLowerCase();
}

/** The preset whose base URL this is, or "custom" for any other non-empty URL; null for "". */
export function presetForUrl(baseUrl: string): ProviderPreset | null {
  if (baseUrl.trim() === "") return null;
  return PROVIDER_PRESETS.find((p) => p.baseUrl !== "" && sameUrl(p.baseUrl, baseUrl)) ?? (PROVIDER_PRESETS.find((p) => p.id === "custom") as ProviderPreset);
}

/**
 * The base URL a Chat Model calls: its own base URL; else its credential's; else, when it has
 * a credential (an API key) but no URL anywhere, OpenAI (the credential form says an empty
 * base URL means OpenAI). "" only without both: Skyloom's default model answers then
 * (OPENAI_API_KEY/OPENAI_BASE_URL, or the local development model).
 */
export function chatModelBaseUrl(
  config: { baseUrl: string },
  credential: { baseUrl?: string | undefined } | undefined,
  openAiBaseUrl: string = OPENAI_BASE_URL,
): string {
  if (config.baseUrl.trim() !== "") return config.baseUrl.trim();
  if (credential) return credential.baseUrl?.trim() || openAiBaseUrl;
  return "";
}

/** What answers a Chat Model that names no base URL and no credential. */
export type DefaultModelInfo = { source: "dev-model" } | { source: "env"; host: string; hasKey: boolean };

export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/**
 * One sentence saying which model will answer, e.g. "Answers with gpt-4o-mini at
 * api.openai.com using credential “My OpenAI”." `credential` is "missing" when the chosen id is
 * not among the team's credentials (deleted), undefined while unknown.
 */
export function describeChatModelTarget(input: {
  model: string;
  baseUrl: string;
  credential: { name: string; baseUrl: string } | null | "missing";
  defaultModel: DefaultModelInfo | undefined;
}): string {
  const model = input.model.trim() || "(no model name)";
  if (input.credential === "missing") return "No model answers: the chosen credential no longer exists. Pick another credential.";
  const url = chatModelBaseUrl(input, input.credential ?? undefined);
  if (url !== "") {
    const using = input.credential ? ` using credential “${input.credential.name}”` : " without an API key";
    return `Answers with ${model} at ${hostOf(url)}${using}.`;
  }
  if (input.defaultModel?.source === "env") {
    const using = input.defaultModel.hasKey ? " using the server's OPENAI_API_KEY" : "";
    return `Answers with ${model} at ${input.defaultModel.host}${using} (Skyloom's default model).`;
  }
  if (input.defaultModel?.source === "dev-model") {
    return "Answers with Skyloom's local development model (not a language model) — add a credential to use a real model.";
  }
  return "Answers with Skyloom's default model.";
}
