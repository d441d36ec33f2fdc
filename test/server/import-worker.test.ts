import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { ImportError, importFlowFile } from "#agents/import/index";
import { FlowImporter, ImporterRefusal } from "#server/import/runner";

/**
 * The flow importer's worker thread (server/import/): it gives what the kernel's importer gives,
 * refuses what it refuses with the same code, leaves the host's event loop free while it reads,
 * and a file that takes too long ends only the thread.
 */
const fixture = (name: string) => readFileSync(join(process.cwd(), "test/fixtures/import", name), "utf8");

/** About 270 KB of YAML: the yaml parser needs a second or more for it. */
const bigYaml = () => `app:\n  name: Big\n  mode: workflow\nitems:\n${Array.from({ length: 15_000 }, (_, i) => `  - k${i}: v${i}`).join("\n")}\n`;

let importer: FlowImporter | undefined;
afterEach(async () => {
  await importer?.close();
  importer = undefined;
});

describe("FlowImporter", () => {
  test("a Dify YAML file read in the worker gives what the kernel's importer gives on its own", async () => {
    importer = new FlowImporter();
    const text = fixture("dify/chatflow.yml");
    expect(await importer.import(text, "triage.yml")).toEqual(importFlowFile(text, "triage.yml"));
  });

  test("a refused file rejects with the importer's ImportError and code", async () => {
    importer = new FlowImporter();
    const refusal = importer.import('{"todo":["milk"]}', "x.json");
    await expect(refusal).rejects.toBeInstanceOf(ImportError);
    await expect(refusal).rejects.toMatchObject({ code: "I410" });
  });

  test("the host's event loop keeps turning while a large YAML file is read", async () => {
    importer = new FlowImporter();
    await importer.import('{"todo":[]}', "warm.json").catch(() => undefined); // the thread is started
    let ticks = 0;
    let reading = true;
    const tick = () => {
      ticks += 1;
      if (reading) setImmediate(tick);
    };
    setImmediate(tick);
    const outcome = importer.import(bigYaml(), "big.yml").finally(() => {
      reading = false;
    });
    await expect(outcome).rejects.toMatchObject({ code: "I410" });
    // Read on the host's thread, the import would end before the first tick.
    expect(ticks).toBeGreaterThan(1);
  });

  test("a file that takes longer than the limit ends the thread, not the host; the next file is read", async () => {
    importer = new FlowImporter({ timeoutMs: 50 });
    const slow = importer.import(bigYaml(), "big.yml");
    await expect(slow).rejects.toBeInstanceOf(ImporterRefusal);
    await expect(slow).rejects.toMatchObject({ kind: "too-costly", message: "Reading this file took longer than 0 s; it was not imported." });
    const next = new FlowImporter();
    await importer.close();
    importer = next;
    const text = fixture("dify/chatflow.yml");
    expect((await importer.import(text, "triage.yml")).name).toBe("Support triage");
  });

  test("more files waiting than the queue holds are refused as busy", async () => {
    importer = new FlowImporter({ maxQueued: 1 });
    const first = importer.import(fixture("dify/chatflow.yml"), "a.yml");
    const second = importer.import(fixture("dify/chatflow.yml"), "b.yml");
    await expect(second).rejects.toMatchObject({ kind: "busy" });
    expect((await first).name).toBe("Support triage");
  });
});
