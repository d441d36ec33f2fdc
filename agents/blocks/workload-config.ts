import { z } from "zod";
import { DEPLOYMENT_TIERS, KNOWN_REGIONS, type WorkloadEnvVar, type WorkloadProblem } from "./workload-spec";

/**
 * Config fields every workload block shares (placement, price, duration, environment), so
 * the three blocks ask for them the same way and the compiler reads them the same way.
 */
const REGION_SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;

export const workloadNameField = z
  .string()
  .max(63)
  .regex(/^([a-z]([-a-z0-9]{0,61}[a-z0-9])?)?$/, "Use lower-case letters, digits and hyphens, starting with a letter")
  .default("")
  .meta({ title: "Service name", description: "How the manifests name this workload; empty uses the block's id." });

export const MODE_LABELS = { provider: "Data centre", fizz: "Community GPU (Fizz node)" } as const;

export const modeField = z
  .enum(["provider", "fizz"])
  .default("provider")
  .meta({
    title: "Where it runs",
    enumLabels: MODE_LABELS,
    description: "Data centres rent whole servers; community GPUs are cheaper, with limits.",
    help:
      "Data centre: machines run by providers in data centres. Community GPU (Fizz node): a GPU someone shares from their own " +
      "computer; cheaper, but one replica, no public port 80/443, no persistent disk and smaller sizes.",
  });

/** Spheron's tier keys in words: `secured` = trust tiers 1–3 (audited), `community` = 4–7. */
export const TIER_LABELS: Record<(typeof DEPLOYMENT_TIERS)[number], string> = {
  community: "Community providers, any tier",
  secured: "Secure data centre, any tier",
  "community-default": "Any provider",
  secured1: "Secure data centre, tier 1",
  secured2: "Secure data centre, tier 2",
  secured3: "Secure data centre, tier 3",
  community1: "Community provider, tier 1",
  community2: "Community provider, tier 2",
  community3: "Community provider, tier 3",
  community4: "Community provider, tier 4",
};

export const tierField = z
  .enum(DEPLOYMENT_TIERS)
  .default("community")
  .meta({
    title: "Provider trust",
    enumLabels: TIER_LABELS,
    description: "Which providers may bid to run it.",
    help:
      "The marketplace ranks providers by trust. Secure data centres are audited facilities; community providers are everyone " +
      "else. Tier 1 is the most trusted in each group. A narrower choice means fewer providers bid, so it may cost more.",
  });

export const regionField = z
  .string()
  .max(400)
  .default("")
  .refine(
    (v) => splitRegions(v).every((r) => REGION_SLUG.test(r)),
    "Regions are slugs like us-east, separated by ; or ,",
  )
  .meta({ title: "Regions", description: `Optional, e.g. ${KNOWN_REGIONS.slice(0, 3).join(";")}. Empty means anywhere.` });

export const maxPriceField = z
  .number()
  .positive("The price cap must be above 0")
  .max(100_000)
  .nullable()
  .default(null)
  .meta({
    title: "Max price (SPON per hour)",
    description: "The most this workload may cost per hour; empty uses the catalog estimate.",
    help: "SPON is the token the compute marketplace is paid in. This caps the hourly bid; providers may bid lower.",
  });

export const durationField = z
  .number()
  .int("Duration is a whole number of hours")
  .min(1, "Duration is at least 1 hour")
  .max(8_760, "Duration is at most a year (8,760 hours)")
  .default(1)
  .meta({
    title: "Duration (hours)",
    description: "How long to rent the machines.",
    help: "The rental (lease) runs this long. Its whole price in SPON is set aside up front (escrow); what is not used comes back.",
  });

export const replicasField = z
  .number()
  .int("Replicas is a whole number")
  .min(1, "At least 1 replica")
  .max(20, "At most 20 replicas")
  .default(1)
  .meta({ title: "Replicas" });

/** How a manifest shows a variable whose value is a saved credential, until dispatch puts the value in. */
export const SECRET_PLACEHOLDER_PREFIX = "skyloom-secret://";

export function secretPlaceholder(credentialId: string): string {
  return `${SECRET_PLACEHOLDER_PREFIX}${credentialId}`;
}

/** A variable's value: plain text, or a reference to one of the team's saved credentials. */
export const EnvValueSchema = z.union([
  z.string().max(8_192, "A value is at most 8,192 characters"),
  z.object({ credential: z.string().min(1, "Choose a saved credential").max(64) }).strict(),
]);
export type EnvValue = z.infer<typeof EnvValueSchema>;

export const envField = z
  .record(
    z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, "An environment variable name is letters, digits and _, not starting with a digit"),
    EnvValueSchema,
  )
  .refine((env) => Object.keys(env).length <= 100, "At most 100 environment variables")
  .default({})
  .meta({
    title: "Environment",
    widget: "env",
    description:
      "Variables passed to the container. For a token or key, choose a saved credential: manifests then show a placeholder, and the value is added only when the workload goes to its node.",
  });

/** Environment as the ordered list the manifests write (in the order the user entered it). */
export function envList(env: Record<string, EnvValue>): WorkloadEnvVar[] {
  return Object.entries(env).map(([name, value]) =>
    typeof value === "string" ? { name, value } : { name, value: secretPlaceholder(value.credential), credentialId: value.credential },
  );
}

/** Names people give tokens, keys and passwords; a plain-text value under one is most likely a secret. */
export function looksLikeSecretName(name: string): boolean {
  return /(TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIALS?)/i.test(name);
}

/** Warnings for secret-looking variables written in plain text (they would show in every manifest). */
export function plainSecretProblems(env: Record<string, EnvValue>): WorkloadProblem[] {
  return Object.entries(env)
    .filter(([name, value]) => typeof value === "string" && value !== "" && looksLikeSecretName(name))
    .map(([name]) => ({
      code: "E315" as const,
      severity: "warning" as const,
      message: `${name} looks like a secret but is written in plain text, so it shows in the manifests and exported files. Save it under Settings → Credentials and choose that credential for ${name}.`,
    }));
}

export const stringListField = (title: string) => z.array(z.string().max(4_096)).max(100).default([]).meta({ title });

export function splitRegions(value: string): string[] {
  return [...new Set(value.split(/[;,]/).map((r) => r.trim()).filter((r) => r !== ""))].sort();
}

/** `repo:tag` or `repo@sha256:…`, and the tag is not `latest` (providers cache images). */
export function isPinnedImage(image: string): boolean {
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return true;
  const lastSegment = image.slice(image.lastIndexOf("/") + 1);
  const colon = lastSegment.lastIndexOf(":");
  if (colon < 1) return false;
  const tag = lastSegment.slice(colon + 1);
  return /^[\w][\w.-]{0,127}$/.test(tag) && tag !== "latest";
}

export const imageField = (fallback: string) =>
  z
    .string()
    .trim()
    .min(1, "Enter a container image")
    .max(300)
    .regex(/^[a-z0-9][a-z0-9._\-/:@]*$/, "An image reference is lower-case, e.g. redis:7.2-alpine")
    .refine(isPinnedImage, "Pin the image to a version tag or digest (not :latest), e.g. redis:7.2-alpine")
    .default(fallback)
    .meta({ title: "Image" });

export const SPON_MICRO = 1_000_000;

export const toMicroSpon = (spon: number | null) => (spon === null ? null : Math.round(spon * SPON_MICRO));
