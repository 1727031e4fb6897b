// MMC-Map steps 4-8 on small synthetic fields: quantisation half-steps, constant fields, saturating add,
// the clipped nose window. The fixtures come from the authors' steps (scripts/reference/authors_preprocess.py,
// a transcription of preprocess.py at b7daa0f, run by scripts/fixtures/make_mmc_fixtures.py); the rest is
// computed here.
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

test('angles exactly on a 30-degree half-step round half to even, as preprocess.py does', async () => {
  const { width, height } = half;
  // preprocess.py's angle goes through radians (cv2) and back (* 180 / np.pi, float32): 15, 75, 165, 195 and
  // 255 land exactly on half-steps; the mirrored 105, 285 and 345 land a hair below and quantise down.
  assert.deepEqual(half.angle.slice(0, 8), [15, 75, 104.99999237060547, 165, 195, 255, 284.9999694824219, 344.9999694824219]);
  assert.deepEqual(half.quantised.slice(0, 8), [0, 60, 90, 180, 180, 240, 270, 330]);
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
  // 75 -> 60 (yellow: R = G, no B), 165 -> 180 (cyan: no R), 195 -> 180 too (6.5 rounds to the even 6).
  const [r75, g75, b75] = colour(1);
  assert.ok(r75 === g75 && r75 > 150 && b75 === 0, `75 deg colour ${colour(1)}`);
  assert.equal(colour(3)[0], 0);
  assert.deepEqual(colour(4), colour(3));
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
    // numpy's float32 mean: a sequential float32 sum in row-major order, divided in float32.
    let su = 0;
    let sv = 0;
    let count = 0;
    for (let y = Math.max(0, ny - 5); y <= Math.min(h - 1, ny + 5); y++) {
      for (let x = Math.max(0, nx - 5); x <= Math.min(w - 1, nx + 5); x++) {
        su = Math.fround(su + flow.u[y * w + x]);
        sv = Math.fround(sv + flow.v[y * w + x]);
        count++;
      }
    }
    const out = await renderMmcNative(grey, flow, { nose: { x: nx, y: ny } });
    assert.deepEqual(out.head, [Math.fround(su / count), Math.fround(sv / count)], `head at (${nx}, ${ny})`);
  }
  // A window only partly inside still averages what is inside; one 6+ px outside is empty: nothing is
  // subtracted (preprocess.py's float64 zero mean), reported as such.
  const partly = await renderMmcNative(grey, flow, { nose: { x: -3, y: -4 } });
  assert.ok(Math.abs(partly.head[0] - (0 + 1 + 2) / 3 - 0.01 * (0 + 1) / 2) < 1e-5);
  assert.equal(partly.emptyWindow, false);
  for (const nose of [{ x: 40, y: 5 }, { x: 35, y: 5 }, { x: -6, y: 5 }, { x: 5, y: -6.9 }, { x: 5, y: 25 }]) {
    const out = await renderMmcNative(grey, flow, { nose });
    assert.equal(out.emptyWindow, true, JSON.stringify(nose));
    assert.deepEqual(out.head, [0, 0]);
  }
  for (const nose of [{ x: 34, y: 5 }, { x: -5.9, y: 5 }, { x: 5, y: 24.9 }]) assert.equal((await renderMmcNative(grey, flow, { nose })).emptyWindow, false, JSON.stringify(nose));
  // The nose pixel is int() of the point, as preprocess.py: truncation toward zero, not rounding.
  const truncated = await renderMmcNative(grey, flow, { nose: { x: 14.6, y: 9.6 } });
  assert.deepEqual(truncated.head, (await renderMmcNative(grey, flow, { nose: { x: 14, y: 9 } })).head);
  assert.notDeepEqual(truncated.head, (await renderMmcNative(grey, flow, { nose: { x: 15, y: 10 } })).head);
  const nearZero = await renderMmcNative(grey, flow, { nose: { x: -0.8, y: -0.3 } });
  assert.deepEqual(nearZero.head, (await renderMmcNative(grey, flow, { nose: { x: 0, y: 0 } })).head);
});

test("the head vector is numpy's float32 mean: a sequential float32 sum divided in float32", async () => {
  // Values whose float32 sum depends on the order: a sequential sum and a pairwise one differ here.
  const w = 11;
  const h = 11;
  const vals = Array.from({ length: w * h }, (_, i) => Math.fround((i % 7 === 0 ? 1000.1 : 0.3) * (1 + i / 977)));
  const flow = field(w, h, (x, y) => [vals[y * w + x], -vals[y * w + x] / 3]);
  let su = 0;
  for (const v of vals) su = Math.fround(su + v);
  const expected = Math.fround(su / 121);
  let exactSum = 0;
  for (const v of vals) exactSum += v;
  const out = await renderMmcNative(flatGrey(w, h, 0), flow, { nose: { x: 5, y: 5 } });
  assert.equal(out.head[0], expected);
  assert.notEqual(out.head[0], Math.fround(exactSum / 121), 'the fixture does not tell float32 from float64 sums apart');
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
  /** preprocess.py went down its float64 path (empty window). */
  float64: boolean;
  u: number[];
  v: number[];
  grey: number[];
  head: [number, number];
  rgb: number[];
}

test('random fields at awkward sizes (scalar paths, block tails, HSV row tails, border and outside noses, float64) equal the authors\' steps', async () => {
  const { fields } = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'mmc', 'fields.json'), 'utf8')) as {
    fields: RefField[];
  };
  assert.ok(fields.length >= 19);
  assert.ok(fields.filter((f) => f.float64).length >= 5, 'the fixture covers the float64 path');
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
    const what = `${f.width}x${f.height} nose ${JSON.stringify(f.nose)}`;
    assert.equal(same, f.width * f.height, `${what}: ${same} identical pixels`);
    assert.deepEqual(out.head, f.head, what);
    assert.equal(out.emptyWindow, f.float64, what);
  }
});
