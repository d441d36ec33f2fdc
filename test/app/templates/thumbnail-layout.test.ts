import { describe, expect, it } from "vitest";
import { fitLabel, layoutThumbnail, type ThumbnailGraph } from "#app/components/templates/thumbnail-layout";

const block = { width: 240, height: 110 };
const node = (id: string, x: number, y: number) => ({ id, type: "io.demo", label: id.toUpperCase(), position: { x, y } });

describe("layoutThumbnail", () => {
  it("draws nothing for an empty graph", () => {
    expect(layoutThumbnail({ nodes: [], edges: [] }, { width: 280, height: 120 })).toEqual({ width: 280, height: 120, boxes: [], lines: [] });
  });

  it("scales a left-to-right chain to fill the width, keeps proportions and centres it vertically", () => {
    // Three blocks 300 apart: the graph is 840 × 110 in canvas units.
    const graph: ThumbnailGraph = { nodes: [node("a", 0, 0), node("b", 300, 0), node("c", 600, 0)], edges: [] };
    const { boxes } = layoutThumbnail(graph, { width: 280, height: 120, padding: 10, blockSize: block });
    const scale = 260 / 840;
    expect(boxes.map((b) => b.x)).toEqual([10, Math.round((10 + 300 * scale) * 10) / 10, Math.round((10 + 600 * scale) * 10) / 10]);
    expect(boxes[0]?.width).toBe(Math.round(240 * scale * 10) / 10);
    expect(boxes[0]?.height).toBe(Math.round(110 * scale * 10) / 10);
    // Centred vertically: the same room above and below.
    const top = boxes[0]?.y ?? 0;
    const bottom = 120 - top - (boxes[0]?.height ?? 0);
    expect(Math.abs(top - bottom)).toBeLessThan(0.2);
    // The last box ends at the right padding.
    const last = boxes[2];
    expect((last?.x ?? 0) + (last?.width ?? 0)).toBeCloseTo(270, 0);
  });

  it("keeps the canvas order: a block lower on the canvas is lower in the picture, whatever the offset", () => {
    const graph: ThumbnailGraph = { nodes: [node("top", -500, -900), node("low", -500, -400)], edges: [] };
    const [top, low] = layoutThumbnail(graph, { width: 200, height: 200, blockSize: block }).boxes;
    expect(top && low && low.y > top.y + top.height).toBe(true);
    expect(top?.x).toBe(low?.x);
  });

  it("does not blow one block up to the whole card", () => {
    const { boxes } = layoutThumbnail({ nodes: [node("only", 40, 40)], edges: [] }, { width: 300, height: 120, padding: 0, blockSize: block });
    expect(boxes[0]?.width).toBe(100); // a third of the width, as in a three-block flow
    expect(boxes[0]?.x).toBe(100); // centred
  });

  it("wires from the right middle of the source to the left middle of the target", () => {
    const graph: ThumbnailGraph = { nodes: [node("a", 0, 0), node("b", 480, 0)], edges: [{ source: "a", target: "b" }] };
    const { boxes, lines } = layoutThumbnail(graph, { width: 720, height: 110, padding: 0, blockSize: block });
    expect(boxes.map((b) => [b.x, b.y, b.width, b.height])).toEqual([
      [0, 0, 240, 110],
      [480, 0, 240, 110],
    ]);
    expect(lines).toEqual([{ key: "0:a->b", source: "a", target: "b", path: "M240,55 C360,55 360,55 480,55" }]);
  });

  it("leaves out edges to blocks that are not there and blocks past the limit", () => {
    const graph: ThumbnailGraph = {
      nodes: [node("a", 0, 0), node("b", 300, 0), node("c", 600, 0)],
      edges: [
        { source: "a", target: "b" },
        { source: "b", target: "c" },
        { source: "a", target: "ghost" },
      ],
    };
    const layout = layoutThumbnail(graph, { width: 280, height: 120, maxBlocks: 2 });
    expect(layout.boxes.map((b) => b.id)).toEqual(["a", "b"]);
    expect(layout.lines.map((l) => l.key)).toEqual(["0:a->b"]);
  });

  it("ignores a block whose position is not a number instead of drawing NaN", () => {
    const graph: ThumbnailGraph = { nodes: [node("a", 0, 0), { ...node("bad", 0, 0), position: { x: Number.NaN, y: 0 } }], edges: [] };
    const layout = layoutThumbnail(graph, { width: 280, height: 120 });
    expect(layout.boxes.map((b) => b.id)).toEqual(["a"]);
    expect(layout.boxes.every((b) => [b.x, b.y, b.width, b.height].every(Number.isFinite))).toBe(true);
  });
});

describe("fitLabel", () => {
  it("keeps a name that fits and cuts one that does not, with an ellipsis", () => {
    expect(fitLabel("Chat", 60)).toBe("Chat");
    expect(fitLabel("Conversation memory", 60)).toBe("Conversat…") // 10 characters in 54 px;
    expect(fitLabel("Anything", 10)).toBe("");
  });
});
