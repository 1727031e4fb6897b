// A YAML writer for the flat key -> scalar maps LLaMA-Factory reads. Flat maps only: nested values are
// rejected so a config can never silently lose structure.

export type Scalar = string | number | boolean | null;

const PLAIN = /^[A-Za-z0-9_./@-][A-Za-z0-9_./@ -]*$/;
const RESERVED = /^(true|false|yes|no|on|off|null|~|y|n)$/i;
const NUMERIC = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

function scalar(v: Scalar): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new RangeError(`cannot write ${v} to YAML`);
    return String(v);
  }
  // Strings that YAML would read as another type, or with special characters, are double-quoted.
  if (v !== '' && PLAIN.test(v) && !RESERVED.test(v) && !NUMERIC.test(v) && !v.endsWith(' ')) return v;
  return JSON.stringify(v);
}

/** Writes `key: value` lines, with `# comment` lines before keys that have one. */
export function toFlatYaml(map: Record<string, Scalar>, comments: Record<string, string> = {}): string {
  const lines: string[] = [];
  for (const [k, v] of Object.entries(map)) {
    // A key is written as is: one that could end the line or start YAML syntax would inject config lines.
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(k)) throw new TypeError(`YAML key ${JSON.stringify(k)} is not a plain argument name`);
    if (v !== null && typeof v === 'object') throw new TypeError(`YAML key ${k} has a nested value`);
    if (comments[k]) lines.push(`# ${comments[k].replace(/[\r\n]+/g, " ")}`);
    lines.push(`${k}: ${scalar(v)}`);
  }
  return lines.join('\n') + '\n';
}
