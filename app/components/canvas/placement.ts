/**
 * Where a new block goes on the canvas. Pure geometry in flow coordinates, so it can be
 * tested without a browser: the editor passes the blocks' rectangles, the part of the flow
 * the user is looking at, and the selected blocks.
 */

export type Point = { x: number; y: number };
export type Size = { width: number; height: number };
export type Rect = Point & Size;

/** Space kept between blocks: room for the ports (which stick out) and a wire between them. */
export const BLOCK_GAP = 48;
/** How far a dropped block stays from the canvas's edges. */
export const VIEW_MARGIN = 16;

/** Grid cells per viewport side that the search tries; finer costs time in large flows. */
const SEARCH_CELLS = 48;
const MIN_STEP = 16;

export function boundsOf(rects: readonly Rect[]): Rect | null {
  if (rects.length === 0) return null;
  let left = Infinity;
  let top = Infinity;
  let right = -Infinity;
  let bottom = -Infinity;
  for (const r of rects) {
    left = Math.min(left, r.x);
    top = Math.min(top, r.y);
    right = Math.max(right, r.x + r.width);
    bottom = Math.max(bottom, r.y + r.height);
  }
  return { x: left, y: top, width: right - left, height: bottom - top };
}

/** The two rectangles come closer than `gap` (or overlap). */
export function tooClose(a: Rect, b: Rect, gap: number): boolean {
  return a.x < b.x + b.width + gap && b.x < a.x + a.width + gap && a.y < b.y + b.height + gap && b.y < a.y + a.height + gap;
}

function contains(outer: Rect, inner: Rect): boolean {
  return inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.width <= outer.x + outer.width && inner.y + inner.height <= outer.y + outer.height;
}

const offsetCache = new Map<number, readonly (readonly [number, number])[]>();

/** Grid offsets within `radius` cells, nearest first (computed once per radius). */
function offsetsByDistance(radius: number): readonly (readonly [number, number])[] {
  let offsets = offsetCache.get(radius);
  if (!offsets) {
    const list: [number, number][] = [];
    for (let i = -radius; i <= radius; i++) for (let j = -radius; j <= radius; j++) list.push([i, j]);
    list.sort((a, b) => a[0] * a[0] + a[1] * a[1] - (b[0] * b[0] + b[1] * b[1]));
    offsets = list;
    offsetCache.set(radius, offsets);
  }
  return offsets;
}

/**
 * A top-left corner for a block of `size` that keeps `gap` from every occupied rectangle.
 * It prefers the spot right of the selection (the block the user is working on), else the
 * centre of the view, and takes the free spot nearest to that, inside the view when there is
 * room there. Never returns a spot that collides with an occupied rectangle.
 */
export function findFreeSpot(args: {
  size: Size;
  occupied: readonly Rect[];
  viewport: Rect;
  selection?: readonly Rect[];
  gap?: number;
}): Point {
  const { size, occupied, viewport } = args;
  const gap = args.gap ?? BLOCK_GAP;
  const selected = boundsOf(args.selection ?? []);
  const preferred: Point = selected
    ? { x: selected.x + selected.width + gap, y: selected.y }
    : { x: viewport.x + (viewport.width - size.width) / 2, y: viewport.y + (viewport.height - size.height) / 2 };

  const step = Math.max(MIN_STEP, Math.max(viewport.width, viewport.height) / SEARCH_CELLS);
  const radius = Math.ceil((Math.max(viewport.width, viewport.height) + Math.max(size.width, size.height)) / step);
  // Only rectangles the search could touch take part, so a 2,000-block flow costs no more than a small one.
  const reach = radius * step + Math.max(size.width, size.height) + gap;
  const area = { x: preferred.x - reach, y: preferred.y - reach, width: 2 * reach, height: 2 * reach };
  const nearby = occupied.filter((o) => tooClose(o, area, 0));
  const free = (r: Rect) => !nearby.some((o) => tooClose(r, o, gap));

  let firstFreeOutside: Point | null = null;
  for (const [i, j] of offsetsByDistance(radius)) {
    const r = { x: preferred.x + i * step, y: preferred.y + j * step, ...size };
    const visible = contains(viewport, r);
    if (!visible && firstFreeOutside) continue;
    if (!free(r)) continue;
    if (visible) return { x: r.x, y: r.y };
    firstFreeOutside = { x: r.x, y: r.y };
  }
  if (firstFreeOutside) return firstFreeOutside;
  // Everything around is full: below every block there is always room.
  const all = boundsOf(occupied);
  return { x: preferred.x, y: all ? all.y + all.height + gap : preferred.y };
}

/**
 * Moves a rectangle the smallest distance that puts it wholly inside the view (less a
 * margin); a rectangle larger than the view keeps its top-left corner in view.
 */
export function clampIntoView(rect: Rect, viewport: Rect, margin = VIEW_MARGIN): Point {
  const clamp = (value: number, length: number, viewStart: number, viewLength: number) => {
    const min = viewStart + margin;
    const max = viewStart + viewLength - margin - length;
    return max < min ? min : Math.min(Math.max(value, min), max);
  };
  return { x: clamp(rect.x, rect.width, viewport.x, viewport.width), y: clamp(rect.y, rect.height, viewport.y, viewport.height) };
}
