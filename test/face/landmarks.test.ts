// Landmark stage: the iBUG mirror index map, and the pixel convention of the mapping back to the image,
// checked through mirror equivariance (a left-right mirrored square image must give the mirrored points).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import sharp from 'sharp';
import { landmarksFor, MIRROR_68 } from '../../src/core/face/landmarks';
import type { FaceImage } from '../../src/core/face';

const FIXTURES = join(__dirname, '..', 'fixtures', 'face');

async function raw(pipeline: sharp.Sharp): Promise<FaceImage> {
  const { data, info } = await pipeline.removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: 3, data: new Uint8Array(data) };
}

test('MIRROR_68 is an involution that fixes exactly the 10 midline points and keeps each group together', () => {
  assert.equal(MIRROR_68.length, 68);
  for (let k = 0; k < 68; k++) assert.equal(MIRROR_68[MIRROR_68[k]], k, `point ${k}`);
  const fixed = MIRROR_68.map((m, k) => (m === k ? k : -1)).filter((k) => k >= 0);
  assert.deepEqual(fixed, [8, 27, 28, 29, 30, 33, 51, 57, 62, 66]);
  const group = (k: number): string =>
    k <= 16 ? 'jaw' : k <= 26 ? 'brow' : k <= 35 ? 'nose' : k <= 47 ? 'eye' : k <= 59 ? 'outer lip' : 'inner lip';
  for (let k = 0; k < 68; k++) assert.equal(group(MIRROR_68[k]), group(k), `point ${k}`);
  // Spot checks against the 300-W chart: outer eye corners, mouth corners, jaw ends.
  assert.equal(MIRROR_68[36], 45);
  assert.equal(MIRROR_68[39], 42);
  assert.equal(MIRROR_68[48], 54);
  assert.equal(MIRROR_68[0], 16);
});

test('landmarks of a mirrored square image are the mirrored landmarks (x -> width - 1 - x, partners swapped)', async () => {
  // 300 x 300: the whole image is the crop, so no padding and the resampling is mirror-symmetric.
  const file = join(FIXTURES, 'crop4.jpg');
  const img = await raw(sharp(file).resize(300, 300, { fit: 'fill' }));
  const flipped = await raw(sharp(file).resize(300, 300, { fit: 'fill' }).flop());
  const whole = { x: 0, y: 0, width: 300, height: 300 };
  const [[a], [b]] = await Promise.all([landmarksFor(img, [whole]), landmarksFor(flipped, [whole])]);
  let worst = 0;
  for (let k = 0; k < 68; k++) {
    const m = a[MIRROR_68[k]];
    worst = Math.max(worst, Math.abs(b[k][0] - (299 - m[0])), Math.abs(b[k][1] - m[1]));
  }
  // A half-pixel slip in either convention (net output or image) would show as >= 0.5 px here.
  assert.ok(worst < 0.05, `largest mirror mismatch ${worst.toFixed(3)} px`);
  // And the points are on the face: nose tip between the eye centres in x, below them in y.
  const eye = (from: number): number => a.slice(from, from + 6).reduce((s, p) => s + p[0], 0) / 6;
  assert.ok(a[30][0] > eye(36) && a[30][0] < eye(42));
});
