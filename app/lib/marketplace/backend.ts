/**
 * What answers a model endpoint, said plainly: a node serves models either with Skyloom's
 * local development model (canned text: useful to try the whole path, not a language model)
 * or with its operator's own OpenAI-compatible server (`--serve-openai`, e.g. Ollama).
 */
export function backendSentence(label: string | null): { text: string; devModel: boolean } | null {
  if (!label) return null;
  const devModel = /development model/i.test(label);
  const text = `Served by ${label.replace(/\.$/, "")}.`;
  return { text: devModel ? `${text} Local development model — not a real LLM.` : text, devModel };
}
