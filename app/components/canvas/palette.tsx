import { PanelLeftClose, PanelLeftOpen, Plus, Search } from "lucide-react";
import { useId, useMemo, useState } from "react";
import { BLOCK_CATEGORIES, BLOCKS, type AnyBlockDefinition } from "#agents/blocks/index";
import { BlockIcon } from "./block-icon";
import { useEditor } from "./editor-context";
import { editorLayout, useEditorLayout } from "./editor-layout";
import { useEditable } from "./use-editor-state";

/** The drag payload's MIME type; the canvas accepts drops carrying it. */
export const BLOCK_DRAG_TYPE = "application/x-skyloom-block";

const FOLD_BUTTON = "inline-flex h-8 w-8 shrink-0 items-center justify-center rounded-md text-slate-500 hover:bg-slate-100 hover:text-slate-800";

function matches(block: AnyBlockDefinition, words: string[]): boolean {
  const hay = `${block.title} ${block.description} ${block.type} ${block.category}`.toLowerCase();
  return words.every((w) => hay.includes(w));
}

/**
 * Every registered block, grouped by category and searchable. Drag one onto the canvas, or
 * double-click it, or press Enter in the search to add the first match; each block also has
 * an "Add" button for keyboard and screen-reader users.
 */
export function Palette() {
  const { paletteCollapsed } = useEditorLayout();
  if (paletteCollapsed) {
    return (
      <aside className="flex w-10 shrink-0 flex-col items-center border-r border-slate-200 bg-white py-1" aria-label="Blocks" data-testid="palette-collapsed">
        <button type="button" className={FOLD_BUTTON} aria-label="Show blocks" aria-expanded={false} title="Show blocks" data-testid="palette-toggle" onClick={() => editorLayout.set({ paletteCollapsed: false })}>
          <PanelLeftOpen size={16} aria-hidden />
        </button>
      </aside>
    );
  }
  return <BlockList />;
}

function BlockList() {
  const { commands } = useEditor();
  const editable = useEditable();
  const searchId = useId();
  const [query, setQuery] = useState("");
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const groups = useMemo(
    () =>
      BLOCK_CATEGORIES.map((category) => ({
        category,
        blocks: (BLOCKS as readonly AnyBlockDefinition[]).filter((b) => b.category === category && matches(b, words)),
      })).filter((g) => g.blocks.length > 0),
    [words.join(" ")],
  );
  // Enter adds the block whose name matches ("chat output" is Chat Output, though Chat Input's
  // category, Inputs & Outputs, matches too), else the first block listed.
  const listed = groups.flatMap((g) => g.blocks);
  const first = listed.find((b) => words.every((w) => b.title.toLowerCase().includes(w))) ?? listed[0];

  return (
    <aside className="flex w-64 shrink-0 flex-col border-r border-slate-200 bg-white" aria-label="Blocks">
      <div className="border-b border-slate-100 p-3">
        <label htmlFor={searchId} className="sr-only">
          Search blocks
        </label>
        <div className="flex items-center gap-1">
          <div className="relative min-w-0 flex-1">
            <Search size={14} className="absolute left-2 top-1/2 -translate-y-1/2 text-slate-400" aria-hidden />
            <input
              id={searchId}
              data-testid="palette-search"
              type="search"
              placeholder="Search blocks (press / )"
              className="block w-full rounded-md border border-slate-300 py-1.5 pl-7 pr-2 text-sm outline-none focus:border-brand-500 focus:ring-2 focus:ring-brand-100"
              value={query}
              onChange={(e) => setQuery(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === "Enter" && first && editable) {
                  e.preventDefault();
                  // The new block takes the focus, so the editor's shortcuts work on it straight away.
                  commands.addBlock(first.type, { focus: true });
                  setQuery("");
                }
              }}
              aria-describedby={`${searchId}-hint`}
            />
          </div>
          <button type="button" className={FOLD_BUTTON} aria-label="Hide blocks" aria-expanded={true} title="Hide blocks" data-testid="palette-toggle" onClick={() => editorLayout.set({ paletteCollapsed: true })}>
            <PanelLeftClose size={16} aria-hidden />
          </button>
        </div>
        <p id={`${searchId}-hint`} className="mt-1 text-[11px] text-slate-500">
          {first ? `Enter adds “${first.title}”.` : "No block matches."} Drag blocks onto the canvas.
        </p>
      </div>
      <div className="flex-1 overflow-y-auto p-2">
        {groups.map((g) => (
          <section key={g.category} className="mb-3" aria-label={g.category}>
            <h3 className="px-1 text-[11px] font-semibold uppercase tracking-wide text-slate-500">{g.category}</h3>
            <ul className="mt-1 space-y-1">
              {g.blocks.map((b) => (
                <li
                  key={b.type}
                  draggable={editable}
                  data-testid={`palette-item-${b.type}`}
                  onDragStart={(e) => {
                    e.dataTransfer.setData(BLOCK_DRAG_TYPE, b.type);
                    e.dataTransfer.setData("text/plain", b.title);
                    e.dataTransfer.effectAllowed = "copy";
                  }}
                  onDoubleClick={() => editable && commands.addBlock(b.type)}
                  className={`group flex items-start gap-2 rounded-md border border-transparent p-2 hover:border-slate-200 hover:bg-slate-50 ${editable ? "cursor-grab active:cursor-grabbing" : ""}`}
                  title={`${b.title}: ${b.description}`}
                >
                  <BlockIcon name={b.icon} size={16} className="mt-0.5 shrink-0 text-brand-600" />
                  <div className="min-w-0 flex-1">
                    <div className="text-sm font-medium text-slate-800">{b.title}</div>
                    <div className="line-clamp-2 text-xs text-slate-500">{b.description}</div>
                  </div>
                  {editable && (
                    <button
                      type="button"
                      className="rounded p-1 text-slate-400 opacity-0 hover:bg-slate-200 hover:text-slate-700 focus:opacity-100 group-hover:opacity-100"
                      aria-label={`Add ${b.title}`}
                      onClick={() => commands.addBlock(b.type)}
                    >
                      <Plus size={14} />
                    </button>
                  )}
                </li>
              ))}
            </ul>
          </section>
        ))}
      </div>
    </aside>
  );
}
