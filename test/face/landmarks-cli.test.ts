// `mellm landmarks` through the bundle (dist/cli.js; `node esbuild.js` builds it, run-tests.mjs does first).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REGION_NAMES } from '../../src/core/face/types';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const CROP = join(ROOT, 'test', 'fixtures', 'face', 'crop4.jpg');

function mellm(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('mellm landmarks --json: box, score, 68 points, nose, inter-ocular distance, regions', () => {
  const r = mellm(['landmarks', CROP, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.image, CROP);
  assert.equal(j.width, 398);
  assert.equal(j.height, 488);
  assert.equal(j.face.points.length, 68);
  assert.deepEqual(j.face.nose, { x: j.face.points[30][0], y: j.face.points[30][1] });
  // Hand-placed nose tip of this crop: (210, 254); inter-ocular distance ~98 px.
  assert.ok(Math.hypot(j.face.nose.x - 210, j.face.nose.y - 254) < 5, JSON.stringify(j.face.nose));
  assert.ok(j.face.interOcular > 80 && j.face.interOcular < 110);
  assert.ok(j.face.score > 0.5 && j.face.score <= 1);
  for (const k of ['x', 'y', 'width', 'height']) assert.equal(typeof j.face.box[k], 'number');
  assert.deepEqual(Object.keys(j.face.regions).sort(), [...REGION_NAMES].sort());
  assert.deepEqual(j.landmarkModel, { id: 'face-api-68', name: 'face-api FaceLandmark68Net (68 points, mirror-averaged)' });
});

test('mellm landmarks --landmarks mesh: the face mesh places the points and is named; an unknown model is a usage error', () => {
  const r = mellm(['landmarks', CROP, '--landmarks', 'mesh', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.landmarkModel.id, 'mesh');
  assert.match(j.landmarkModel.name, /MediaPipe face mesh/);
  assert.equal(j.face.points.length, 68);
  // The same hand-placed tip (210, 254) as above, inter-ocular distance ~98 px.
  assert.ok(Math.hypot(j.face.nose.x - 210, j.face.nose.y - 254) < 10, JSON.stringify(j.face.nose));
  const t = mellm(['landmarks', CROP, '--landmarks', 'mesh']);
  assert.match(t.stdout, /^landmark model: MediaPipe face mesh .*\(--landmarks mesh\)$/m);
  const bad = mellm(['landmarks', CROP, '--landmarks', 'dlib']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--landmarks dlib: expected one of face-api-68, mesh/);
});

test('mellm landmarks prints a summary; no face prints "no face found" and exits 0', () => {
  const r = mellm(['landmarks', CROP]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /face at x \d+, y \d+, \d+ x \d+ px \(score 0\.\d\d\)/);
  assert.match(r.stdout, /^nose tip \(point 30\): [\d.]+, [\d.]+; inter-ocular distance [\d.]+ px$/m);

  const dir = mkdtempSync(join(tmpdir(), 'mellm-face-'));
  // A flat grey 64 x 64 image: a 24-bit BMP (54-byte header, rows of 192 bytes) written by hand.
  const w = 64;
  const h = 64;
  const rowBytes = w * 3;
  const bmp = Buffer.alloc(54 + rowBytes * h, 0x80);
  bmp.write('BM', 0, 'latin1');
  bmp.writeUInt32LE(bmp.length, 2);
  bmp.writeUInt32LE(0, 6);
  bmp.writeUInt32LE(54, 10);
  bmp.writeUInt32LE(40, 14);
  bmp.writeInt32LE(w, 18);
  bmp.writeInt32LE(h, 22);
  bmp.writeUInt16LE(1, 26);
  bmp.writeUInt16LE(24, 28);
  bmp.writeUInt32LE(0, 30);
  bmp.writeUInt32LE(rowBytes * h, 34);
  bmp.writeInt32LE(2835, 38);
  bmp.writeInt32LE(2835, 42);
  bmp.writeUInt32LE(0, 46);
  bmp.writeUInt32LE(0, 50);
  const flat = join(dir, 'flat.bmp');
  writeFileSync(flat, bmp);
  const n = mellm(['landmarks', flat]);
  assert.equal(n.code, 0, n.stderr);
  assert.equal(n.stdout, `${flat}: no face found\n`);
  const nj = JSON.parse(mellm(['landmarks', flat, '--json']).stdout);
  assert.deepEqual(nj, {
    image: flat,
    width: 64,
    height: 64,
    landmarkModel: { id: 'face-api-68', name: 'face-api FaceLandmark68Net (68 points, mirror-averaged)' },
    face: null,
  });
});

test('mellm landmarks: truncated or missing file -> one line naming it, exit 1; bad usage -> exit 2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mellm-face-'));
  const truncated = join(dir, 'truncated.jpg');
  writeFileSync(truncated, readFileSync(CROP).subarray(0, 2000));
  const t = mellm(['landmarks', truncated]);
  assert.equal(t.code, 1);
  assert.equal(t.stderr.trim().split('\n').length, 1, t.stderr);
  assert.ok(t.stderr.includes(truncated), t.stderr);
  assert.match(t.stderr, /truncated or corrupt/);

  const missing = mellm(['landmarks', join(dir, 'nope.png')]);
  assert.equal(missing.code, 1);
  assert.ok(missing.stderr.includes('nope.png'));

  assert.equal(mellm(['landmarks']).code, 2);
  assert.equal(mellm(['landmarks', CROP, '--bogus']).code, 2);
});
