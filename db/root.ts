import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The project root, found by walking up to Skyloom's package.json. Code runs both from the
 * sources (tests, tsx) and from the bundled host in build/, so a fixed relative path fails.
 */
export function projectRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = resolve(from);
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "skyloom") {
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`Cannot find Skyloom's package.json above ${from}`);
    dir = parent;
  }
}

export const migrationsFolder = (): string => join(projectRoot(), "db", "migrations");
