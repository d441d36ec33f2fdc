import type { PortDataType } from "#agents/graph/index";

/**
 * One colour per data type, used on ports, edges and the legend, so a person learns that
 * "purple goes into purple" without reading a type name.
 */
export const PORT_COLORS: Record<PortDataType, string> = {
  text: "#3b82f6",
  messages: "#06b6d4",
  "chat-model": "#8b5cf6",
  embeddings: "#ec4899",
  tool: "#f59e0b",
  memory: "#10b981",
  retriever: "#84cc16",
  documents: "#a16207",
  json: "#64748b",
  endpoint: "#ef4444",
};
