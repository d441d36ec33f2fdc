import type { Page } from "@playwright/test";
import { createFlow, dragBlock, nodeOfType, openPanel, waitSaved } from "./support/canvas";
import { expect, signUp, test, uniqueEmail } from "./support/fixtures";

/**
 * The editor opens without the two big libraries it only sometimes needs: the code viewer
 * (CodeMirror, for manifests) and the layout engine (elkjs, for "Tidy up"). Each loads the
 * first time it is used. Chunk names are hashes, so the libraries are told apart by contents.
 */
type Library = "CodeMirror" | "elkjs";

/** The big libraries among the scripts the page has loaded so far (once their bodies are read). */
function followLibraries(page: Page): () => Promise<Library[]> {
  const reads: Promise<Library | null>[] = [];
  page.on("response", (response) => {
    if (!new URL(response.url()).pathname.endsWith(".js")) return;
    reads.push(
      response.text().then(
        (text) => (text.includes("org.eclipse.elk") ? "elkjs" : text.includes("cm-editor") ? "CodeMirror" : null),
        () => null,
      ),
    );
  });
  return async () => [...new Set((await Promise.all(reads)).filter((l): l is Library => l !== null))].sort();
}

test("the editor loads CodeMirror with the first manifest shown and elkjs with the first Tidy up", async ({ page }) => {
  await signUp(page, uniqueEmail("weight"));
  const librariesLoaded = followLibraries(page);
  await createFlow(page, "Light editor");
  await dragBlock(page, "model.endpoint", { x: 250, y: 200 });
  await dragBlock(page, "io.chat-input", { x: 600, y: 350 });
  await waitSaved(page);
  await page.waitForLoadState("networkidle");
  expect(await librariesLoaded()).toEqual([]);

  await openPanel(page, "deploy");
  await expect(page.getByTestId("manifest-viewer").first().locator(".cm-content")).toContainText('version: "1.0"');
  expect(await librariesLoaded()).toEqual(["CodeMirror"]);

  const before = await nodeOfType(page, "io.chat-input").boundingBox();
  await page.getByTestId("auto-layout").click();
  await expect
    .poll(async () => {
      const after = await nodeOfType(page, "io.chat-input").boundingBox();
      return after && before ? Math.round(after.x - before.x) !== 0 || Math.round(after.y - before.y) !== 0 : false;
    })
    .toBe(true);
  expect(await librariesLoaded()).toEqual(["CodeMirror", "elkjs"]);
});
