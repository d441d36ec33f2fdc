import { Position, type NodeHandle } from "@xyflow/react";
import { blockRegistry } from "#agents/blocks/index";
import type { GraphNode, NodePorts } from "#agents/graph/index";

/**
 * The block node's fixed geometry. BlockNode draws with these sizes, and the canvas uses them
 * to tell React Flow where a node's ports are before the node was ever on screen: React Flow
 * then renders only the visible nodes (a 2,000-node flow opens at the cost of a few dozen)
 * instead of rendering all of them once to measure them.
 */
export const NODE_WIDTH = 240;
export const NODE_HEADER_HEIGHT = 44;
export const NODE_BODY_PADDING = 6;
export const PORT_ROW_HEIGHT = 24;
export const HANDLE_SIZE = 12;
const BORDER = 1;

export function estimateNodeSize(ports: NodePorts): { width: number; height: number } {
  const rows = Math.max(1, ports.inputs.length + ports.outputs.length);
  return { width: NODE_WIDTH, height: 2 * BORDER + NODE_HEADER_HEIGHT + 2 * NODE_BODY_PADDING + rows * PORT_ROW_HEIGHT };
}

/** A block's size as drawn (React Flow's measurement replaces it once the block was on screen). */
export function estimateBlockSize(node: GraphNode): { width: number; height: number } {
  return estimateNodeSize(blockRegistry.resolvePorts(node) ?? { inputs: [], outputs: [] });
}

export function estimateHandles(ports: NodePorts): NodeHandle[] {
  const top = (row: number) => BORDER + NODE_HEADER_HEIGHT + NODE_BODY_PADDING + row * PORT_ROW_HEIGHT + PORT_ROW_HEIGHT / 2 - HANDLE_SIZE / 2;
  const handles: NodeHandle[] = ports.inputs.map((p, i) => ({
    id: p.id,
    type: "target",
    position: Position.Left,
    x: BORDER - HANDLE_SIZE / 2,
    y: top(i),
    width: HANDLE_SIZE,
    height: HANDLE_SIZE,
  }));
  ports.outputs.forEach((p, i) =>
    handles.push({
      id: p.id,
      type: "source",
      position: Position.Right,
      x: NODE_WIDTH - BORDER - HANDLE_SIZE / 2,
      y: top(ports.inputs.length + i),
      width: HANDLE_SIZE,
      height: HANDLE_SIZE,
    }),
  );
  return handles;
}
