import { PROVIDER_PRESETS, presetForUrl } from "#agents/catalog/providers";

/**
 * What a template needs from the team that uses it (credentials are never inside a template),
 * said in plain words on the cards, and turned into the bindings "Use template" sends.
 */
export type NeedKind = "chat-model-credential" | "deployed-model" | "knowledge-base" | "credential";
export type TemplateNeed = { kind: NeedKind; label: string; provider?: string | undefined; nodeIds: readonly string[] };

export type CredentialOption = { id: string; name: string; kind: "openai" | "secret"; baseUrl: string };
export type KnowledgeBaseOption = { id: string; name: string };
export type Binding = { nodeId: string; credentialId?: string; knowledgeBaseId?: string };

/** "OpenAI" for "openai"; an unknown provider id is shown as it is. */
export function providerTitle(provider: string): string {
  return PROVIDER_PRESETS.find((p) => p.id === provider)?.title ?? provider;
}

const article = (word: string) => (/^[aeiou]/i.test(word) ? "an" : "a");

/** The chip on a card: "needs an OpenAI key", "needs a deployed model", "needs a knowledge base". */
export function needChip(need: TemplateNeed): string {
  switch (need.kind) {
    case "chat-model-credential": {
      if (!need.provider) return "needs a chat-model key";
      if (need.provider === "custom") return "needs an OpenAI-compatible key";
      const title = providerTitle(need.provider);
      return `needs ${article(title)} ${title} key`;
    }
    case "deployed-model":
      return "needs a deployed model";
    case "knowledge-base":
      return "needs a knowledge base";
    case "credential":
      return "needs a credential";
  }
}

/** The same need twice on one card (two model blocks of one provider) is one chip. */
export function distinctChips(needs: readonly TemplateNeed[]): string[] {
  return [...new Set(needs.map(needChip))];
}

/**
 * The team's credentials that can answer a need, best first: for a chat model, the
 * OpenAI-compatible keys of the needed provider, then the other OpenAI-compatible keys (a
 * person may run the same model elsewhere); for a plain credential, secrets first.
 */
export function credentialChoices(need: TemplateNeed, credentials: readonly CredentialOption[]): CredentialOption[] {
  if (need.kind === "chat-model-credential") {
    const keys = credentials.filter((c) => c.kind === "openai");
    if (!need.provider) return keys;
    const matches = (c: CredentialOption) => (presetForUrl(c.baseUrl)?.id ?? "openai") === need.provider;
    return [...keys.filter(matches), ...keys.filter((c) => !matches(c))];
  }
  if (need.kind === "credential") return [...credentials.filter((c) => c.kind === "secret"), ...credentials.filter((c) => c.kind !== "secret")];
  return [];
}

/** Whether the person is asked to pick something for this need (a deployed model is only named). */
export function needsAnswer(need: TemplateNeed): boolean {
  return need.kind !== "deployed-model";
}

/**
 * A pick per need: an id, "" for "not now" (the block stays unbound and the person sets it in
 * the editor), or undefined while unanswered. Preselects the best credential of the right
 * provider, or the only knowledge base; nothing when there is no good guess.
 */
export function defaultPicks(needs: readonly TemplateNeed[], credentials: readonly CredentialOption[], bases: readonly KnowledgeBaseOption[]): (string | undefined)[] {
  return needs.map((need) => {
    if (need.kind === "knowledge-base") return bases.length === 1 ? bases[0]?.id : undefined;
    if (need.kind === "chat-model-credential" && need.provider) {
      const best = credentialChoices(need, credentials)[0];
      return best && (presetForUrl(best.baseUrl)?.id ?? "openai") === need.provider ? best.id : undefined;
    }
    if (need.kind === "credential") return credentialChoices(need, credentials)[0]?.id;
    return undefined;
  });
}

/**
 * The bindings "Use template" sends (one per block of each answered need) and the needs still
 * unanswered (by index). A "not now" answer binds nothing and is not unanswered.
 */
export function planBindings(needs: readonly TemplateNeed[], picks: readonly (string | undefined)[]): { bindings: Binding[]; unanswered: number[] } {
  const bindings: Binding[] = [];
  const unanswered: number[] = [];
  needs.forEach((need, i) => {
    if (!needsAnswer(need)) return;
    const pick = picks[i];
    if (pick === undefined) return void unanswered.push(i);
    if (pick === "") return;
    for (const nodeId of need.nodeIds) {
      bindings.push(need.kind === "knowledge-base" ? { nodeId, knowledgeBaseId: pick } : { nodeId, credentialId: pick });
    }
  });
  return { bindings, unanswered };
}
