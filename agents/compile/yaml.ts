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

// Keys and values repeat across services, so quoting decisions are remembered.
const quoted = new Map<string, string>();

export function yamlString(s: string): string {
  const known = quoted.get(s);
  if (known !== undefined) return known;
  const plain = s !== "" && PLAIN.test(s) && !RESERVED.test(s) && !NUMBERISH.test(s) && !s.endsWith(":");
  // A JSON string literal is a valid YAML double-quoted scalar.
  const result = plain ? s : JSON.stringify(s);
  if (s.length <= 200 && quoted.size < 50_000) quoted.set(s, result);
  return result;
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

type YamlMap = { [key: string]: YamlValue | undefined };

function isEmpty(v: YamlValue[] | YamlMap): boolean {
  if (Array.isArray(v)) return v.length === 0;
  for (const key in v) if (v[key] !== undefined) return false;
  return true;
}

/**
 * Writes a collection. `first` replaces the indent of the first line: a map inside a list
 * starts on the dash's line (`- key: value`), its other keys line up under it.
 */
function emit(value: YamlValue[] | YamlMap, indent: string, out: string[], first: string = indent): void {
  let lead = first;
  if (Array.isArray(value)) {
    for (const item of value) {
      if (item === null || typeof item !== "object") out.push(`${lead}- ${scalar(item)}`);
      else if (isEmpty(item)) out.push(`${lead}- ${Array.isArray(item) ? "[]" : "{}"}`);
      else if (Array.isArray(item)) {
        out.push(`${lead}-`);
        emit(item, `${indent}  `, out);
      } else emit(item, `${indent}  `, out, `${lead}- `);
      lead = indent;
    }
    return;
  }
  for (const key in value) {
    const v = value[key];
    if (v === undefined) continue;
    const k = yamlString(key);
    if (v === null || typeof v !== "object") out.push(`${lead}${k}: ${scalar(v)}`);
    else if (isEmpty(v)) out.push(`${lead}${k}: ${Array.isArray(v) ? "[]" : "{}"}`);
    else {
      out.push(`${lead}${k}:`);
      emit(v, `${indent}  `, out);
    }
    lead = indent;
  }
}

/** One YAML document; `comment` lines go on top as `# …`. */
export function toYaml(value: YamlValue, comment: string[] = []): string {
  const out = comment.map((c) => `# ${c}`.trimEnd());
  if (value === null || typeof value !== "object") out.push(scalar(value));
  else emit(value, "", out);
  out.push("");
  return out.join("\n");
}
