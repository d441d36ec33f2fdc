import { Copy, MousePointerClick, SlidersHorizontal, Trash2 } from "lucide-react";
import { useId } from "react";
import { blockRegistry, parseBlockConfig } from "#agents/blocks/index";
import { DATA_TYPE_LABELS, PORT_DATA_TYPES, type GraphNode } from "#agents/graph/index";
import { setConfigField, setLabel, upgradedNode } from "#app/lib/graph-store/edits";
import { Button } from "#app/components/ui/button";
import { BlockIcon } from "../block-icon";
import { ConfigFields } from "../config-form/config-fields";
import { plainMessage } from "../config-form/plain-messages";
import { configFields } from "../config-form/schema-fields";
import { useEditor } from "../editor-context";
import type { EditorPanel } from "../editor-panels";
import { PORT_COLORS } from "../port-colors";
import { useEditable, useSettledGraphState } from "../use-editor-state";
import { ConnectionsSection } from "./connections-section";

function configRecord(config: unknown): Record<string, unknown> {
  return config && typeof config === "object" && !Array.isArray(config) ? (config as Record<string, unknown>) : {};
}

function NodeConfig({ node }: { node: GraphNode }) {
  const { store, commands } = useEditor();
  const { graph } = useSettledGraphState();
  const editable = useEditable();
  const labelId = useId();
  const block = blockRegistry.get(node.type);
  if (!block) {
    return <p className="text-sm text-red-600">This block type ({node.type}) is not known to this version of Skyloom.</p>;
  }
  const fields = configFields(block.config);
  // A node saved by an older block version is shown (and edited) in the current shape.
  const config = configRecord(upgradedNode(node).config);
  const parsed = parseBlockConfig(block, node.version, node.config);
  const errors = new Map<string, string>();
  const general: string[] = [];
  if (!parsed.ok) {
    for (const issue of parsed.issues) {
      const key = issue.path.split(".")[0] ?? "";
      const field = fields.find((f) => f.key === key);
      if (field && !errors.has(key)) errors.set(key, plainMessage(issue.message, block.config, "") || issue.message);
      else if (!field) general.push(plainMessage(issue.message, block.config, issue.path));
    }
  }

  return (
    <div className="space-y-4" data-graph-field data-testid="config-panel" data-node-id={node.id}>
      <div className="flex items-start gap-2">
        <BlockIcon name={block.icon} size={18} className="mt-0.5 shrink-0 text-brand-600" />
        <div className="min-w-0">
          <h3 className="text-sm font-semibold text-slate-900">{block.title}</h3>
          <p className="text-xs text-slate-500">{block.description}</p>
        </div>
      </div>

      <div>
        <label htmlFor={labelId} className="block text-xs font-medium text-slate-700">
          Name on the canvas
        </label>
        <input
          id={labelId}
          data-testid="field-label"
          className="mt-1 block w-full rounded-md border border-slate-300 px-2.5 py-1.5 text-sm shadow-sm outline-none focus:border-brand-500 focus:ring-2 focus:ring-brand-100"
          placeholder={block.title}
          value={node.ui.label ?? ""}
          maxLength={200}
          disabled={!editable}
          onChange={(e) => store.apply(setLabel(node.id, e.target.value), { coalesceKey: `${node.id}.label` })}
        />
      </div>

      {general.length > 0 && (
        <div role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-xs text-red-700">
          {general.map((g, i) => (
            <p key={i}>{g}</p>
          ))}
        </div>
      )}

      {fields.length === 0 ? (
        <p className="text-xs text-slate-500">This block has nothing to set up.</p>
      ) : (
        <ConfigFields
          nodeId={node.id}
          fields={fields}
          config={config}
          errors={errors}
          disabled={!editable}
          onChange={(key, value) => store.apply(setConfigField(node.id, key, value), { coalesceKey: `${node.id}.${key}` })}
        />
      )}

      <ConnectionsSection node={node} graph={graph} disabled={!editable} />

      {editable && (
        <div className="flex gap-2 border-t border-slate-100 pt-3">
          <Button variant="secondary" className="!py-1 text-xs" onClick={() => commands.duplicateSelection()}>
            <Copy size={14} /> Duplicate
          </Button>
          <Button variant="secondary" className="!py-1 text-xs text-red-700" onClick={() => commands.deleteNode(node.id)}>
            <Trash2 size={14} /> Delete block
          </Button>
        </div>
      )}
    </div>
  );
}

function NothingSelected() {
  return (
    <div className="space-y-4 text-sm text-slate-600">
      <p className="flex items-start gap-2">
        <MousePointerClick size={16} className="mt-0.5 shrink-0 text-slate-400" />
        Select a block to set it up. Drag blocks in from the left, then drag from a coloured dot on one block to a dot of the same colour on another to connect them.
      </p>
      <div>
        <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500">Port colours</h3>
        <ul className="mt-2 grid grid-cols-2 gap-1 text-xs">
          {PORT_DATA_TYPES.map((t) => (
            <li key={t} className="flex items-center gap-1.5">
              <span className="inline-block h-2.5 w-2.5 rounded-full" style={{ background: PORT_COLORS[t] }} aria-hidden />
              {DATA_TYPE_LABELS[t]}
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}

function ConfigPanelBody() {
  const { commands } = useEditor();
  const { graph, selection } = useSettledGraphState();
  const editable = useEditable();
  const selected = graph.nodes.filter((n) => selection.nodes.has(n.id));
  if (selected.length === 1) return <NodeConfig node={selected[0] as GraphNode} />;
  if (selected.length > 1) {
    return (
      <div className="space-y-3 text-sm text-slate-700" data-testid="config-panel-multi">
        <p>{selected.length} blocks selected.</p>
        {editable && (
          <div className="flex gap-2">
            <Button variant="secondary" className="!py-1 text-xs" onClick={() => commands.duplicateSelection()}>
              <Copy size={14} /> Duplicate
            </Button>
            <Button variant="secondary" className="!py-1 text-xs text-red-700" onClick={() => commands.deleteSelection()}>
              <Trash2 size={14} /> Delete
            </Button>
          </div>
        )}
      </div>
    );
  }
  return <NothingSelected />;
}

export const configPanel: EditorPanel = {
  id: "config",
  title: "Block",
  icon: SlidersHorizontal,
  render: () => <ConfigPanelBody />,
};
