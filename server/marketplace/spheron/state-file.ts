import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/**
 * Which Spheron lease belongs to which team. The chain knows only the wallet that paid, so the
 * host keeps this itself: a small JSON file under DATA_DIR, rewritten whole through a rename so
 * a crash mid-write leaves the previous version.
 */
export type SpheronDeploymentRecord = {
  id: string;
  teamId: string;
  name: string;
  manifest: string;
  manifestHash: string;
  maxPriceWeiPerSecond: string;
  durationSeconds: number;
  createdAt: number;
  leaseId: string | null;
  state: "ordering" | "leased" | "failed" | "closed";
  message: string | null;
};

export class SpheronDeploymentFile {
  private readonly records = new Map<string, SpheronDeploymentRecord>();

  constructor(private readonly path: string) {
    let text = "";
    try {
      text = readFileSync(path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    for (const r of text ? (JSON.parse(text) as SpheronDeploymentRecord[]) : []) this.records.set(r.id, r);
  }

  get(id: string): SpheronDeploymentRecord | undefined {
    return this.records.get(id);
  }

  put(record: SpheronDeploymentRecord): void {
    this.records.set(record.id, record);
    this.save();
  }

  update(id: string, change: Partial<Omit<SpheronDeploymentRecord, "id" | "teamId">>): void {
    const record = this.records.get(id);
    if (!record) return;
    this.records.set(id, { ...record, ...change });
    this.save();
  }

  private save(): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.tmp`;
    writeFileSync(temporary, JSON.stringify([...this.records.values()], null, 2), { mode: 0o600 });
    renameSync(temporary, this.path);
  }
}
