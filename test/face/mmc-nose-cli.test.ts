// `mellm mmc` without --nose: the face model finds the nose tip on the onset frame (H3's path into H2's
// pipeline); no face -> the plain grey onset (preprocess.py's result), a warning naming the onset file,
// "nose": null in --json; --no-face uncompensated keeps the flow colours without compensation.
// Runs the bundle (dist/cli.js; `node esbuild.js` builds it, run-tests.mjs does first).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { writeFlo } from '../../src/core/flo';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
// H2's 280 x 340 pair: sample3.jpg (face-api demo) crop x 1420, y 220, 330 x 400, scaled to 280 x 340.
const PAIR = join(ROOT, 'test', 'fixtures', 'faces', 's3right_280x340');

function mellm(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('mmc without --nose: nose tip found on the onset frame and used for compensation', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mellm-face-mmc-'));
  const args = [join(PAIR, 'onset.png'), join(PAIR, 'apex.png'), '--flow-in', join(PAIR, 'opencv.flo'), '--json'];
  const auto = mellm(['mmc', ...args, '--out', join(dir, 'auto.png')]);
  assert.equal(auto.code, 0, auto.stderr);
  assert.equal(auto.stderr, '');
  const j = JSON.parse(auto.stdout);
  assert.deepEqual(j.warnings, []);
  assert.ok(j.nose, 'nose is null');
  // Hand-placed tip of this face (test/fixtures/face/truth.json crop3: (222, 228) at crop origin (1395, 238)
  // in sample3.jpg) mapped into this pair: ((1617 - 1420) * 280 / 330, (466 - 220) * 340 / 400) = (167.2, 209.1).
  // Inter-ocular distance here ~80 px; allow 10% of it.
  assert.ok(Math.hypot(j.nose.x - 167.2, j.nose.y - 209.1) <= 8, JSON.stringify(j.nose));
  // The window is centred on int() of the located point, as preprocess.py.
  assert.deepEqual(j.nosePixel, { x: Math.trunc(j.nose.x), y: Math.trunc(j.nose.y) });
  // The same point given by hand, or its pixel, gives the same map and head vector.
  for (const p of [`${j.nose.x},${j.nose.y}`, `${j.nosePixel.x},${j.nosePixel.y}`]) {
    const given = mellm(['mmc', ...args, '--out', join(dir, 'given.png'), '--nose', p]);
    assert.equal(given.code, 0, given.stderr);
    assert.deepEqual(JSON.parse(given.stdout).head, j.head);
  }
});

test('mmc without --nose on a frame with no face: the grey onset, warning naming the file, "nose": null', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mellm-face-mmc-'));
  const onset = join(dir, 'flat-onset.png');
  const apex = join(dir, 'flat-apex.png');
  for (const [file, level] of [[onset, 120], [apex, 124]] as const) {
    await sharp({ create: { width: 96, height: 80, channels: 3, background: { r: level, g: level, b: level } } }).png().toFile(file);
  }
  // A given (uniform) flow keeps this test about the nose path, not TV-L1.
  const flo = join(dir, 'uniform.flo');
  await writeFlo(flo, { width: 96, height: 80, u: new Float32Array(96 * 80).fill(0.5), v: new Float32Array(96 * 80).fill(-0.25) });
  const r = mellm(['mmc', onset, apex, '--flow-in', flo, '--out', join(dir, 'map.png'), '--json']);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.nose, null);
  assert.equal(j.output, 'grey-onset');
  assert.equal((await sharp(join(dir, 'map.png')).metadata()).channels, 1, 'a 1-channel PNG, as cv2.imwrite writes it');
  const written = await sharp(join(dir, 'map.png')).toColourspace('b-w').raw().toBuffer();
  assert.ok(written.every((g) => g === 120), 'the grey onset, no colour');
  const unc = mellm(['mmc', onset, apex, '--flow-in', flo, '--out', join(dir, 'unc.png'), '--json', '--no-face', 'uncompensated']);
  assert.equal(unc.code, 0, unc.stderr);
  assert.equal(JSON.parse(unc.stdout).output, 'mmc');
  assert.deepEqual(j.head, { u: 0, v: 0 });
  assert.equal(j.warnings.length, 1);
  assert.ok(j.warnings[0].includes(onset) && /no face/.test(j.warnings[0]), j.warnings[0]);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.ok(r.stderr.includes(onset) && /warning/.test(r.stderr), r.stderr);
});
