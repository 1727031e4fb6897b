// The net-input resampler: padding layout as face-api's padToSquare, zero padding, area averaging when
// shrinking, centre-aligned bilinear when enlarging, grey replicated to RGB.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resampleSquare, squareLayout, type RasterImage } from '../../src/core/face/resample';

test('squareLayout: detector pads after, landmark input centres (round(diff / 2) after, rest before)', () => {
  assert.deepEqual(squareLayout(100, 60, false), { side: 100, padLeft: 0, padTop: 0 });
  assert.deepEqual(squareLayout(100, 61, true), { side: 100, padLeft: 0, padTop: 19 }); // diff 39: 20 after, 19 before
  assert.deepEqual(squareLayout(60, 100, true), { side: 100, padLeft: 20, padTop: 0 });
  assert.deepEqual(squareLayout(50, 50, true), { side: 50, padLeft: 0, padTop: 0 });
});

test('shrinking a wide image: area average inside, zeros in the padding below', () => {
  // 8 x 4 RGB, value = 10 * column in R, 100 in G, 200 in B; to 4 x 4 (side 8, scale 2).
  const w = 8;
  const h = 4;
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) data.set([10 * x, 100, 200], (y * w + x) * 3);
  const img: RasterImage = { width: w, height: h, channels: 3, data };
  const out = resampleSquare(img, { x: 0, y: 0, width: w, height: h }, squareLayout(w, h, false), 4);
  const px = (x: number, y: number): number[] => Array.from(out.subarray((y * 4 + x) * 3, (y * 4 + x) * 3 + 3));
  for (let x = 0; x < 4; x++) {
    for (const y of [0, 1]) {
      const [r, g, b] = px(x, y);
      assert.ok(Math.abs(r - 10 * (2 * x + 0.5)) < 1e-4 && Math.abs(g - 100) < 1e-4 && Math.abs(b - 200) < 1e-4, `${x},${y}`);
    }
    assert.deepEqual(px(x, 2), [0, 0, 0]);
    assert.deepEqual(px(x, 3), [0, 0, 0]);
  }
});

test('enlarging: centre-aligned bilinear; grey goes to all three channels; crop offset respected', () => {
  // Grey 4 x 1 row [0, 0, 100, 200] inside a wider image; crop x = 1..2 (values 0, 100) into 4 x 4.
  const img: RasterImage = { width: 4, height: 2, channels: 1, data: new Uint8Array([0, 0, 100, 200, 0, 0, 100, 200]) };
  const out = resampleSquare(img, { x: 1, y: 0, width: 2, height: 2 }, squareLayout(2, 2, true), 4);
  // Output centres map to source x = (o + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25 -> clamped to 0..1.
  const row = [0, 1, 2, 3].map((x) => out[x * 3]);
  assert.deepEqual(row, [0, 25, 75, 100]);
  for (let i = 0; i < out.length; i += 3) assert.ok(out[i] === out[i + 1] && out[i] === out[i + 2]);
});
