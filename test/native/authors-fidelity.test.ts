// The yardstick: scripts/reference/authors_preprocess.py, a transcription of image_preprocess from preprocess.py
// (github.com/zyzhangUstc/mellmv1-base-on-Qwen2.5vl-7B- at b7daa0f151c7ceac313fb3874ec43d9a82ca1b97) with the
// nose point passed in, run with Debian's numpy, cv2 (python3-opencv) and PIL. Our map must equal it on 100% of
// pixels: on every face fixture, at integer and fractional nose points, near and beyond each border (window
// clipped, and empty: preprocess.py's float64 path), through the renderer alone (same flow) and through
// `mellm mmc` (our TV-L1 against OpenCV's), through `mellm mmc --flow-in` on every flow field of
// test/fixtures/mmc/fields.json, and without a face (the plain grey onset).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { readFlo, writeFlo } from '../../src/core/flo';
import { loadGrey, loadImage, type LoadedImage } from '../../src/core/image';
import { renderMmcNative } from '../../src/core/native';

const ROOT = join(__dirname, '..', '..');
const FIX = join(ROOT, 'test', 'fixtures', 'faces');
const CLI = join(ROOT, 'dist', 'cli.js');
const PY = '/usr/bin/python3';
const SCRIPT = join(ROOT, 'scripts', 'reference', 'authors_preprocess.py');
const PAIRS = readdirSync(FIX).sort();

function pythonMissing(): string | false {
  if (!existsSync(PY)) return `${PY} not found (Debian's python3 with python3-opencv and python3-pil is the yardstick)`;
  const r = spawnSync(PY, ['-c', 'import cv2, numpy, PIL; cv2.optflow.DualTVL1OpticalFlow_create'], { encoding: 'utf8' });
  return r.status === 0 ? false : `${PY} lacks cv2 (with optflow), numpy or PIL: apt-get install python3-opencv python3-pil`;
}
const skip = pythonMissing();

interface Job {
  onset: string;
  apex: string;
  out: string;
  nose: [number, number] | null;
  flowIn?: string;
}
interface JobInfo {
  noFace?: boolean;
  nosePixel?: [number, number];
  meanFlow?: [number, number];
  meanDtype?: string;
  shape: number[];
}

/** All jobs in one Python process (the CPU is shared). */
function authors(jobs: Job[]): JobInfo[] {
  const dir = mkdtempSync(join(tmpdir(), 'mellm-authors-'));
  const list = join(dir, 'jobs.json');
  writeFileSync(list, JSON.stringify(jobs));
  const r = spawnSync(PY, [SCRIPT, '--batch', list], { encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l) as JobInfo);
}

function samePixels(a: Uint8Array, b: LoadedImage): number {
  assert.equal(b.channels, 3);
  let same = 0;
  for (let i = 0; i < a.length; i += 3) if (a[i] === b.data[i] && a[i + 1] === b.data[i + 1] && a[i + 2] === b.data[i + 2]) same++;
  return same;
}

function meta(name: string): { width: number; height: number; nose: { x: number; y: number } } {
  return JSON.parse(readFileSync(join(FIX, name, 'meta.json'), 'utf8'));
}

/** Integer and fractional points, near each border, partly outside (window clipped) and 6+ px outside (empty). */
function nosePoints(name: string): [number, number][] {
  const { width: W, height: H, nose } = meta(name);
  const { x, y } = nose;
  return [
    [x, y], [145.7, 195.6], [x + 0.7, y - 0.3], [x - 0.5, y + 0.5],
    [-0.5, y], [2.5, y + 0.5], [W - 1.2, y], [x, 1.9], [x, H - 0.4], [0, 0], [W - 1, H - 1],
    [-3.2, y], [W + 2.7, y], [x, -4.5], [-5.9, -5.9],
    [-7, y], [x, H + 10], [-6, -6], [W + 5, y],
  ];
}

test('renderer alone: the same flow (opencv.flo) at 19 nose points per fixture gives the authors\' map on 100% of pixels', { skip }, async () => {
  const jobs: Job[] = [];
  const cases: { name: string; nose: [number, number] }[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'mellm-authors-render-'));
  for (const name of PAIRS) {
    for (const nose of nosePoints(name)) {
      const out = join(dir, `${name}-${jobs.length}.png`);
      jobs.push({ onset: join(FIX, name, 'onset.png'), apex: join(FIX, name, 'apex.png'), out, nose, flowIn: join(FIX, name, 'opencv.flo') });
      cases.push({ name, nose });
    }
  }
  const infos = authors(jobs);
  let float64 = 0;
  for (let k = 0; k < jobs.length; k++) {
    const { name, nose } = cases[k];
    const grey = await loadGrey(join(FIX, name, 'onset.png'));
    const flow = await readFlo(join(FIX, name, 'opencv.flo'));
    const ours = await renderMmcNative(grey, flow, { nose: { x: nose[0], y: nose[1] }, device: 'cpu' });
    const ref = await loadImage(jobs[k].out);
    const same = samePixels(ours.rgb, ref);
    const what = `${name} at (${nose.join(', ')})`;
    assert.equal(same, grey.width * grey.height, `${what}: ${same} of ${grey.width * grey.height} pixels identical`);
    assert.deepEqual(ours.head, infos[k].meanFlow, `${what}: head vector`);
    assert.equal(ours.emptyWindow, infos[k].meanDtype === 'float64', `${what}: float64 path`);
    if (ours.emptyWindow) float64++;
  }
  assert.ok(float64 >= 4 * PAIRS.length, `the points reach preprocess.py's float64 path (${float64} cases)`);
});

test('`mellm mmc A B --nose X,Y --out M.png` (our TV-L1) equals the transcription (OpenCV TV-L1) on 100% of pixels', { skip, timeout: 600_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mellm-authors-cli-'));
  const jobs: Job[] = [];
  const cases: { name: string; nose: [number, number]; ours: string }[] = [];
  for (const name of PAIRS) {
    const { nose } = meta(name);
    for (const p of [[145.7, 195.6], [nose.x + 0.6, nose.y + 0.4], [-2.5, 3.3]] as [number, number][]) {
      const k = jobs.length;
      jobs.push({ onset: join(FIX, name, 'onset.png'), apex: join(FIX, name, 'apex.png'), out: join(dir, `ref-${k}.png`), nose: p });
      cases.push({ name, nose: p, ours: join(dir, `ours-${k}.png`) });
    }
  }
  const infos = authors(jobs);
  for (let k = 0; k < cases.length; k++) {
    const { name, nose, ours } = cases[k];
    const r = spawnSync(
      process.execPath,
      [CLI, 'mmc', join(FIX, name, 'onset.png'), join(FIX, name, 'apex.png'), `--nose=${nose.join(',')}`, '--out', ours, '--json', '--device', 'cpu'],
      { encoding: 'utf8', timeout: 120_000 },
    );
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { head: { u: number; v: number }; nosePixel: { x: number; y: number }; noseSensitivity: { mean: number } | null };
    const a = await loadImage(ours);
    const b = await loadImage(jobs[k].out);
    const same = samePixels(a.data, b);
    const n = a.width * a.height;
    assert.equal(same, n, `${name} --nose ${nose.join(',')}: ${same} of ${n} pixels identical`);
    assert.deepEqual([j.head.u, j.head.v], infos[k].meanFlow);
    assert.deepEqual([j.nosePixel.x, j.nosePixel.y], infos[k].nosePixel);
    if (infos[k].meanDtype === 'float32') assert.ok(j.noseSensitivity && j.noseSensitivity.mean > 0, `${name}: sensitivity ${JSON.stringify(j.noseSensitivity)}`);
  }
});

test('`mellm mmc --flow-in F.flo --nose X,Y` on every flow field of test/fixtures/mmc/fields.json equals the transcription', { skip, timeout: 600_000 }, async () => {
  // The unit fixtures (awkward sizes, block tails, border and outside noses, the float64 path) as files through
  // the CLI: the grey as the onset PNG, the flow as .flo; at the field's own nose point and at 145.7,195.6.
  const { fields } = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'mmc', 'fields.json'), 'utf8')) as {
    fields: { width: number; height: number; nose: { x: number; y: number } | null; u: number[]; v: number[]; grey: number[] }[];
  };
  assert.ok(fields.length >= 19);
  const dir = mkdtempSync(join(tmpdir(), 'mellm-authors-fields-'));
  const jobs: Job[] = [];
  const cases: { what: string; nose: [number, number]; ours: string }[] = [];
  for (let f = 0; f < fields.length; f++) {
    const { width, height, nose, u, v, grey } = fields[f];
    const onset = join(dir, `onset-${f}.png`);
    const flo = join(dir, `flow-${f}.flo`);
    await sharp(Buffer.from(grey), { raw: { width, height, channels: 1 } }).png().toFile(onset);
    await writeFlo(flo, { width, height, u: Float32Array.from(u), v: Float32Array.from(v) });
    const points: [number, number][] = [[145.7, 195.6]];
    if (nose) points.unshift([nose.x, nose.y]);
    for (const p of points) {
      const k = jobs.length;
      jobs.push({ onset, apex: onset, out: join(dir, `ref-${k}.png`), nose: p, flowIn: flo });
      cases.push({ what: `field ${f} (${width}x${height}) --nose ${p.join(',')}`, nose: p, ours: join(dir, `ours-${k}.png`) });
    }
  }
  const infos = authors(jobs);
  let empty = 0;
  for (let k = 0; k < cases.length; k++) {
    const { what, nose, ours } = cases[k];
    const r = spawnSync(
      process.execPath,
      [CLI, 'mmc', jobs[k].onset, jobs[k].apex, '--flow-in', jobs[k].flowIn!, `--nose=${nose.join(',')}`, '--out', ours, '--json', '--device', 'cpu'],
      { encoding: 'utf8', timeout: 120_000 },
    );
    assert.equal(r.status, 0, `${what}: ${r.stderr}`);
    const j = JSON.parse(r.stdout) as { head: { u: number; v: number }; noseWindow: unknown };
    const a = await loadImage(ours);
    const b = await loadImage(jobs[k].out);
    const n = a.width * a.height;
    assert.equal(samePixels(a.data, b), n, `${what}: pixels identical`);
    assert.deepEqual([j.head.u, j.head.v], infos[k].meanFlow, `${what}: head vector`);
    if (infos[k].meanDtype === 'float64') {
      assert.equal(j.noseWindow, null, `${what}: empty window`);
      empty++;
    }
  }
  assert.ok(empty >= fields.length, `145.7,195.6 is outside every small field: the float64 path (${empty} cases)`);
});

test('no face: `mellm mmc` writes the plain 1-channel grey onset, as preprocess.py returns it', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mellm-authors-noface-'));
  const onset = join(dir, 'onset.png');
  const apex = join(dir, 'apex.png');
  // A smooth gradient with no face on it (the face model finds none).
  const w = 64;
  const h = 48;
  const px = (shift: number) => Buffer.from(Array.from({ length: w * h * 3 }, (_, i) => ((Math.floor(i / 3) % w) * 3 + shift + (i % 3) * 20) % 256));
  await sharp(px(0), { raw: { width: w, height: h, channels: 3 } }).png().toFile(onset);
  await sharp(px(2), { raw: { width: w, height: h, channels: 3 } }).png().toFile(apex);
  const [info] = authors([{ onset, apex, out: join(dir, 'ref.png'), nose: null }]);
  assert.deepEqual(info.shape, [h, w]);
  const r = spawnSync(process.execPath, [CLI, 'mmc', onset, apex, '--out', join(dir, 'ours.png'), '--json', '--device', 'cpu'], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { output: string; noFace: boolean; nose: unknown };
  assert.equal(j.output, 'grey-onset');
  assert.equal(j.noFace, true);
  assert.equal(j.nose, null);
  const ours = await loadImage(join(dir, 'ours.png'));
  const ref = await loadImage(join(dir, 'ref.png'));
  assert.equal(ours.channels, 1);
  assert.equal(ref.channels, 1);
  assert.deepEqual([...ours.data], [...ref.data]);
  // --no-face uncompensated: the flow colours instead (the named option), RGB.
  const u = spawnSync(process.execPath, [CLI, 'mmc', onset, apex, '--out', join(dir, 'unc.png'), '--no-face', 'uncompensated', '--json', '--device', 'cpu'], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(u.status, 0, u.stderr);
  assert.equal((JSON.parse(u.stdout) as { output: string }).output, 'mmc');
  assert.equal((await loadImage(join(dir, 'unc.png'))).channels, 3);
});
