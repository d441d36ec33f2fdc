/**
 * The picture of a template's graph on its gallery card, computed from the graph itself (node
 * positions and edges), never a screenshot. A pure function: graph in, boxes and lines in
 * the thumbnail's own coordinates out; the SVG component only draws them.
 */

/** The small graph a template card carries (no configs: only what the picture needs). */
export type ThumbnailGraph = {
  nodes: readonly { id: string; type: string; label: string; position: { x: number; y: number } }[];
  edges: readonly { source: string; target: string }[];
};

export type ThumbnailBox = { id: string; type: string; label: string; x: number; y: number; width: number; height: number };
export type ThumbnailLine = { key: string; source: string; target: string; path: string };
export type ThumbnailLayout = { width: number; height: number; boxes: ThumbnailBox[]; lines: ThumbnailLine[] };

export type ThumbnailOptions = {
  width: number;
  height: number;
  /** Free room kept on every side, in thumbnail pixels. */
  padding?: number;
  /** How big a block is on the canvas (graph units); the editor draws blocks about this size. */
  blockSize?: { width: number; height: number };
  /** At most this many blocks are drawn (the rest would be specks); edges to dropped ones too. */
  maxBlocks?: number;
};

const DEFAULTS = { padding: 8, blockSize: { width: 240, height: 110 }, maxBlocks: 60 };

/** Rounds to 0.1 px: the SVG stays small and the numbers stable for tests. */
const round = (n: number) => Math.round(n * 10) / 10;

/**
 * Scales the graph's bounding box (blocks at their canvas size) to fit the thumbnail,
 * keeping its proportions and centring it. A graph with one block, or blocks on one line,
 * is not blown up beyond the scale a small graph would get. Edges run from the right middle
 * of their source box to the left middle of their target, as a smooth curve; an edge naming
 * a block that is not drawn is left out.
 */
export function layoutThumbnail(graph: ThumbnailGraph, options: ThumbnailOptions): ThumbnailLayout {
  const padding = options.padding ?? DEFAULTS.padding;
  const block = options.blockSize ?? DEFAULTS.blockSize;
  const nodes = graph.nodes.slice(0, options.maxBlocks ?? DEFAULTS.maxBlocks).filter((n) => Number.isFinite(n.position.x) && Number.isFinite(n.position.y));
  const empty = { width: options.width, height: options.height, boxes: [], lines: [] };
  if (nodes.length === 0) return empty;

  const minX = Math.min(...nodes.map((n) => n.position.x));
  const minY = Math.min(...nodes.map((n) => n.position.y));
  const maxX = Math.max(...nodes.map((n) => n.position.x + block.width));
  const maxY = Math.max(...nodes.map((n) => n.position.y + block.height));
  const innerWidth = Math.max(1, options.width - 2 * padding);
  const innerHeight = Math.max(1, options.height - 2 * padding);
  // Never larger than a three-block-wide flow would be drawn: one block must not fill the card.
  const widest = Math.max(maxX - minX, 3 * block.width);
  const scale = Math.min(innerWidth / widest, innerHeight / (maxY - minY));
  const offsetX = padding + (innerWidth - (maxX - minX) * scale) / 2;
  const offsetY = padding + (innerHeight - (maxY - minY) * scale) / 2;

  const boxes: ThumbnailBox[] = nodes.map((n) => ({
    id: n.id,
    type: n.type,
    label: n.label,
    x: round(offsetX + (n.position.x - minX) * scale),
    y: round(offsetY + (n.position.y - minY) * scale),
    width: round(block.width * scale),
    height: round(block.height * scale),
  }));
  const byId = new Map(boxes.map((b) => [b.id, b]));
  const lines: ThumbnailLine[] = [];
  graph.edges.forEach((e, i) => {
    const from = byId.get(e.source);
    const to = byId.get(e.target);
    if (!from || !to) return;
    const x1 = round(from.x + from.width);
    const y1 = round(from.y + from.height / 2);
    const x2 = to.x;
    const y2 = round(to.y + to.height / 2);
    const bend = round(Math.max(8, Math.abs(x2 - x1) / 2));
    lines.push({ key: `${i}:${e.source}->${e.target}`, source: e.source, target: e.target, path: `M${x1},${y1} C${round(x1 + bend)},${y1} ${round(x2 - bend)},${y2} ${x2},${y2}` });
  });
  return { width: options.width, height: options.height, boxes, lines };
}

/** A block's name cut to what fits in a box this wide (about 5 px a character at the thumbnail's font size). */
export function fitLabel(label: string, boxWidth: number): string {
  const room = Math.floor((boxWidth - 6) / 5);
  if (room < 2) return "";
  return label.length <= room ? label : `${label.slice(0, room - 1)}…`;
}
