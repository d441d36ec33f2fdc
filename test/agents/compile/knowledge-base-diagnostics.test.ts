import { describe, expect, it } from "vitest";
import { knowledgeRetrieverBlock } from "#agents/blocks/knowledge-retriever/block";
import { validateGraph } from "#agents/compile/validate";
import type { GraphDoc } from "#agents/graph/index";

/** A flow with one Knowledge Retriever naming `knowledgeBaseId`. */
const flowWith = (knowledgeBaseId: string): GraphDoc => ({
  schemaVersion: 1,
  nodes: [{ id: "kb", type: knowledgeRetrieverBlock.type, version: knowledgeRetrieverBlock.version, config: { knowledgeBaseId }, ui: { x: 0, y: 0 } }],
  edges: [],
});

describe("a block that reads a knowledge base is marked on the canvas when it cannot", () => {
  it("marks the node when no knowledge base is chosen, wherever the flow is validated", () => {
    expect(validateGraph(flowWith(""))).toEqual([
      { code: "E204", severity: "error", node: "kb", message: "Choose a knowledge base in this block's settings." },
    ]);
  });

  it("marks the node when its knowledge base is not one of the team's (deleted, or copied from another team)", () => {
    expect(validateGraph(flowWith("kb_gone"), { knowledgeBaseIds: new Set(["kb_handbook"]) })).toEqual([
      {
        code: "E205",
        severity: "error",
        node: "kb",
        message: "The chosen knowledge base is not one of this team's (deleted, or the flow came from another team); choose another.",
      },
    ]);
  });

  it("accepts one of the team's knowledge bases, and any chosen one where the team's are not known", () => {
    expect(validateGraph(flowWith("kb_handbook"), { knowledgeBaseIds: new Set(["kb_handbook"]) })).toEqual([]);
    expect(validateGraph(flowWith("kb_handbook"))).toEqual([]);
  });
});
