/**
 * The editor's right-hand sidebar: every entry here becomes a tab on /flows/:id. Adding a
 * panel (a test chat, a Deploy panel …) is one import and one line in EDITOR_PANELS; the page
 * renders whatever this list holds, in order.
 *
 * A panel gets EditorPanelProps and nothing else: it reads the live graph, asks the editor to
 * focus a node, and may paint run status on nodes through `setNodeStatus`. It must not edit
 * the graph behind the editor's back (the editor owns undo and autosave).
 */
import type { LucideIcon } from "lucide-react";
import type { ReactNode } from "react";
import type { GraphDoc } from "#agents/graph/index";
import type { NodeStatus } from "./node-overlay";
import { chatPanel } from "../chat/chat-panel";
import { deployPanel } from "../deploy/deploy-panel";
import { configPanel } from "./panels/config-panel";
import { problemsPanel } from "./panels/problems-panel";
import { versionsPanel } from "./panels/versions-panel";
import { publishPanel } from "../publish/publish-editor-panel";

export type { NodeStatus, NodeRunState } from "./node-overlay";

export type EditorPanelProps = {
  flowId: string;
  flowName: string;
  /** The graph as it is on screen right now (may be ahead of the last save). */
  graph: GraphDoc;
  /** The server revision of the last successful save. */
  revision: number;
  /** False for viewers and while a version is being previewed. */
  canEdit: boolean;
  /** Ids of the nodes the user has selected on the canvas. */
  selectedNodeIds: readonly string[];
  /** Selects a node, scrolls it into view and opens its configuration. */
  focusNode(nodeId: string): void;
  /** Paints a run status on a node (null clears it). UI only: never saved. */
  setNodeStatus(nodeId: string, status: NodeStatus | null): void;
  clearNodeStatuses(): void;
  /**
   * Saves any pending edits now and resolves with the saved revision, so a panel that runs or
   * deploys the stored flow acts on what the user sees. Rejects if the save fails (conflict).
   */
  flushSave(): Promise<number>;
  /** Switches the sidebar to another panel by id. */
  openPanel(panelId: string): void;
};

export type EditorPanel = {
  /** Stable id, used by openPanel() and in tests (data-testid="panel-tab-<id>"). */
  id: string;
  title: string;
  icon: LucideIcon;
  render(props: EditorPanelProps): ReactNode;
};


export const EDITOR_PANELS: readonly EditorPanel[] = [
  configPanel,
  problemsPanel,
  versionsPanel,
  // Other panels (test chat, deploy) add one line each below.
  chatPanel,
  deployPanel,
  publishPanel,
];
