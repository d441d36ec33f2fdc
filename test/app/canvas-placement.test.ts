import { describe, expect, it } from "vitest";
import { BLOCK_GAP, clampIntoView, findFreeSpot, tooClose, type Rect } from "#app/components/canvas/placement";

const size = { width: 240, height: 120 };
const viewport: Rect = { x: 0, y: 0, width: 1000, height: 800 };

function rectAt(p: { x: number; y: number }): Rect {
  return { ...p, ...size };
}

describe("findFreeSpot", () => {
  it("puts the first block in the centre of the view", () => {
    expect(findFreeSpot({ size, occupied: [], viewport })).toEqual({ x: 380, y: 340 });
  });

  it("puts a block right of the selection when that is free", () => {
    const selected = { x: 100, y: 100, width: 240, height: 200 };
    const spot = findFreeSpot({ size, occupied: [selected], viewport, selection: [selected] });
    expect(spot).toEqual({ x: 100 + 240 + BLOCK_GAP, y: 100 });
  });

  it("never lands on or next to an existing block, however many are added", () => {
    const occupied: Rect[] = [];
    for (let i = 0; i < 12; i++) {
      const spot = rectAt(findFreeSpot({ size, occupied, viewport }));
      for (const other of occupied) expect(tooClose(spot, other, BLOCK_GAP)).toBe(false);
      occupied.push(spot);
    }
  });

  it("keeps blocks inside the view while there is room there", () => {
    const occupied: Rect[] = [];
    for (let i = 0; i < 6; i++) {
      const spot = rectAt(findFreeSpot({ size, occupied, viewport }));
      expect(spot.x).toBeGreaterThanOrEqual(viewport.x);
      expect(spot.y).toBeGreaterThanOrEqual(viewport.y);
      expect(spot.x + spot.width).toBeLessThanOrEqual(viewport.x + viewport.width);
      expect(spot.y + spot.height).toBeLessThanOrEqual(viewport.y + viewport.height);
      occupied.push(spot);
    }
  });

  it("goes outside a full view rather than on top of a block", () => {
    const full: Rect = { x: -50, y: -50, width: 1100, height: 900 };
    const spot = rectAt(findFreeSpot({ size, occupied: [full], viewport }));
    expect(tooClose(spot, full, BLOCK_GAP)).toBe(false);
  });

  it("avoids a block next to the selection and takes the nearest free spot instead", () => {
    const selected = { x: 100, y: 100, width: 240, height: 200 };
    const neighbour = { x: 100 + 240 + BLOCK_GAP, y: 100, width: 240, height: 200 };
    const spot = rectAt(findFreeSpot({ size, occupied: [selected, neighbour], viewport, selection: [selected] }));
    expect(tooClose(spot, selected, BLOCK_GAP)).toBe(false);
    expect(tooClose(spot, neighbour, BLOCK_GAP)).toBe(false);
    // Still near the selection: within a block's length of where it was wanted.
    expect(Math.hypot(spot.x - neighbour.x, spot.y - neighbour.y)).toBeLessThan(400);
  });

  it("works in flow coordinates anywhere (a panned, zoomed-out view)", () => {
    const far: Rect = { x: 5000, y: -3000, width: 4000, height: 3000 };
    const occupied = [{ x: 6880, y: -1560, width: 240, height: 120 }];
    const spot = rectAt(findFreeSpot({ size, occupied, viewport: far }));
    expect(tooClose(spot, occupied[0]!, BLOCK_GAP)).toBe(false);
    expect(spot.x).toBeGreaterThanOrEqual(far.x);
    expect(spot.x + spot.width).toBeLessThanOrEqual(far.x + far.width);
  });
});

describe("clampIntoView", () => {
  it("leaves a block that is inside the view where it is", () => {
    expect(clampIntoView(rectAt({ x: 100, y: 100 }), viewport)).toEqual({ x: 100, y: 100 });
  });

  it("pulls a block dropped half over the left edge (under the palette) into the view", () => {
    expect(clampIntoView(rectAt({ x: -110, y: 300 }), viewport, 16)).toEqual({ x: 16, y: 300 });
  });

  it("pulls a block over the bottom-right corner into the view", () => {
    expect(clampIntoView(rectAt({ x: 900, y: 790 }), viewport, 16)).toEqual({ x: 1000 - 16 - 240, y: 800 - 16 - 120 });
  });

  it("keeps the top-left corner of a block larger than the view in view", () => {
    const small: Rect = { x: 0, y: 0, width: 200, height: 100 };
    expect(clampIntoView(rectAt({ x: -500, y: -500 }), small, 10)).toEqual({ x: 10, y: 10 });
  });
});
