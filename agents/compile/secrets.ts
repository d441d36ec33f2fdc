import type { GraphDoc } from "../graph/doc";
import { diagnostic, type Diagnostic } from "../graph/diagnostics";
import type { Plan } from "./plan";
import { looksLikeSecretName } from "../blocks/workload-config";

/**
 * Looks up a saved credential's value for dispatch; null when the team has no such credential.
 * Only the server has one (it decrypts); previews and the CLI compile without it and keep the
 * placeholders, so the manifests a person sees or downloads never carry a secret.
 */
export type SecretResolver = (credentialId: string) => string | null;

/** The plan with every credential-backed variable's placeholder replaced by its value. */
export function resolvePlanSecrets(plan: Plan, resolve: SecretResolver): { plan: Plan; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const workloads = plan.workloads.map((w) => {
    if (!w.spec.env.some((e) => e.credentialId)) return w;
    const env = w.spec.env.map((e) => {
      if (!e.credentialId) return e;
      const value = resolve(e.credentialId);
      if (value === null) {
        diagnostics.push(
          diagnostic(
            "E316",
            `${e.name} of "${w.name}" refers to a saved credential that no longer exists; choose another one in the block's Environment.`,
            { node: w.node },
          ),
        );
        return e;
      }
      return { ...e, value };
    });
    return { ...w, spec: { ...w.spec, env } };
  });
  return { plan: { ...plan, workloads }, diagnostics };
}

/**
 * The graph without plain-text values under secret-looking variable names (HF_TOKEN=hf_…), for
 * files that leave Skyloom (flow export). Credential references stay: they are only ids, and
 * they resolve only inside the team that saved the credential.
 */
export function redactPlainSecrets(graph: GraphDoc): { graph: GraphDoc; redacted: { node: string; name: string }[] } {
  const redacted: { node: string; name: string }[] = [];
  const nodes = graph.nodes.map((node) => {
    const config = node.config;
    if (!isRecord(config) || !isRecord(config.env)) return node;
    const env: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(config.env)) {
      const secret = typeof value === "string" && value !== "" && looksLikeSecretName(name);
      if (secret) redacted.push({ node: node.id, name });
      env[name] = secret ? "" : value;
    }
    return { ...node, config: { ...config, env } };
  });
  return { graph: redacted.length > 0 ? { ...graph, nodes } : graph, redacted };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
