import type { GraphDoc } from "#agents/graph/index";
import type { GraphEdit } from "./edits";

/**
 * The editor's source of truth: a GraphDoc plus an undo history of whole documents (edits
 * share unchanged nodes, so each step is cheap). React Flow's node objects are derived from
 * this and never stored. Selection lives here too, but outside the history and the save.
 */
export type Selection = { nodes: ReadonlySet<string>; edges: ReadonlySet<string> };

export type GraphStoreState = {
  graph: GraphDoc;
  selection: Selection;
  canUndo: boolean;
  canRedo: boolean;
  /** Bumped on every graph change that should be saved (not on selection or undo-stack changes). */
  changeCount: number;
  /** A drag is in progress: views that only care about the settled graph can wait. */
  gesturing: boolean;
};

export type ApplyOptions = {
  /**
   * Consecutive edits with the same key within COALESCE_MS become one undo step (typing in a
   * config field). Edits without a key are always their own step.
   */
  coalesceKey?: string;
  /** Selection to set with the edit (e.g. the pasted nodes). */
  select?: { nodes?: Iterable<string>; edges?: Iterable<string> };
};

export const COALESCE_MS = 1_000;
export const HISTORY_LIMIT = 200;

const EMPTY_SELECTION: Selection = { nodes: new Set(), edges: new Set() };

export class GraphStore {
  private state: GraphStoreState;
  private past: GraphDoc[] = [];
  private future: GraphDoc[] = [];
  private lastKey: string | undefined;
  private lastAt = 0;
  /** The document before a gesture (a drag) began; the whole gesture is one undo step. */
  private gestureStart: GraphDoc | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(
    graph: GraphDoc,
    private readonly now: () => number = () => Date.now(),
  ) {
    this.state = { graph, selection: EMPTY_SELECTION, canUndo: false, canRedo: false, changeCount: 0, gesturing: false };
  }

  getState = (): GraphStoreState => this.state;
  get graph(): GraphDoc {
    return this.state.graph;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Applies an edit as one undoable step (or merges it into the previous one, see coalesceKey). */
  apply(edit: GraphEdit, options: ApplyOptions = {}): boolean {
    const before = this.state.graph;
    const after = edit(before);
    const selection = options.select ? toSelection(options.select) : this.state.selection;
    if (after === before) {
      if (options.select) this.set({ selection });
      return false;
    }
    if (this.gestureStart === null) {
      const t = this.now();
      const merge = options.coalesceKey !== undefined && options.coalesceKey === this.lastKey && t - this.lastAt < COALESCE_MS;
      if (!merge) this.pushPast(before);
      this.lastKey = options.coalesceKey;
      this.lastAt = t;
      this.future = [];
    }
    // A move or config edit (same nodes, same edges array) cannot leave a dangling selection;
    // skipping the check keeps 60-per-second drag updates cheap.
    const sameElements = after.edges === before.edges && after.nodes.length === before.nodes.length && !options.select;
    this.set({ graph: after, selection: sameElements ? selection : pruneSelection(selection, after), changeCount: this.state.changeCount + 1 });
    return true;
  }

  /** Starts a gesture: edits until endGesture() form a single undo step. */
  beginGesture(): void {
    if (this.gestureStart !== null) return;
    this.gestureStart = this.state.graph;
    this.set({});
  }

  endGesture(): void {
    const start = this.gestureStart;
    this.gestureStart = null;
    if (start === null) return;
    if (start !== this.state.graph) {
      this.pushPast(start);
      this.future = [];
      this.lastKey = undefined;
    }
    this.set({});
  }

  undo(): boolean {
    this.endGesture();
    const previous = this.past.pop();
    if (!previous) return false;
    this.future.push(this.state.graph);
    this.lastKey = undefined;
    this.set({ graph: previous, selection: pruneSelection(this.state.selection, previous), changeCount: this.state.changeCount + 1 });
    return true;
  }

  redo(): boolean {
    this.endGesture();
    const next = this.future.pop();
    if (!next) return false;
    this.past.push(this.state.graph);
    this.lastKey = undefined;
    this.set({ graph: next, selection: pruneSelection(this.state.selection, next), changeCount: this.state.changeCount + 1 });
    return true;
  }

  /** Replaces the document without an undo step or a save (loading the server's copy). */
  reset(graph: GraphDoc, { keepHistory = false } = {}): void {
    this.gestureStart = null;
    if (!keepHistory) {
      this.past = [];
      this.future = [];
    }
    this.lastKey = undefined;
    this.set({ graph, selection: pruneSelection(this.state.selection, graph) });
  }

  select(nodes: Iterable<string>, edges: Iterable<string> = []): void {
    this.set({ selection: toSelection({ nodes, edges }) });
  }

  /** Adds to or removes from the selection (React Flow reports selection one element at a time). */
  updateSelection(changes: { nodes?: [string, boolean][]; edges?: [string, boolean][] }): void {
    const nodes = new Set(this.state.selection.nodes);
    const edges = new Set(this.state.selection.edges);
    let changed = false;
    for (const [id, on] of changes.nodes ?? []) {
      if (on !== nodes.has(id)) {
        changed = true;
        if (on) nodes.add(id);
        else nodes.delete(id);
      }
    }
    for (const [id, on] of changes.edges ?? []) {
      if (on !== edges.has(id)) {
        changed = true;
        if (on) edges.add(id);
        else edges.delete(id);
      }
    }
    if (changed) this.set({ selection: { nodes, edges } });
  }

  private pushPast(graph: GraphDoc): void {
    this.past.push(graph);
    if (this.past.length > HISTORY_LIMIT) this.past.shift();
  }

  private set(patch: Partial<GraphStoreState>): void {
    this.state = {
      ...this.state,
      ...patch,
      canUndo: this.past.length > 0 || (this.gestureStart !== null && this.gestureStart !== (patch.graph ?? this.state.graph)),
      canRedo: this.future.length > 0,
      gesturing: this.gestureStart !== null,
    };
    for (const l of this.listeners) l();
  }
}

function toSelection(select: { nodes?: Iterable<string>; edges?: Iterable<string> }): Selection {
  return { nodes: new Set(select.nodes ?? []), edges: new Set(select.edges ?? []) };
}

/** Drops selected ids that no longer exist (after undo, delete or reload). */
function pruneSelection(selection: Selection, graph: GraphDoc): Selection {
  if (selection.nodes.size === 0 && selection.edges.size === 0) return selection;
  const nodeIds = new Set(graph.nodes.map((n) => n.id));
  const edgeIds = new Set(graph.edges.map((e) => e.id));
  const nodes = [...selection.nodes].filter((id) => nodeIds.has(id));
  const edges = [...selection.edges].filter((id) => edgeIds.has(id));
  if (nodes.length === selection.nodes.size && edges.length === selection.edges.size) return selection;
  return { nodes: new Set(nodes), edges: new Set(edges) };
}
