/**
 * Trace values as text a person reads: a string as itself, a chat model as its name and
 * server, a tool by its name, other objects as indented "key: value" lines. The JSON stays one
 * click away ("Show JSON"); this is what is shown first.
 */
export function readableValue(value: unknown): string {
  if (value === null || value === undefined) return "(nothing)";
  if (typeof value === "string") return value === "" ? "(empty text)" : value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return "(none)";
    return value.map((item) => `• ${indented(readableValue(item), { skipFirst: true })}`).join("\n");
  }
  if (typeof value === "object") {
    const runtime = runtimeObject(value as Record<string, unknown>);
    if (runtime) return runtime;
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return "(nothing)";
    return entries
      .map(([key, v]) => {
        const text = readableValue(v);
        return text.includes("\n") || isList(v) ? `${key}:\n${indented(text)}` : `${key}: ${text}`;
      })
      .join("\n");
  }
  return String(value);
}

/** Lists and plain objects go under their key, one entry a line. */
function isList(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value !== "object" || value === null) return false;
  return Object.keys(value).length > 0 && runtimeObject(value as Record<string, unknown>) === null;
}

function indented(text: string, options: { skipFirst?: boolean } = {}): string {
  return text
    .split("\n")
    .map((line, i) => (i === 0 && options.skipFirst ? line : `  ${line}`))
    .join("\n");
}

/**
 * The runtime objects the trace describes as `{ kind: trace }` (see describeValue). The trace's
 * own fields tell them from a port of the same name (a Tool block's "tool" output).
 */
function runtimeObject(value: Record<string, unknown>): string | null {
  const keys = Object.keys(value);
  if (keys.length !== 1) return null;
  const key = keys[0] as string;
  const inner = value[key];
  if (key === "skipped" && inner === true) return "(skipped)";
  if (typeof inner !== "object" || inner === null) return null;
  const t = inner as Record<string, unknown>;
  if (key === "chat-model" && isText(t.model) && isText(t.baseUrl)) {
    return `Chat model "${t.model}" (${t.baseUrl === "default" ? "Skyloom's default model server" : t.baseUrl})`;
  }
  if (key === "endpoint" && isText(t.model) && isText(t.baseUrl)) return `Endpoint "${t.model}" at ${t.baseUrl}`;
  if (key === "tool" && isText(t.name)) return `Tool "${t.name}"${isText(t.description) && t.description ? `: ${t.description}` : ""}`;
  if (key === "memory" && isText(t.key) && typeof t.windowSize === "number") return `Memory "${t.key}" (last ${t.windowSize} messages)`;
  return null;
}

const isText = (v: unknown): v is string => typeof v === "string";
