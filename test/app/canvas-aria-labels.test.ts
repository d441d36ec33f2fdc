import { describe, expect, it } from "vitest";
import { edgeAriaLabel, nodeAriaLabel } from "#app/components/canvas/aria-labels";
import { createNode, newEdge } from "#app/lib/graph-store/edits";
import { emptyGraph } from "#agents/graph/index";

describe("canvas aria labels", () => {
  const input = createNode("io.chat-input", { x: 0, y: 0 });
  const model = createNode("model.openai", { x: 300, y: 0 });
  const named = { ...model, ui: { ...model.ui, label: "Support answerer" } };

  it("names a block by its kind, and by its given name when it has one", () => {
    expect(nodeAriaLabel(model)).toBe("Chat Model block");
    expect(nodeAriaLabel(named)).toBe("Support answerer (Chat Model block)");
  });

  it("names a wire by the blocks and ports it joins", () => {
    const edge = newEdge({ node: input.id, port: "message" }, { node: model.id, port: "prompt" }, emptyGraph());
    expect(edgeAriaLabel(edge, new Map([input, model].map((n) => [n.id, n])))).toBe("Edge from Chat Input (Message) to Chat Model (Prompt)");
    expect(edgeAriaLabel(edge, new Map([input, named].map((n) => [n.id, n])))).toBe("Edge from Chat Input (Message) to Support answerer (Prompt)");
  });

  it("still says something useful for a wire to a missing block or port", () => {
    const edge = { id: "e", from: { node: input.id, port: "gone" }, to: { node: "nowhere", port: "prompt" } };
    expect(edgeAriaLabel(edge, new Map([[input.id, input]]))).toBe("Edge from Chat Input (gone) to a missing block (prompt)");
  });
});
