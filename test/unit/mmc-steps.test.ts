// MMC-Map steps 4-8 on small synthetic fields: quantisation half-steps, constant fields, saturating add,
// the clipped nose window. The half-step fixture comes from the numpy/cv2 reference
// (scripts/fixtures/make_mmc_fixtures.py); the rest is computed here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderMmcNative, type FlowField, type GreyImage } from '../../src/core/native';

interface HalfSteps {
  width: number;
  height: number;
  u: number[];
  v: number[];
  grey: number[];
  angle: number[];
  quantised: number[];
  rgb: number[];
}
const half = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'mmc', 'halfsteps.json'), 'utf8'),
) as HalfSteps;

function field(width: number, height: number, f: (x: number, y: number) => [number, number]): FlowField {
  const u = new Float32Array(width * height);
  const v = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) [u[y * width + x], v[y * width + x]] = f(x, y);
  }
  return { width, height, u, v };
}

function flatGrey(width: number, height: number, value: number): GreyImage {
  return { width, height, data: new Uint8Array(width * height).fill(value) };
}

test('angles exactly on a 30-degree half-step round half to even, as the cv2 reference does', async () => {
  const { width, height } = half;
  // The fixture really holds the eight reachable half-steps.
  assert.deepEqual(half.angle.slice(0, 8), [15, 75, 105, 165, 195, 255, 285, 345]);
  assert.deepEqual(half.quantised.slice(0, 8), [0, 60, 120, 180, 180, 240, 300, 0]);
  const out = await renderMmcNative(
    { width, height, data: Uint8Array.from(half.grey) },
    { width, height, u: Float32Array.from(half.u), v: Float32Array.from(half.v) },
    { nose: null },
  );
  assert.deepEqual([...out.rgb], half.rgb);
  const colour = (i: number): number[] => [0, 1, 2].map((c) => out.rgb[i * 3 + c] - half.grey[i]);
  // 15 degrees -> 0 (red: only R), while the next float slope (just over 15) -> 30 degrees (orange: R and G).
  const [r15, g15, b15] = colour(0);
  assert.ok(r15 > 150 && g15 === 0 && b15 === 0, `15 deg colour ${colour(0)}`);
  const [r16, g16, b16] = colour(8);
  assert.ok(r16 > 150 && g16 > 50 && b16 === 0, `just over 15 deg colour ${colour(8)}`);
  // 345 -> 360 = 0 (red again), 75 -> 60 (yellow: R = G, no B), 165 -> 180 (cyan: no R).
  assert.deepEqual(colour(7), colour(0));
  const [r75, g75, b75] = colour(1);
  assert.ok(r75 === g75 && r75 > 150 && b75 === 0, `75 deg colour ${colour(1)}`);
  assert.equal(colour(3)[0], 0);
});

test('a constant field: no divide by zero, no NaN, no colour anywhere', async () => {
  const w = 37;
  const h = 23;
  const grey: GreyImage = { width: w, height: h, data: Uint8Array.from({ length: w * h }, (_, i) => (i * 31) % 256) };
  for (const flow of [field(w, h, () => [0.7, -0.3]), field(w, h, () => [0, 0])]) {
    const out = await renderMmcNative(grey, flow, { nose: null });
    assert.equal(out.magMin, out.magMax);
    assert.ok(Number.isFinite(out.magMin));
    for (let i = 0; i < w * h; i++) {
      assert.deepEqual([out.rgb[i * 3], out.rgb[i * 3 + 1], out.rgb[i * 3 + 2]], [grey.data[i], grey.data[i], grey.data[i]]);
    }
  }
  // Compensating a uniform head shift leaves a zero field: also no colour, and the shift is reported.
  const comp = await renderMmcNative(grey, field(w, h, () => [0.75, -0.25]), { nose: { x: 18, y: 11 } });
  assert.deepEqual(comp.head, [0.75, -0.25]);
  assert.equal(comp.magMax, 0);
  assert.deepEqual([...comp.rgb.filter((_, i) => i % 3 === 0)], [...grey.data]);
});

test('pixels at the minimum magnitude get no colour; others do', async () => {
  const w = 20;
  const h = 10;
  const flow = field(w, h, (x) => [x < 10 ? 0.5 : 2.5, 0]);
  const out = await renderMmcNative(flatGrey(w, h, 40), flow, { nose: null });
  for (let y = 0; y < h; y++) {
    assert.deepEqual([...out.rgb.subarray((y * w + 3) * 3, (y * w + 4) * 3)], [40, 40, 40]);
    assert.deepEqual([...out.rgb.subarray((y * w + 15) * 3, (y * w + 16) * 3)], [255, 40, 40]);
  }
});

test('overlay is a saturating add: bright grey plus colour clips at 255', async () => {
  const w = 16;
  const h = 4;
  // One pixel moves 3 px to the right (red, V = 255); everything else is still.
  const flow = field(w, h, (x, y) => (x === 5 && y === 2 ? [3, 0] : [0, 0]));
  const out = await renderMmcNative(flatGrey(w, h, 250), flow, { nose: null });
  const i = 2 * w + 5;
  assert.deepEqual([...out.rgb.subarray(i * 3, i * 3 + 3)], [255, 250, 250]);
  assert.deepEqual([...out.rgb.subarray(0, 3)], [250, 250, 250]);
  // The fixture's bright pixel (grey 250) also clips in the cv2 reference.
  assert.ok(half.rgb.every((c) => c >= 0 && c <= 255));
});

test('the head vector is the mean over the 11x11 nose window clipped at every border', async () => {
  const w = 30;
  const h = 20;
  const flow = field(w, h, (x, y) => [x + 0.01 * y * y, -2 * y + 0.5 * Math.sin(x)]);
  const grey = flatGrey(w, h, 100);
  const points: [number, number][] = [
    [0, 0], [w - 1, 0], [0, h - 1], [w - 1, h - 1], // corners
    [15, 0], [15, h - 1], [0, 10], [w - 1, 10], // edges
    [3, 2], [27, 18], [15, 10], // near the border, and a window fully inside
  ];
  for (const [nx, ny] of points) {
    let su = 0;
    let sv = 0;
    let count = 0;
    for (let y = Math.max(0, ny - 5); y <= Math.min(h - 1, ny + 5); y++) {
      for (let x = Math.max(0, nx - 5); x <= Math.min(w - 1, nx + 5); x++) {
        su += flow.u[y * w + x];
        sv += flow.v[y * w + x];
        count++;
      }
    }
    const out = await renderMmcNative(grey, flow, { nose: { x: nx, y: ny } });
    assert.ok(Math.abs(out.head[0] - su / count) < 1e-5, `u at (${nx}, ${ny}): ${out.head[0]} vs ${su / count}`);
    assert.ok(Math.abs(out.head[1] - sv / count) < 1e-5, `v at (${nx}, ${ny}): ${out.head[1]} vs ${sv / count}`);
  }
  // A window only partly inside still averages what is inside; one fully outside is an error.
  const partly = await renderMmcNative(grey, flow, { nose: { x: -3, y: -4 } });
  assert.ok(Math.abs(partly.head[0] - (0 + 1 + 2) / 3 - 0.01 * (0 + 1) / 2) < 1e-5);
  await assert.rejects(renderMmcNative(grey, flow, { nose: { x: 40, y: 5 } }), /nose point \(40, 5\) is outside the 30x20 image/);
  // The nose is rounded to the nearest pixel.
  const rounded = await renderMmcNative(grey, flow, { nose: { x: 14.6, y: 9.6 } });
  const exact = await renderMmcNative(grey, flow, { nose: { x: 15, y: 10 } });
  assert.deepEqual(rounded.head, exact.head);
});

test('a flow with a non-finite value is rejected', async () => {
  const flow = field(4, 4, () => [0, 0]);
  flow.v[6] = Number.NaN;
  await assert.rejects(renderMmcNative(flatGrey(4, 4, 0), flow, { nose: null }), /non-finite value at pixel \(2, 1\)/);
});

interface RefField {
  width: number;
  height: number;
  nose: { x: number; y: number } | null;
  u: number[];
  v: number[];
  grey: number[];
  head: [number, number];
  rgb: number[];
}

test('random fields at awkward sizes (scalar paths, HSV row tails, border noses) equal the cv2 reference', async () => {
  const { fields } = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'mmc', 'fields.json'), 'utf8')) as {
    fields: RefField[];
  };
  assert.ok(fields.length >= 8);
  for (const f of fields) {
    const out = await renderMmcNative(
      { width: f.width, height: f.height, data: Uint8Array.from(f.grey) },
      { width: f.width, height: f.height, u: Float32Array.from(f.u), v: Float32Array.from(f.v) },
      { nose: f.nose },
    );
    let same = 0;
    for (let i = 0; i < f.width * f.height; i++) {
      if ([0, 1, 2].every((c) => out.rgb[i * 3 + c] === f.rgb[i * 3 + c])) same++;
    }
    assert.equal(same, f.width * f.height, `${f.width}x${f.height}: ${same} identical pixels`);
    assert.ok(Math.abs(out.head[0] - f.head[0]) < 1e-6 && Math.abs(out.head[1] - f.head[1]) < 1e-6);
  }
});
