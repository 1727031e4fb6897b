// `npm run bench [-- NAME...]`: runs each benchmark module scripts/bench/<name>.ts (all of them, or the
// ones named) in its own Node process and prints one table of what they measured. Not part of the tests.
//
// A bench module exports an async function named after its file (camelCased: flow.ts -> flow,
// map-render.ts -> mapRender) or a default export, called with an empty options object and resolving to rows
// { bench, metric, value, unit, note? }. Progress goes to stderr. Files starting with '_' are helpers.
// Each module can also be run alone: node --import tsx scripts/bench/<name>.ts
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const DIR = join(ROOT, 'scripts', 'bench');
const MARK = '@@bench-rows ';

const camel = (s) => s.replace(/[-_](\w)/g, (_, c) => c.toUpperCase());
const all = readdirSync(DIR)
  .filter((f) => f.endsWith('.ts') && !f.startsWith('_'))
  .map((f) => f.slice(0, -3))
  .sort();
const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !all.includes(w));
if (unknown.length > 0) {
  console.error(`bench: no benchmark named ${unknown.join(', ')} (available: ${all.join(', ')})`);
  process.exit(2);
}
const names = wanted.length > 0 ? wanted : all;

// Child: imports the module, calls its function, prints the rows as one marked JSON line.
const CHILD = `
const [file, fn] = process.argv.slice(1);
import(require('node:url').pathToFileURL(file).href).then(async (m) => {
  const run = m[fn] ?? m.default?.[fn] ?? (typeof m.default === 'function' ? m.default : m.default?.default);
  if (typeof run !== 'function') throw new Error(file + ' exports no function ' + fn + ' (nor a default)');
  const rows = await run({});
  process.stdout.write(${JSON.stringify(MARK)} + JSON.stringify(rows) + '\\n');
}).catch((e) => { console.error(e instanceof Error ? e.stack : String(e)); process.exit(1); });
`;

const rows = [];
const failed = [];
for (const name of names) {
  console.error(`bench: ${name} ...`);
  const res = spawnSync(process.execPath, ['--import', 'tsx', '-e', CHILD, join(DIR, `${name}.ts`), camel(name)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  let got = false;
  for (const line of (res.stdout ?? '').split('\n')) {
    if (line.startsWith(MARK)) {
      rows.push(...JSON.parse(line.slice(MARK.length)));
      got = true;
    } else if (line.trim()) process.stderr.write(`${line}\n`);
  }
  if (res.status !== 0 || !got) failed.push(name);
}

function fmt(v) {
  if (typeof v !== 'number') return String(v);
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(0) : a >= 1 ? v.toFixed(2) : v.toPrecision(3);
}

const head = ['bench', 'metric', 'value', 'unit', 'note'];
const table = rows.map((r) => [r.bench, r.metric, fmt(r.value), r.unit, r.note ?? '']);
const width = head.map((h, i) => Math.max(h.length, ...table.map((t) => t[i].length)));
const line = (cells) =>
  cells
    .map((c, i) => (i === 2 ? c.padStart(width[i]) : c.padEnd(width[i])))
    .join('  ')
    .trimEnd();
console.log(line(head));
console.log(width.map((w) => '-'.repeat(w)).join('  '));
for (const t of table) console.log(line(t));
if (failed.length > 0) {
  console.error(`bench: failed: ${failed.join(', ')}`);
  process.exit(1);
}
