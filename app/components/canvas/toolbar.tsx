import { Link } from "@remix-run/react";
import {
  AlertCircle,
  ArrowLeft,
  Check,
  CloudUpload,
  Download,
  Keyboard,
  ListChecks,
  Loader2,
  Maximize,
  Network,
  Redo2,
  Undo2,
  Upload,
  WifiOff,
} from "lucide-react";
import { useRef, useState, type ReactNode } from "react";
import type { SaveState } from "./autosave";
import { useEditor } from "./editor-context";
import { useEditable, useSettledGraphState } from "./use-editor-state";

function ToolButton({ label, onClick, disabled, children, testId }: { label: string; onClick(): void; disabled?: boolean; children: ReactNode; testId?: string }) {
  return (
    <button
      type="button"
      onClick={onClick}
      disabled={disabled}
      aria-label={label}
      title={label}
      data-testid={testId}
      className="inline-flex h-8 items-center gap-1.5 rounded-md px-2 text-sm text-slate-700 hover:bg-slate-100 disabled:cursor-not-allowed disabled:opacity-40"
    >
      {children}
    </button>
  );
}

function SaveIndicator({ state, onRetry }: { state: SaveState; onRetry(): void }) {
  const common = "inline-flex items-center gap-1.5 text-xs";
  switch (state.status) {
    case "saved":
      return (
        <span className={`${common} text-slate-500`} data-testid="save-status" data-status="saved" role="status">
          <Check size={14} /> Saved
        </span>
      );
    case "pending":
      return (
        <span className={`${common} text-slate-500`} data-testid="save-status" data-status="pending" role="status">
          <CloudUpload size={14} /> Unsaved changes
        </span>
      );
    case "saving":
      return (
        <span className={`${common} text-slate-500`} data-testid="save-status" data-status="saving" role="status">
          <Loader2 size={14} className="animate-spin" /> Saving…
        </span>
      );
    case "error":
      return (
        <span className={`${common} text-red-600`} data-testid="save-status" data-status="error" role="alert">
          <AlertCircle size={14} /> Not saved: {state.message}
          <button type="button" className="underline" onClick={onRetry}>
            Retry
          </button>
        </span>
      );
    case "offline":
      return (
        <span className={`${common} text-amber-700`} data-testid="save-status" data-status="offline" role="status">
          <WifiOff size={14} /> Offline — will save when back online
        </span>
      );
    case "conflict":
      return (
        <span className={`${common} text-amber-700`} data-testid="save-status" data-status="conflict" role="alert">
          <AlertCircle size={14} /> Changed in another tab
        </span>
      );
  }
}

export function EditorToolbar({ extra }: { extra?: ReactNode }) {
  const { flowName, commands, autosave, ui } = useEditor();
  const { canUndo, canRedo, graph } = useSettledGraphState();
  const editable = useEditable();
  const fileInput = useRef<HTMLInputElement>(null);
  const [layingOut, setLayingOut] = useState(false);

  return (
    <div className="flex h-11 shrink-0 items-center gap-1 border-b border-slate-200 bg-white px-2" role="toolbar" aria-label="Editor">
      <Link to="/" className="inline-flex h-8 items-center rounded-md px-2 text-slate-600 hover:bg-slate-100" aria-label="All flows" title="All flows">
        <ArrowLeft size={16} />
      </Link>
      <h1 className="mr-2 max-w-64 truncate text-sm font-semibold" data-testid="flow-name">
        {flowName}
      </h1>
      <span className="mr-1 text-xs text-slate-400" data-testid="flow-node-count">
        {graph.nodes.length}
      </span>
      <span className="mr-2 text-xs text-slate-400">blocks</span>
      <div className="mx-1 h-5 w-px bg-slate-200" />
      <ToolButton label="Undo (Ctrl+Z)" onClick={commands.undo} disabled={!editable || !canUndo} testId="undo">
        <Undo2 size={16} />
      </ToolButton>
      <ToolButton label="Redo (Ctrl+Shift+Z)" onClick={commands.redo} disabled={!editable || !canRedo} testId="redo">
        <Redo2 size={16} />
      </ToolButton>
      <div className="mx-1 h-5 w-px bg-slate-200" />
      <ToolButton
        label="Tidy up (auto-layout)"
        disabled={!editable || layingOut || graph.nodes.length === 0}
        testId="auto-layout"
        onClick={() => {
          setLayingOut(true);
          void commands.autoLayout().finally(() => setLayingOut(false));
        }}
      >
        {layingOut ? <Loader2 size={16} className="animate-spin" /> : <Network size={16} />}
        <span className="hidden lg:inline">Tidy up</span>
      </ToolButton>
      <ToolButton label="Fit view (Shift+1)" onClick={commands.fitView} testId="fit-view">
        <Maximize size={16} />
      </ToolButton>
      <ToolButton label="Validate the flow" onClick={() => commands.validate()} testId="validate">
        <ListChecks size={16} />
        <span className="hidden lg:inline">Validate</span>
      </ToolButton>
      <div className="mx-1 h-5 w-px bg-slate-200" />
      <ToolButton label="Export flow.json" onClick={commands.exportFlow} testId="export">
        <Download size={16} />
      </ToolButton>
      <ToolButton label="Import a flow file" onClick={() => fileInput.current?.click()} disabled={!editable} testId="import">
        <Upload size={16} />
      </ToolButton>
      <input
        ref={fileInput}
        type="file"
        accept=".json,application/json"
        className="hidden"
        data-testid="import-input"
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = "";
          if (file) void file.text().then((text) => commands.importFlowText(text));
        }}
      />
      <ToolButton label="Keyboard shortcuts (?)" onClick={() => ui.set((s) => ({ ...s, shortcutsOpen: true }))} testId="shortcuts">
        <Keyboard size={16} />
      </ToolButton>
      {extra}
      <div className="ml-auto pr-2">
        <SaveIndicator state={autosave.state} onRetry={autosave.retry} />
      </div>
    </div>
  );
}
