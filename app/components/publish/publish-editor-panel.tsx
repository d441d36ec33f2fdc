import { Rocket } from "lucide-react";
import type { EditorPanel } from "#app/components/canvas/editor-panels";
import { PublishPanel } from "./publish-panel";

/** The editor's "Use it" tab: publishing and client code for this flow. */
export const publishPanel: EditorPanel = {
  id: "publish",
  title: "Use it",
  icon: Rocket,
  render: (props) => <PublishPanel flowId={props.flowId} canEdit={props.canEdit} flushSave={props.flushSave} />,
};
