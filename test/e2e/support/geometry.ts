import type { Page } from "@playwright/test";

/** What a person sees of the canvas: where the blocks are and whether each port can be reached. */

export type Box = { id: string; x: number; y: number; width: number; height: number };

export async function nodeBoxes(page: Page): Promise<Box[]> {
  return page.locator(".react-flow__node").evaluateAll((els) =>
    els.map((el) => {
      const r = el.getBoundingClientRect();
      return { id: el.getAttribute("data-id") ?? "", x: r.x, y: r.y, width: r.width, height: r.height };
    }),
  );
}

/** Pairs of blocks whose boxes overlap, as "a × b" (empty when none do). */
export function overlaps(boxes: readonly Box[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i]!;
      const b = boxes[j]!;
      if (a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height) out.push(`${a.id} × ${b.id}`);
    }
  return out;
}

/**
 * Ports a person cannot reach: outside the canvas, or with something else (another block, the
 * minimap, the zoom buttons) on top of the port's centre. Empty when every port is visible.
 */
export async function hiddenPorts(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const canvas = document.querySelector("[data-testid=flow-canvas]")!.getBoundingClientRect();
    const hidden: string[] = [];
    for (const handle of document.querySelectorAll<HTMLElement>("[data-testid=flow-canvas] .react-flow__handle")) {
      const r = handle.getBoundingClientRect();
      const x = r.left + r.width / 2;
      const y = r.top + r.height / 2;
      const name = handle.getAttribute("data-testid") ?? "port";
      if (x < canvas.left || x > canvas.right || y < canvas.top || y > canvas.bottom) {
        hidden.push(`${name} is outside the canvas`);
        continue;
      }
      const top = document.elementFromPoint(x, y);
      if (top !== handle && !handle.contains(top)) hidden.push(`${name} is under ${top?.getAttribute("class") || top?.tagName}`);
    }
    return hidden;
  });
}
