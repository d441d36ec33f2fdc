/**
 * A small YAML writer for manifests. The targets build plain objects in a fixed key order and
 * this prints them the same way every time (block style, two-space indent), quoting every
 * string a YAML 1.1 or 1.2 reader (Go's yaml, js-yaml) could read as anything but a string.
 * Written here rather than using a general library so output is byte-stable and fast.
 */
export type YamlValue = string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue | undefined };

const PLAIN = /^[A-Za-z0-9_./][A-Za-z0-9_./:=+@-]*$|^--?[A-Za-z][A-Za-z0-9_./:=+@-]*$/;
const RESERVED = /^(true|false|yes|no|on|off|y|n|null|~|\.inf|\.nan)$/i;
/** Numbers (YAML 1.1 and 1.2 forms, with `_`), sexagesimals like 1:20, and dates. */
const NUMBERISH = /^([-+]?(\.[0-9]|[0-9][0-9_]*(\.[0-9_]*)?([eE][-+]?[0-9]+)?)|0x[0-9a-f_]+|0o[0-7]+|0b[01_]+|[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}.*)$/i;

export function yamlString(s: string): string {
  if (s !== "" && PLAIN.test(s) && !RESERVED.test(s) && !NUMBERISH.test(s) && !s.endsWith(":")) return s;
  // A JSON string literal is a valid YAML double-quoted scalar.
  return JSON.stringify(s);
}

function scalar(v: string | number | boolean | null): string {
  if (v === null) return "null";
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new Error(`Cannot write ${v} to YAML.`);
    return String(v);
  }
  return yamlString(v);
}

const isScalar = (v: YamlValue): v is string | number | boolean | null => v === null || typeof v !== "object";

function emit(value: YamlValue, indent: string, out: string[]): void {
  if (Array.isArray(value)) {
    for (const item of value) {
      if (isScalar(item)) {
        out.push(`${indent}- ${scalar(item)}`);
      } else if (Array.isArray(item) ? item.length === 0 : definedEntries(item).length === 0) {
        out.push(`${indent}- ${Array.isArray(item) ? "[]" : "{}"}`);
      } else if (Array.isArray(item)) {
        out.push(`${indent}-`);
        emit(item, `${indent}  `, out);
      } else {
        // The first key shares the dash's line; the rest line up under it.
        const lines: string[] = [];
        emit(item, `${indent}  `, lines);
        const first = lines[0] as string;
        lines[0] = `${indent}- ${first.slice(indent.length + 2)}`;
        out.push(...lines);
      }
    }
    return;
  }
  for (const [key, v] of definedEntries(value as Record<string, YamlValue | undefined>)) {
    const k = yamlString(key);
    if (isScalar(v)) out.push(`${indent}${k}: ${scalar(v)}`);
    else if (Array.isArray(v) ? v.length === 0 : definedEntries(v).length === 0) out.push(`${indent}${k}: ${Array.isArray(v) ? "[]" : "{}"}`);
    else if (Array.isArray(v)) {
      out.push(`${indent}${k}:`);
      emit(v, `${indent}  `, out);
    } else {
      out.push(`${indent}${k}:`);
      emit(v, `${indent}  `, out);
    }
  }
}

function definedEntries(o: { [key: string]: YamlValue | undefined }): [string, YamlValue][] {
  return Object.entries(o).filter((e): e is [string, YamlValue] => e[1] !== undefined);
}

/** One YAML document; `comment` lines go on top as `# …`. */
export function toYaml(value: YamlValue, comment: string[] = []): string {
  const out = comment.map((c) => `# ${c}`.trimEnd());
  if (isScalar(value)) out.push(scalar(value));
  else emit(value, "", out);
  return `${out.join("\n")}\n`;
}
