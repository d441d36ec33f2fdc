import { useMemo } from "react";
import { fitLabel, layoutThumbnail, type ThumbnailGraph } from "./thumbnail-layout";

/** Box colours by the block type's family (the part before the dot), so a card reads at a glance. */
const FAMILY_COLORS: Record<string, { fill: string; stroke: string }> = {
  io: { fill: "#e0f2fe", stroke: "#0284c7" },
  model: { fill: "#ede9fe", stroke: "#7c3aed" },
  prompt: { fill: "#fef3c7", stroke: "#d97706" },
  memory: { fill: "#dcfce7", stroke: "#16a34a" },
  tool: { fill: "#ffe4e6", stroke: "#e11d48" },
  knowledge: { fill: "#ccfbf1", stroke: "#0d9488" },
  workload: { fill: "#e2e8f0", stroke: "#475569" },
};
const OTHER = { fill: "#f1f5f9", stroke: "#94a3b8" };

export function familyColor(type: string) {
  return FAMILY_COLORS[type.split(".")[0] ?? ""] ?? OTHER;
}

/** A small SVG of a template's graph: its blocks as boxes where they stand, its wires as curves. */
export function GraphThumbnail({ graph, width = 280, height = 120, title }: { graph: ThumbnailGraph; width?: number; height?: number; title: string }) {
  const layout = useMemo(() => layoutThumbnail(graph, { width, height }), [graph, width, height]);
  const label = `${title}: ${graph.nodes.length} block${graph.nodes.length === 1 ? "" : "s"}, ${graph.edges.length} connection${graph.edges.length === 1 ? "" : "s"}`;
  return (
    <svg
      viewBox={`0 0 ${layout.width} ${layout.height}`}
      className="h-auto w-full rounded-md bg-slate-50"
      role="img"
      aria-label={label}
      data-testid="template-thumbnail"
      data-blocks={layout.boxes.length}
      data-lines={layout.lines.length}
    >
      {layout.lines.map((l) => (
        <path key={l.key} d={l.path} fill="none" stroke="#94a3b8" strokeWidth={1.2} />
      ))}
      {layout.boxes.map((b) => {
        const color = familyColor(b.type);
        return (
          <g key={b.id}>
            <title>{b.label}</title>
            <rect x={b.x} y={b.y} width={b.width} height={b.height} rx={Math.min(4, b.height / 4)} fill={color.fill} stroke={color.stroke} strokeWidth={1} />
            {b.width >= 40 && b.height >= 12 && (
              <text x={b.x + 3} y={b.y + Math.min(b.height / 2 + 3, 11)} fontSize={Math.min(9, b.height / 2)} fill="#334155">
                {fitLabel(b.label, b.width)}
              </text>
            )}
          </g>
        );
      })}
    </svg>
  );
}
