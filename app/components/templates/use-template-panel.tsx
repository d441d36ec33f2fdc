import { useNavigate } from "@remix-run/react";
import { Plus } from "lucide-react";
import { useId, useState } from "react";
import type { ProviderPresetId } from "#agents/catalog/providers";
import { useTRPCClient } from "#app/lib/trpc";
import { useAction } from "#app/lib/use-action";
import { CredentialForm } from "../credentials/credential-form";
import { Button } from "../ui/button";
import { FormError, TextField } from "../ui/field";
import { credentialChoices, defaultPicks, needChip, needsAnswer, planBindings, type CredentialOption, type KnowledgeBaseOption, type TemplateNeed } from "./needs";

const UNSET = "__unset";

/**
 * "Use template": asks right here for what the template needs (a key for its chat models, a
 * knowledge base), with "Add credential" inline, then creates the flow in one click and
 * opens it. Credentials are never inside a template: the team's own are bound to its blocks.
 */
export function UseTemplatePanel({
  template,
  credentials: initialCredentials,
  knowledgeBases,
}: {
  template: { id: string; name: string; needs: readonly TemplateNeed[]; missing: readonly TemplateNeed[] };
  credentials: readonly CredentialOption[];
  knowledgeBases: readonly KnowledgeBaseOption[];
}) {
  const client = useTRPCClient();
  const navigate = useNavigate();
  const [credentials, setCredentials] = useState(initialCredentials);
  const [picks, setPicks] = useState(() => defaultPicks(template.needs, initialCredentials, knowledgeBases));
  const [adding, setAdding] = useState<number | null>(null);
  const [name, setName] = useState(template.name);
  const [showUnanswered, setShowUnanswered] = useState(false);
  const plan = planBindings(template.needs, picks);

  const use = useAction(async () => {
    if (plan.unanswered.length > 0) {
      setShowUnanswered(true);
      return;
    }
    const { flowId } = await client.template.use.mutate({ id: template.id, name, bindings: plan.bindings });
    navigate(`/flows/${flowId}`);
  });
  const pick = (index: number, value: string | undefined) => setPicks((all) => all.map((p, i) => (i === index ? value : p)));

  return (
    <section aria-labelledby="use-template-title" id="use" className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm" data-testid="use-template">
      <h2 id="use-template-title" className="text-base font-semibold">
        Use this template
      </h2>
      <p className="mt-1 text-sm text-slate-600">A new flow is created in your team and opens in the editor.</p>
      <div className="mt-4 space-y-4">
        <TextField label="Flow name" value={name} maxLength={120} onChange={(e) => setName(e.target.value)} error={use.error?.fields.name?.[0]} />
        {template.needs.map((need, index) => (
          <NeedField
            key={`${need.kind}:${need.nodeIds.join(",")}`}
            need={need}
            missing={template.missing.some((m) => m.kind === need.kind && m.nodeIds.join() === need.nodeIds.join())}
            value={picks[index]}
            credentials={credentials}
            knowledgeBases={knowledgeBases}
            unanswered={showUnanswered && plan.unanswered.includes(index)}
            onPick={(value) => pick(index, value)}
            adding={adding === index}
            onAdd={() => setAdding(index)}
            onAdded={(credential) => {
              setCredentials((all) => [...all, credential]);
              pick(index, credential.id);
              setAdding(null);
            }}
            onCancelAdd={() => setAdding(null)}
          />
        ))}
        <FormError message={use.error && !use.error.fields.name ? use.error.message : null} />
        {showUnanswered && plan.unanswered.length > 0 && (
          <p role="alert" className="text-sm text-red-600">
            Choose something for each need above (or “Not now”) first.
          </p>
        )}
        <Button className="w-full" busy={use.busy} disabled={adding !== null} onClick={() => void use.run()} data-testid="use-template-submit">
          Use template
        </Button>
      </div>
    </section>
  );
}

function NeedField({
  need,
  missing,
  value,
  credentials,
  knowledgeBases,
  unanswered,
  onPick,
  adding,
  onAdd,
  onAdded,
  onCancelAdd,
}: {
  need: TemplateNeed;
  missing: boolean;
  value: string | undefined;
  credentials: readonly CredentialOption[];
  knowledgeBases: readonly KnowledgeBaseOption[];
  unanswered: boolean;
  onPick(value: string | undefined): void;
  adding: boolean;
  onAdd(): void;
  onAdded(credential: CredentialOption): void;
  onCancelAdd(): void;
}) {
  const id = useId();
  if (!needsAnswer(need)) {
    return (
      <div className="rounded-md bg-slate-50 p-3 text-sm text-slate-700">
        <p className="font-medium">{need.label}</p>
        <p className="mt-0.5 text-xs text-slate-500">You choose the GPUs and deploy it from the editor once the flow is open.</p>
      </div>
    );
  }
  const isKnowledge = need.kind === "knowledge-base";
  const options = isKnowledge ? knowledgeBases : credentialChoices(need, credentials);
  const notNow = isKnowledge
    ? "Not now: choose a knowledge base in the editor"
    : need.kind === "chat-model-credential"
      ? "Not now: Skyloom's default model answers until you set one"
      : "Not now: set it in the editor";
  return (
    <div data-testid="template-need-field">
      <label htmlFor={id} className="block text-sm font-medium text-slate-700">
        {need.label}
      </label>
      <p className="text-xs text-slate-500">
        {needChip(need)}
        {missing && ` · your team has no ${isKnowledge ? "knowledge base" : "matching credential"} yet`}
      </p>
      <select
        id={id}
        value={value ?? UNSET}
        onChange={(e) => onPick(e.target.value === UNSET ? undefined : e.target.value)}
        aria-invalid={unanswered || undefined}
        className={`mt-1 block w-full rounded-md border px-3 py-2 text-sm ${unanswered ? "border-red-500" : "border-slate-300"}`}
      >
        <option value={UNSET}>{isKnowledge ? "Choose a knowledge base…" : "Choose a credential…"}</option>
        {options.map((o) => (
          <option key={o.id} value={o.id}>
            {o.name}
          </option>
        ))}
        <option value="">{notNow}</option>
      </select>
      {isKnowledge ? (
        <a href="/knowledge" target="_blank" rel="noreferrer" className="mt-1 inline-block text-xs text-brand-700 underline">
          Create a knowledge base (opens in a new tab)
        </a>
      ) : adding ? (
        <div className="mt-2 rounded-md border border-slate-200 p-3" data-testid="inline-credential">
          <CredentialForm
            initialKind={need.kind === "credential" ? "secret" : "openai"}
            provider={need.kind === "chat-model-credential" ? (need.provider as ProviderPresetId | undefined) : undefined} onSaved={onAdded} onCancel={onCancelAdd} />
        </div>
      ) : (
        <Button variant="ghost" className="mt-1 !px-2 !py-1 text-xs" onClick={onAdd}>
          <Plus size={14} aria-hidden /> Add credential
        </Button>
      )}
    </div>
  );
}
