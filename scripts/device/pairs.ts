// Writes the frame pairs that native/test/gpu_check_main.cc reads: 8-bit grey .raw frames (decoded and
// converted exactly as the product does, src/core/image) and a pairs.txt list with each pair's nose point.
//   node --import tsx scripts/device/pairs.ts OUT_DIR [PAIR_DIR ...]
// With no PAIR_DIR: the committed face fixtures (test/fixtures/faces/*). A PAIR_DIR holds onset.png,
// apex.png and optionally meta.json with {"nose": {"x", "y"}} (else the image centre is used).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadGrey } from '../../src/core/image';

const ROOT = path.resolve(__dirname, '..', '..');

export async function writeCheckPairs(out: string, pairDirs?: readonly string[]): Promise<string> {
  const dirs = pairDirs ?? fs.readdirSync(path.join(ROOT, 'test', 'fixtures', 'faces')).sort().map((n) => path.join(ROOT, 'test', 'fixtures', 'faces', n));
  fs.mkdirSync(out, { recursive: true });
  const lines: string[] = [];
  for (const dir of dirs) {
    const name = path.basename(dir);
    const onset = await loadGrey(path.join(dir, 'onset.png'));
    const apex = await loadGrey(path.join(dir, 'apex.png'));
    const metaFile = path.join(dir, 'meta.json');
    const nose = fs.existsSync(metaFile)
      ? (JSON.parse(fs.readFileSync(metaFile, 'utf8')) as { nose: { x: number; y: number } }).nose
      : { x: onset.width >> 1, y: onset.height >> 1 };
    fs.writeFileSync(path.join(out, `${name}.onset.raw`), onset.data);
    fs.writeFileSync(path.join(out, `${name}.apex.raw`), apex.data);
    lines.push(`${name} ${onset.width} ${onset.height} ${Math.round(nose.x)} ${Math.round(nose.y)} ${name}.onset.raw ${name}.apex.raw`);
  }
  const list = path.join(out, 'pairs.txt');
  fs.writeFileSync(list, lines.join('\n') + '\n');
  return list;
}

if (require.main === module) {
  const [out, ...dirs] = process.argv.slice(2);
  if (!out) {
    process.stderr.write('usage: node --import tsx scripts/device/pairs.ts OUT_DIR [PAIR_DIR ...]\n');
    process.exit(2);
  }
  writeCheckPairs(out, dirs.length ? dirs : undefined).then(
    (list) => process.stdout.write(`${list}\n`),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
