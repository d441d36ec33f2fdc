import { readFileSync } from "node:fs";
import { join } from "node:path";
import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import { blockRegistry } from "#agents/blocks/index";
import { parseFlowFile, newId, type GraphDoc } from "#agents/graph/index";
import type { Db } from "#db/client";
import { projectRoot } from "#db/root";
import { templates, templateVersions } from "#db/schema";
import { stripTemplateSecrets, templateNeeds, templateValidationErrors } from "./template-secrets";

/**
 * Skyloom's own shelf: flow files in server/templates/seed/ (`<key>.flow.json` and its readme
 * `<key>.md`), listed with their words in `catalog.json`. They are read with the same flow-file
 * parser as any import (limits, upgrade to this build's blocks), must validate, and are loaded
 * at every start: a new seed is added, a changed one updated (its version bumped, uses kept),
 * an unchanged one left alone.
 */

export const seedFolder = (): string => join(projectRoot(), "server", "templates", "seed");

const CatalogSchema = z.array(
  z.object({
    key: z.string().regex(/^[a-z0-9-]+$/),
    description: z.string().min(1).max(2_000),
    category: z.string().min(1).max(40),
    tags: z.array(z.string().min(1).max(30)).max(10),
    /** 1–4: offered on the empty dashboard in this order. */
    featured: z.number().int().min(1).max(4).optional(),
  }),
);

export type SeedTemplate = {
  key: string;
  name: string;
  description: string;
  category: string;
  tags: string[];
  readme: string;
  featured: number | null;
  graph: GraphDoc;
};

/** A seed that does not read or validate is a bug in Skyloom: it stops the start, naming the file. */
export class SeedTemplateError extends Error {
  override name = "SeedTemplateError";
}

/** Every seed template, read, upgraded and validated. */
export function readSeedTemplates(folder: string = seedFolder()): SeedTemplate[] {
  const catalog = CatalogSchema.parse(JSON.parse(readFileSync(join(folder, "catalog.json"), "utf8")));
  return catalog.map((entry) => {
    const file = `${entry.key}.flow.json`;
    const read = parseFlowFile(readFileSync(join(folder, file), "utf8"), blockRegistry);
    if (!read.ok) throw new SeedTemplateError(`Seed template ${file}: ${read.message} ${read.details.join("; ")}`);
    if (read.problems.length > 0) throw new SeedTemplateError(`Seed template ${file}: ${read.problems.map((p) => p.message).join("; ")}`);
    const errors = templateValidationErrors(read.file.graph);
    if (errors.length > 0) throw new SeedTemplateError(`Seed template ${file} does not validate: ${errors.map((d) => `${d.code} ${d.message}`).join("; ")}`);
    if (stripTemplateSecrets(read.file.graph).stripped.length > 0) throw new SeedTemplateError(`Seed template ${file} holds a credential or secret.`);
    return {
      key: entry.key,
      name: read.file.name,
      description: entry.description,
      category: entry.category,
      tags: entry.tags,
      readme: readFileSync(join(folder, `${entry.key}.md`), "utf8"),
      featured: entry.featured ?? null,
      graph: read.file.graph,
    };
  });
}

/** What of a seed is stored, in a comparable form. */
function fingerprint(t: { name: string; description: string; category: string; tags: string[]; readme: string; featuredRank: number | null; graph: unknown }): string {
  return JSON.stringify([t.name, t.description, t.category, t.tags, t.readme, t.featuredRank, t.graph]);
}

/** Adds or updates the seeded shelf in one transaction; returns how many rows were written. */
export function loadSeedTemplates(db: Db, seeds: readonly SeedTemplate[] = readSeedTemplates()): number {
  let written = 0;
  db.transaction((tx) => {
    for (const seed of seeds) {
      const values = {
        name: seed.name,
        description: seed.description,
        category: seed.category,
        tags: seed.tags,
        readme: seed.readme,
        featuredRank: seed.featured,
        graph: seed.graph,
      };
      const existing = tx.select().from(templates).where(eq(templates.seedKey, seed.key)).get();
      if (existing && fingerprint(existing) === fingerprint(values)) continue;
      const now = new Date();
      const id = existing?.id ?? newId("tpl");
      let version = 1;
      if (existing) {
        const bumped = tx
          .update(templates)
          .set({ ...values, needs: templateNeeds(seed.graph), version: sql`${templates.version} + 1`, updatedAt: now })
          .where(eq(templates.id, id))
          .returning({ version: templates.version })
          .get();
        version = bumped?.version ?? existing.version + 1;
      } else {
        tx.insert(templates)
          .values({ id, teamId: null, seedKey: seed.key, visibility: "skyloom", ...values, needs: templateNeeds(seed.graph), version, uses: 0, createdBy: null, createdAt: now, updatedAt: now })
          .run();
      }
      tx.insert(templateVersions).values({ id: newId("tplv"), templateId: id, number: version, name: seed.name, graph: seed.graph, sourceFlowId: null, authorId: null, createdAt: now }).run();
      written += 1;
    }
  });
  return written;
}
