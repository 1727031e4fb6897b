import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { correctLighting, estimatePhotometric, normaliseApex, photometricSummary } from '../../src/core/reasoning/photometric';
import { computeFlow, type GreyImage } from '../../src/core/native';
import { EXPRESSIONS, loadFixtureFace } from '../fixtures/reasoning/face';
import { warpFace } from '../support/warp';
import { gaussian, rng } from '../support/rng';

/** Pixelwise transform f(value, x, y), rounded and clipped to 8 bits. */
function map(img: GreyImage, f: (v: number, x: number, y: number) => number): GreyImage {
  const data = new Uint8Array(img.data.length);
  for (let y = 0; y < img.height; y++)
    for (let x = 0; x < img.width; x++) data[y * img.width + x] = Math.max(0, Math.min(255, Math.round(f(img.data[y * img.width + x], x, y))));
  return { ...img, data };
}

async function jpeg(img: GreyImage, quality: number): Promise<GreyImage> {
  const buf = await sharp(Buffer.from(img.data), { raw: { width: img.width, height: img.height, channels: 1 } }).jpeg({ quality }).toBuffer();
  const { data } = await sharp(buf).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
  return { ...img, data: new Uint8Array(data) };
}

/** Mean |a - b| inside the box. */
function boxMad(a: GreyImage, b: GreyImage, box: { x: number; y: number; width: number; height: number }): number {
  let s = 0;
  let n = 0;
  for (let y = Math.ceil(box.y); y < Math.floor(box.y + box.height); y++)
    for (let x = Math.ceil(box.x); x < Math.floor(box.x + box.width); x++) {
      s += Math.abs(a.data[y * a.width + x] - b.data[y * a.width + x]);
      n++;
    }
  return s / n;
}

test('no change and motion alone: nothing found, nothing corrected', async () => {
  const { onset, face } = await loadFixtureFace();
  const same = estimatePhotometric(onset, onset, { box: face.box });
  assert.equal(same.significant, false);
  assert.ok(Math.abs(same.gain - 1) < 1e-6 && Math.abs(same.offset) < 1e-6);
  assert.deepEqual(same.found, []);
  assert.match(same.sentence.en, /no change/);
  const smile = warpFace(onset, face.points, EXPRESSIONS.happiness).apex;
  const moved = estimatePhotometric(onset, smile, { box: face.box });
  assert.equal(moved.significant, false, `smile read as lighting: ${moved.sentence.en}`);
  assert.ok(Math.abs(moved.gain - 1) < 0.003, `gain ${moved.gain}`);
  assert.ok(moved.inliers < moved.cells, 'the cells the smile changed are rejected as outliers');
  assert.equal(normaliseApex(smile, moved), smile, 'not significant: the apex is returned as it is');
});

test('global gain, offset and their sentence', async () => {
  const { onset, face } = await loadFixtureFace();
  for (const g of [1.05, 0.95, 1.02]) {
    const c = estimatePhotometric(onset, map(onset, (v) => v * g), { box: face.box });
    assert.ok(Math.abs(c.gain - g) < 0.003, `gain ${c.gain} for ${g}`);
    assert.ok(Math.abs(c.offset) < 0.5, `offset ${c.offset} for gain ${g}`);
    assert.equal(c.significant, true);
    assert.deepEqual(c.found, [g > 1 ? 'brighter' : 'darker']);
  }
  const bright = estimatePhotometric(onset, map(onset, (v) => v * 1.05), { box: face.box });
  assert.match(bright.sentence.en, /apex 5\.0% brighter than the onset/);
  assert.match(bright.sentence.en, /lighting, not motion/);
  assert.match(bright.sentence.zh, /顶点帧比起始帧亮 5\.0%/);
  const off = estimatePhotometric(onset, map(onset, (v) => v + 6), { box: face.box });
  assert.ok(Math.abs(off.offset - 6) < 0.3 && Math.abs(off.gain - 1) < 0.003, `offset ${off.offset} gain ${off.gain}`);
  assert.deepEqual(off.found, ['offset']);
  assert.match(off.sentence.en, /offset \+6\.0 grey levels/);
});

test('a lighting gradient is a gain field, and normalising removes it on the face', async () => {
  const { onset, face } = await loadFixtureFace();
  const lit = map(onset, (v, x) => v * (1 + (0.08 * x) / onset.width));
  const c = estimatePhotometric(onset, lit, { box: face.box });
  const left = 1 + (0.08 * face.box.x) / onset.width;
  const right = 1 + (0.08 * (face.box.x + face.box.width)) / onset.width;
  assert.ok(Math.abs(c.gainField.min - left) < 0.006 && Math.abs(c.gainField.max - right) < 0.006, `field ${c.gainField.min}..${c.gainField.max} vs ${left}..${right}`);
  assert.ok(c.found.includes('gradient'), c.found.join(','));
  assert.match(c.sentence.en, /lighting gradient/);
  const fixed = normaliseApex(lit, c);
  assert.ok(boxMad(fixed, onset, face.box) < 0.6, `corrected apex differs by ${boxMad(fixed, onset, face.box)}`);
  assert.ok(boxMad(lit, onset, face.box) > 4);
});

test('row banding is reported as flicker with its period, and corrected', async () => {
  const { onset, face } = await loadFixtureFace();
  const banded = map(onset, (v, _x, y) => v * (1 + 0.03 * Math.sin((2 * Math.PI * y) / 20)));
  const c = estimatePhotometric(onset, banded, { box: face.box });
  assert.equal(c.flicker.detected, true);
  assert.equal(c.flicker.periodRows, 20);
  assert.ok(Math.abs(c.flicker.amplitude - 0.03 / Math.SQRT2) < 0.004, `amplitude ${c.flicker.amplitude}`);
  assert.ok(c.found.includes('flicker'));
  assert.match(c.sentence.en, /flicker banding of ±2\.\d% every 20 rows/);
  const fixed = normaliseApex(banded, c);
  assert.ok(boxMad(fixed, onset, face.box) < boxMad(banded, onset, face.box) / 3, `banding left: ${boxMad(fixed, onset, face.box)}`);
  // A smooth vertical gradient is the gain field's, never flicker.
  const ramp = estimatePhotometric(onset, map(onset, (v, _x, y) => v * (1 + (0.06 * y) / onset.height)), { box: face.box });
  assert.equal(ramp.flicker.detected, false, `ramp read as flicker ${ramp.flicker.amplitude}`);
});

test('camera noise and JPEG alone are not a lighting change; a change under motion, noise and JPEG is still measured', async () => {
  const { onset, face } = await loadFixtureFace();
  const r = rng(11);
  const noisy = await jpeg(map(onset, (v) => v + 2 * gaussian(r)), 85);
  const base = await jpeg(onset, 85);
  const quiet = estimatePhotometric(base, noisy, { box: face.box });
  assert.equal(quiet.significant, false, quiet.sentence.en);
  const smile = warpFace(onset, face.points, { ...EXPRESSIONS.happiness, shift: [0.8, -0.5] });
  const lit = await jpeg(map(smile.apex, (v, x) => v * (1.04 + (0.04 * x) / onset.width) + 2 + 2 * gaussian(r)), 85);
  const c = estimatePhotometric(base, lit, { box: face.box });
  const mid = 1.04 + (0.04 * (face.box.x + face.box.width / 2)) / onset.width;
  assert.ok(Math.abs(c.gain + c.offset / 128 - (mid + 2 / 128)) < 0.01, `gain ${c.gain} offset ${c.offset}, expected ~${mid} / +2`);
  assert.equal(c.significant, true);
  // With the true flow the apex is compared where each pixel went: more cells agree with the model.
  const withFlow = estimatePhotometric(base, lit, { box: face.box, flow: smile.flow });
  assert.ok(withFlow.inliers >= c.inliers, `inliers ${withFlow.inliers} vs ${c.inliers}`);
  assert.ok(Math.abs(withFlow.gain - c.gain) < 0.01);
});

test('too small a face box is not estimable and changes nothing', async () => {
  const { onset } = await loadFixtureFace();
  const c = estimatePhotometric(onset, map(onset, (v) => v * 1.1), { box: { x: 100, y: 100, width: 12, height: 12 } });
  assert.equal(c.estimable, false);
  assert.equal(c.significant, false);
  assert.match(c.sentence.en, /not estimable/);
  assert.throws(() => estimatePhotometric(onset, { width: 10, height: 10, data: new Uint8Array(100) }), /onset is 280x340 but apex is 10x10/);
});

test('summary for JSON drops the model; correctLighting returns the corrected apex', async () => {
  const { onset, face } = await loadFixtureFace();
  const { change, apex } = correctLighting(onset, map(onset, (v) => v * 1.05), { box: face.box });
  const s = photometricSummary(change);
  assert.equal('model' in s, false);
  assert.equal(JSON.parse(JSON.stringify(s)).gain, s.gain);
  assert.ok(boxMad(apex, onset, face.box) < 0.6);
});

test('TV-L1 on the corrected apex: the motion a 5% brighter apex invented is gone', async () => {
  const { onset, face } = await loadFixtureFace();
  const lit = map(onset, (v) => v * 1.05);
  const meanMag = (f: { u: Float32Array; v: Float32Array; width: number }) => {
    let s = 0;
    let n = 0;
    for (let y = Math.ceil(face.box.y); y < face.box.y + face.box.height; y++)
      for (let x = Math.ceil(face.box.x); x < face.box.x + face.box.width; x++) {
        s += Math.hypot(f.u[y * f.width + x], f.v[y * f.width + x]);
        n++;
      }
    return s / n;
  };
  const raw = await computeFlow(onset, lit, {}, { threads: 1 });
  const fixed = await computeFlow(onset, correctLighting(onset, lit, { box: face.box }).apex, {}, { threads: 1 });
  assert.ok(meanMag(raw) > 4 * meanMag(fixed), `raw ${meanMag(raw)} px vs corrected ${meanMag(fixed)} px`);
});

test('head motion is followed, not taken for light: a shifted, rolled face under a 4% gain', async () => {
  const { onset, face } = await loadFixtureFace();
  const cx = face.box.x + face.box.width / 2;
  const cy = face.box.y + face.box.height / 2;
  const roll = (0.8 * Math.PI) / 180;
  // apex(q) = onset(R^-1 (q - c - t) + c): the onset point p went to c + t + R (p - c).
  const [tx, ty] = [2.6, -1.4];
  const moved = map(onset, (_v, x, y) => {
    const dx = x - cx - tx;
    const dy = y - cy - ty;
    const sx = cx + Math.cos(roll) * dx + Math.sin(roll) * dy;
    const sy = cy - Math.sin(roll) * dx + Math.cos(roll) * dy;
    const x0 = Math.max(0, Math.min(onset.width - 2, Math.floor(sx)));
    const y0 = Math.max(0, Math.min(onset.height - 2, Math.floor(sy)));
    const fx = sx - x0;
    const fy = sy - y0;
    const at = (xx: number, yy: number) => onset.data[yy * onset.width + xx];
    return (at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx) * (1 - fy) + (at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx) * fy;
  });
  const still = estimatePhotometric(onset, moved, { box: face.box });
  assert.equal(still.significant, false, `head motion read as light: ${still.sentence.en}`);
  assert.ok(Math.abs(still.head.dx - tx) < 0.1 && Math.abs(still.head.dy - ty) < 0.1, `head ${still.head.dx}, ${still.head.dy}`);
  assert.ok(Math.abs(still.head.rollDeg - 0.8) < 0.1, `roll ${still.head.rollDeg}`);
  const lit = estimatePhotometric(onset, map(moved, (v) => v * 1.04), { box: face.box });
  assert.ok(Math.abs(lit.gain - 1.04) < 0.004, `gain ${lit.gain}`);
  assert.ok(Math.abs(lit.head.dx - tx) < 0.1 && Math.abs(lit.head.dy - ty) < 0.1, `head under light ${lit.head.dx}, ${lit.head.dy}`);
  // Without following the head, the same pair looks like a lighting change.
  const naive = estimatePhotometric(onset, moved, { box: face.box, rigid: false });
  assert.ok(naive.meanChange > 2 * still.meanChange, `naive ${naive.meanChange} vs followed ${still.meanChange}`);
});
