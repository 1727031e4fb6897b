// Face detection + landmarks on real and made-up images: accuracy against hand-placed points, no face,
// several faces, tiny / huge / grey inputs, and the region polygons.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { detectFace, detectFaces, REGION_NAMES, type FaceImage, type FaceResult, type Point } from '../../src/core/face';
import { loadImage } from '../../src/core/image';
import { detectBoxes } from '../../src/core/face/detector';

const FIXTURES = join(__dirname, '..', 'fixtures', 'face');
interface Truth {
  eyeR: Point;
  eyeL: Point;
  nose: Point;
}
const TRUTH = (JSON.parse(readFileSync(join(FIXTURES, 'truth.json'), 'utf8')) as { crops: Record<string, Truth> }).crops;

const dist = (a: Point, b: Point): number => Math.hypot(a[0] - b[0], a[1] - b[1]);
function eyeCentre(pts: Point[], from: number): Point {
  let x = 0;
  let y = 0;
  for (let k = from; k < from + 6; k++) {
    x += pts[k][0];
    y += pts[k][1];
  }
  return [x / 6, y / 6];
}

/**
 * Errors of a face against hand truth (scaled by `s` (or sx, sy), shifted by `dx, dy`), in % of the hand
 * inter-ocular distance.
 */
function errors(face: FaceResult, t: Truth, s: number | [number, number] = 1, dx = 0, dy = 0): { nose: number; eyeR: number; eyeL: number } {
  const [sx, sy] = typeof s === 'number' ? [s, s] : s;
  const m = (p: Point): Point => [p[0] * sx + dx, p[1] * sy + dy];
  const iod = dist(m(t.eyeR), m(t.eyeL));
  return {
    nose: (100 * dist([face.nose.x, face.nose.y], m(t.nose))) / iod,
    eyeR: (100 * dist(eyeCentre(face.points, 36), m(t.eyeR))) / iod,
    eyeL: (100 * dist(eyeCentre(face.points, 42), m(t.eyeL))) / iod,
  };
}

async function raw(pipeline: sharp.Sharp, channels: 1 | 3 = 3): Promise<FaceImage> {
  const p = channels === 1 ? pipeline.toColourspace('b-w') : pipeline.removeAlpha();
  const { data, info } = await p.raw().toBuffer({ resolveWithObject: true });
  assert.equal(info.channels, channels);
  return { width: info.width, height: info.height, channels, data: new Uint8Array(data) };
}

test('nose tips and eye centres match hand-placed points (mean nose error <= 5% of the inter-ocular distance)', async () => {
  const noseErrors: number[] = [];
  const eyeErrors: number[] = [];
  for (const [file, truth] of Object.entries(TRUTH)) {
    const face = await detectFace(await loadImage(join(FIXTURES, file)));
    assert.ok(face, `${file}: no face`);
    const e = errors(face, truth);
    noseErrors.push(e.nose);
    eyeErrors.push(e.eyeR, e.eyeL);
    // Per face the nose bound is looser than the 5%: measured 4.0, 4.6, 8.3, 2.9, 5.6, 3.1% (mirror
    // averaging, scripts/bench/face.ts). crop3 and crop5 stay above 5% with every crop / refinement variant
    // tried; their hand-placed tips (turned faces, strong side light) are themselves uncertain by ~4 px.
    assert.ok(e.nose <= 10, `${file}: nose error ${e.nose.toFixed(1)}%`);
    // Eye centres: measured at most 5.8% (was 8.1% before mirror averaging).
    assert.ok(e.eyeR <= 7.5 && e.eyeL <= 7.5, `${file}: eye errors ${e.eyeR.toFixed(1)}%, ${e.eyeL.toFixed(1)}%`);
    assert.ok(Math.abs(face.interOcular - dist(truth.eyeR, truth.eyeL)) / dist(truth.eyeR, truth.eyeL) < 0.15);
  }
  const mean = (a: number[]): number => a.reduce((x, y) => x + y, 0) / a.length;
  assert.ok(mean(noseErrors) <= 5, `mean nose error ${mean(noseErrors).toFixed(2)}% (${noseErrors.map((e) => e.toFixed(1)).join(', ')})`);
  // Measured 3.0% with mirror averaging, 4.0% without.
  assert.ok(mean(eyeErrors) <= 3.5, `mean eye error ${mean(eyeErrors).toFixed(2)}% (${eyeErrors.map((e) => e.toFixed(1)).join(', ')})`);
});

test('no face: a flat image and a noise image give null', async () => {
  const flat: FaceImage = { width: 320, height: 240, channels: 3, data: new Uint8Array(320 * 240 * 3).fill(128) };
  assert.equal(await detectFace(flat), null);
  const data = new Uint8Array(300 * 300);
  let s = 12345;
  for (let i = 0; i < data.length; i++) {
    s = (s * 16807) % 2147483647;
    data[i] = s & 255;
  }
  assert.equal(await detectFace({ width: 300, height: 300, channels: 1, data }), null);
  assert.deepEqual(await detectFaces(flat), []);
});

test('several faces: all are found and the largest wins', async () => {
  // crop4 at full size on the right, crop5 at 60% on the left, on a grey 900 x 560 canvas.
  const big = await sharp(join(FIXTURES, 'crop4.jpg')).toBuffer(); // 398 x 488
  const small = await sharp(join(FIXTURES, 'crop5.jpg')).resize(183).toBuffer(); // 305 x 306 -> 183 x 184
  const canvas = sharp({ create: { width: 900, height: 560, channels: 3, background: { r: 90, g: 90, b: 90 } } }).composite([
    { input: small, left: 60, top: 150 },
    { input: big, left: 450, top: 40 },
  ]);
  const img = await raw(sharp(await canvas.png().toBuffer()));
  const faces = await detectFaces(img);
  assert.ok(faces.length >= 2, `found ${faces.length} faces`);
  const inBig = (f: FaceResult): boolean => f.nose.x > 450 && f.nose.x < 450 + 398;
  assert.ok(inBig(faces[0]), 'largest first');
  assert.ok(faces.some((f) => f.nose.x > 60 && f.nose.x < 60 + 183), 'small face found too');
  const largest = await detectFace(img);
  assert.ok(largest && inBig(largest));
  assert.ok(errors(largest, TRUTH['crop4.jpg'], 1, 450, 40).nose <= 10);
});

test('huge image (4000 x 3000, upscaled): face found, points mapped back to full resolution', async () => {
  // crop4 scaled 5x (1990 x 2440) pasted at (1000, 300) on a 4000 x 3000 canvas.
  const up = await sharp(join(FIXTURES, 'crop4.jpg')).resize(1990, 2440, { kernel: 'cubic' }).toBuffer();
  const canvas = sharp({ create: { width: 4000, height: 3000, channels: 3, background: { r: 60, g: 60, b: 60 } } })
    .composite([{ input: up, left: 1000, top: 300 }])
    .png({ compressionLevel: 0 });
  const img = await raw(sharp(await canvas.toBuffer()));
  assert.equal(img.width, 4000);
  const face = await detectFace(img);
  assert.ok(face, 'no face in the huge image');
  const e = errors(face, TRUTH['crop4.jpg'], 5, 1000, 300);
  assert.ok(e.nose <= 10 && e.eyeR <= 10 && e.eyeL <= 10, JSON.stringify(e));
});

test('small face in a large frame (90 px wide face in 1600 x 1200) is found by the finer pass', async () => {
  const small = await sharp(join(FIXTURES, 'crop4.jpg')).resize(126).toBuffer(); // face ~90 px wide
  const canvas = sharp({ create: { width: 1600, height: 1200, channels: 3, background: { r: 120, g: 110, b: 100 } } })
    .composite([{ input: small, left: 700, top: 500 }])
    .png();
  const img = await raw(sharp(await canvas.toBuffer()));
  // The two standard passes miss it (it is ~6% of the long side)...
  for (const inputSize of [416, 160]) assert.deepEqual(await detectBoxes(img, { inputSize }), []);
  // ...and detectFace's finer pass finds it.
  const face = await detectFace(img);
  assert.ok(face, 'small face not found');
  const e = errors(face, TRUTH['crop4.jpg'], 126 / 398, 700, 500);
  assert.ok(e.nose <= 15, JSON.stringify(e));
});

test('tiny image (40 x 40 whole-face thumbnail): face found, points in place; 1 x 1 gives null', async () => {
  // Below the 80 px the detector is meant for, but a face that fills the frame is still found at the 160 pass.
  const img = await raw(sharp(join(FIXTURES, 'crop4.jpg')).resize(40, 40, { fit: 'fill' }));
  const face = await detectFace(img);
  assert.ok(face, 'no face in the 40 x 40 thumbnail');
  assert.ok(face.box.x >= 0 && face.box.y >= 0 && face.box.x + face.box.width <= 40 && face.box.y + face.box.height <= 40);
  const e = errors(face, TRUTH['crop4.jpg'], [40 / 398, 40 / 488]);
  assert.ok(e.nose <= 15, JSON.stringify(e));
  assert.equal(await detectFace({ width: 1, height: 1, channels: 3, data: new Uint8Array([1, 2, 3]) }), null);
});

test('grey input: same face as colour, within 5% of the inter-ocular distance', async () => {
  const file = join(FIXTURES, 'crop5.jpg');
  const colour = await detectFace(await raw(sharp(file)));
  const grey = await detectFace(await raw(sharp(file), 1));
  assert.ok(colour && grey);
  assert.ok(errors(grey, TRUTH['crop5.jpg']).nose <= 10);
  const d = dist([grey.nose.x, grey.nose.y], [colour.nose.x, colour.nose.y]);
  assert.ok(d <= 0.05 * colour.interOcular, `grey vs colour nose ${d.toFixed(1)} px`);
});

test('mirror image: the nose mirrors and the sides swap', async () => {
  const file = join(FIXTURES, 'crop4.jpg');
  const a = await detectFace(await raw(sharp(file)));
  const b = await detectFace(await raw(sharp(file).flop()));
  assert.ok(a && b);
  // Pixel x maps to width - x in continuous coordinates.
  assert.ok(Math.abs(b.nose.x - (398 - a.nose.x)) <= 0.05 * a.interOcular);
  assert.ok(Math.abs(b.nose.y - a.nose.y) <= 0.05 * a.interOcular);
});

test('regions: every named region is a finite polygon, subject sides and vertical order are right', async () => {
  const face = await detectFace(await loadImage(join(FIXTURES, 'crop4.jpg')));
  assert.ok(face);
  assert.deepEqual(Object.keys(face.regions).sort(), [...REGION_NAMES].sort());
  const centroid = (name: (typeof REGION_NAMES)[number]): Point => {
    const poly = face.regions[name];
    assert.ok(poly.length >= 3, name);
    for (const [x, y] of poly) assert.ok(Number.isFinite(x) && Number.isFinite(y), name);
    return [poly.reduce((s, p) => s + p[0], 0) / poly.length, poly.reduce((s, p) => s + p[1], 0) / poly.length];
  };
  // Subject's left = image right for a face looking at the camera.
  for (const base of ['innerBrow', 'outerBrow', 'upperEyelid', 'lowerEyelid', 'cheek', 'noseWing', 'nasolabial', 'lipCorner'] as const) {
    assert.ok(centroid(`${base}L`)[0] > centroid(`${base}R`)[0], base);
  }
  assert.ok(centroid('outerBrowR')[0] < centroid('innerBrowR')[0]);
  const y = (n: (typeof REGION_NAMES)[number]): number => centroid(n)[1];
  assert.ok(y('forehead') < y('innerBrowL'));
  assert.ok(y('innerBrowL') < y('upperEyelidL'));
  assert.ok(y('upperEyelidL') < y('lowerEyelidL'));
  assert.ok(y('lowerEyelidL') < y('cheekL'));
  assert.ok(y('noseWingL') < y('upperLip'));
  assert.ok(y('upperLip') < y('lowerLip'));
  assert.ok(y('lowerLip') < y('chin'));
  assert.deepEqual(face.nose, { x: face.points[30][0], y: face.points[30][1] });
});

test('invalid image buffers are rejected with a clear message', async () => {
  await assert.rejects(detectFace({ width: 10, height: 10, channels: 3, data: new Uint8Array(10) }), /image data too short/);
  await assert.rejects(detectFace({ width: 0, height: 10, channels: 3, data: new Uint8Array(0) }), /invalid image size/);
});
