import type { ReactFlowInstance } from "@xyflow/react";
import { createContext, useContext } from "react";
import type { Diagnostic } from "#agents/graph/diagnostics";
import type { GraphDoc } from "#agents/graph/index";
import type { GraphStore } from "#app/lib/graph-store/store";
import type { Autosave } from "./autosave";
import type { EditorCommands } from "./editor-commands";
import type { NodeOverlayStore } from "./node-overlay";
import type { ValueStore } from "./value-store";

export type PreviewedVersion = { versionId: string; number: number; message: string; graph: GraphDoc };

export type EditorNotice = { tone: "error" | "info"; text: string; details?: string[] };

/** Editor UI state shared by the toolbar, canvas and panels; never saved. */
export type EditorUi = {
  activePanel: string;
  /** A version shown read-only on the canvas instead of the working copy. */
  preview: PreviewedVersion | null;
  /** Why the connection being dragged would be refused (shown next to the pointer). */
  connectionHint: string | null;
  notice: EditorNotice | null;
  /** Validation has been asked for: diagnostics stay on nodes and update with every edit. */
  showDiagnostics: boolean;
  shortcutsOpen: boolean;
};

export type ReactFlowRef = { current: ReactFlowInstance | null };

export type EditorContextValue = {
  flowId: string;
  flowName: string;
  /** The user's role allows editing (preview mode is separate, see ui.preview). */
  canEdit: boolean;
  store: GraphStore;
  overlay: NodeOverlayStore;
  ui: ValueStore<EditorUi>;
  diagnostics: ValueStore<Diagnostic[]>;
  autosave: Autosave;
  commands: EditorCommands;
  reactFlow: ReactFlowRef;
};

export const EditorContext = createContext<EditorContextValue | null>(null);

export function useEditor(): EditorContextValue {
  const value = useContext(EditorContext);
  if (!value) throw new Error("useEditor() is used outside the flow editor.");
  return value;
}
