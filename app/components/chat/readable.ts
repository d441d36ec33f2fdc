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

const str = (v: unknown) => (typeof v === "string" ? v : "");

/** The runtime objects the trace describes as `{ kind: trace }` (see describeValue). */
function runtimeObject(value: Record<string, unknown>): string | null {
  const keys = Object.keys(value);
  if (keys.length !== 1) return null;
  const key = keys[0] as string;
  const inner = value[key];
  if (key === "skipped" && inner === true) return "(skipped)";
  if (typeof inner !== "object" || inner === null) return null;
  const t = inner as Record<string, unknown>;
  switch (key) {
    case "chat-model":
      return `Chat model "${str(t.model)}" (${str(t.baseUrl) === "default" ? "Skyloom's default model server" : str(t.baseUrl)})`;
    case "endpoint":
      return `Endpoint "${str(t.model)}" at ${str(t.baseUrl)}`;
    case "tool":
      return `Tool "${str(t.name)}"${str(t.description) ? `: ${str(t.description)}` : ""}`;
    case "memory":
      return `Memory "${str(t.key)}" (last ${typeof t.windowSize === "number" ? t.windowSize : "?"} messages)`;
    default:
      return null;
  }
}
