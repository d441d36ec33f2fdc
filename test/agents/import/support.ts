import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The import fixtures: files in each builder's own format, written for these tests
 * (test/fixtures/import/<format>/), each with its golden report beside it.
 */
export const FIXTURE_ROOT = join(import.meta.dirname, "../../fixtures/import");

export type Fixture = { name: string; path: string; text: string; reportPath: string };

export function fixtures(): Fixture[] {
  const out: Fixture[] = [];
  for (const dir of ["flowise", "langflow", "dify"]) {
    for (const file of readdirSync(join(FIXTURE_ROOT, dir)).sort()) {
      if (file.endsWith(".report.json")) continue;
      const path = join(FIXTURE_ROOT, dir, file);
      out.push({ name: `${dir}/${file}`, path, text: readFileSync(path, "utf8"), reportPath: path.replace(/\.(json|ya?ml)$/, ".report.json") });
    }
  }
  return out;
}

/** Every secret value written into the fixtures: none may appear in what an import produces. */
export const FIXTURE_SECRETS = /SECRET|FLOWISE-HEADER-TOKEN|flowise-credential|af-cred-1|cred-custom/;
