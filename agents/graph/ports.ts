import type { PortDataType } from "./data-types";
import type { GraphNode } from "./doc";

/** A port on a block: where edges attach. Inputs and outputs each have unique ids. */
export type PortSpec = {
  id: string;
  label: string;
  type: PortDataType;
  /** An input the block cannot run without (reported by validate as E202). */
  required?: boolean;
  /** An input that takes many edges (tools into an agent); single-valued otherwise. */
  multiple?: boolean;
  description?: string;
};

export type NodePorts = { inputs: readonly PortSpec[]; outputs: readonly PortSpec[] };

/**
 * Looks up the ports of a node (they may depend on its config, like a prompt's variables).
 * Returns undefined for a node whose block type is unknown.
 */
export type PortResolver = (node: GraphNode) => NodePorts | undefined;

/** Tells whether a node's block may sit on a cycle (loop blocks). */
export type CyclePolicy = (node: GraphNode) => boolean;
