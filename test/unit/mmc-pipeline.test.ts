// computeMmc: the one-call pipeline over files, decoded images and given flows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { readFlo } from '../../src/core/flo';
import { loadImage } from '../../src/core/image';
import { MediaError } from '../../src/core/mediaError';
import { computeMmc, NO_NOSE_WARNING } from '../../src/core/mmc';
import { CancelledError } from '../../src/core/native';

const PAIR = path.join(__dirname, '..', 'fixtures', 'faces', 's5top_128x156');
const ONSET = path.join(PAIR, 'onset.png');
const APEX = path.join(PAIR, 'apex.png');
const FLO = path.join(PAIR, 'opencv.flo');
const NOSE = JSON.parse(fs.readFileSync(path.join(PAIR, 'meta.json'), 'utf8')).nose as { x: number; y: number };

test('given flow: raw flow returned untouched, head vector and nose reported, reference map reproduced', async () => {
  const r = await computeMmc({ onset: ONSET, apex: APEX, flowIn: FLO, nose: NOSE });
  const flo = await readFlo(FLO);
  assert.equal(r.flowSource, 'given');
  assert.deepEqual(r.flow.u, flo.u, 'raw, uncompensated flow');
  assert.deepEqual(r.nose, NOSE);
  const ref = JSON.parse(fs.readFileSync(path.join(PAIR, 'opencv_mmc.json'), 'utf8')) as { head: [number, number] };
  assert.deepEqual([r.head.u, r.head.v], ref.head);
  const expected = await loadImage(path.join(PAIR, 'opencv_mmc.png'));
  assert.deepEqual(Buffer.from(r.map.data), Buffer.from(expected.data));
  assert.deepEqual(r.warnings, []);
  for (const k of ['load', 'grey', 'flow', 'render', 'total'] as const) assert.ok(r.timingsMs[k] >= 0, k);
  assert.ok(r.timingsMs.total >= r.timingsMs.render);
});

test('computed flow from decoded images; nose undefined = no compensation with a warning, null = silent', async () => {
  const onset = await loadImage(ONSET);
  const apex = await loadImage(APEX);
  const auto = await computeMmc({ onset, apex });
  assert.equal(auto.flowSource, 'computed');
  assert.equal(auto.nose, null);
  assert.deepEqual(auto.head, { u: 0, v: 0 });
  assert.deepEqual(auto.warnings, [NO_NOSE_WARNING]);
  const off = await computeMmc({ onset, apex, nose: null, flowIn: auto.flow });
  assert.deepEqual(off.warnings, []);
  assert.deepEqual(Buffer.from(off.map.data), Buffer.from(auto.map.data));
  // A locator supplies the nose when none is given; the window is centred on int() of it.
  const located = await computeMmc({ onset, apex: APEX, flowIn: auto.flow, locateNose: async () => ({ x: NOSE.x + 0.4, y: NOSE.y + 0.9 }) });
  assert.deepEqual(located.nose, { x: NOSE.x + 0.4, y: NOSE.y + 0.9 });
  assert.deepEqual(located.nosePixel, NOSE);
  assert.deepEqual(located.noseWindow, { x0: NOSE.x - 5, y0: NOSE.y - 5, x1: NOSE.x + 5, y1: NOSE.y + 5 });
  assert.equal(located.output, 'mmc');
  // No face: the authors' plain grey onset by default, the uncompensated map as the named option.
  const none = await computeMmc({ onset, flowIn: auto.flow, locateNose: async () => null });
  assert.match(none.warnings[0], /no face found.*plain grey onset/);
  assert.equal(none.output, 'grey-onset');
  assert.equal(none.noFace, true);
  assert.deepEqual(none.head, { u: 0, v: 0 });
  const grey = none.grey.data;
  assert.ok(grey.every((g, i) => none.map.data[3 * i] === g && none.map.data[3 * i + 1] === g && none.map.data[3 * i + 2] === g));
  const unc = await computeMmc({ onset, flowIn: auto.flow, locateNose: async () => null, noFace: 'uncompensated' });
  assert.equal(unc.output, 'mmc');
  assert.equal(unc.noFace, true);
  assert.deepEqual(Buffer.from(unc.map.data), Buffer.from(off.map.data));
  assert.match(unc.warnings[0], /no head-motion compensation/);
});

test('nose points outside the frame: the window is clipped, or empty (nothing subtracted), with a warning', async () => {
  const clipped = await computeMmc({ onset: ONSET, flowIn: FLO, nose: { x: 130.5, y: 3 } });
  assert.deepEqual(clipped.noseWindow, { x0: 125, y0: 0, x1: 127, y1: 8 });
  assert.match(clipped.warnings[0], /outside the 128x156 onset frame: the head motion is the mean of the 3x9 pixels/);
  const empty = await computeMmc({ onset: ONSET, flowIn: FLO, nose: { x: 133, y: 3 } });
  assert.equal(empty.noseWindow, null);
  assert.deepEqual(empty.head, { u: 0, v: 0 });
  assert.match(empty.warnings[0], /6 or more pixels outside .*no head motion subtracted/);
  await assert.rejects(computeMmc({ onset: ONSET, flowIn: FLO, nose: { x: Number.NaN, y: 3 } }), /not a pair of finite numbers/);
});

test('sensitivity: the share of pixels a one-pixel move of the window changes', async () => {
  const r = await computeMmc({ onset: ONSET, flowIn: FLO, nose: NOSE, sensitivity: true });
  const s = r.noseSensitivity!;
  assert.deepEqual(s.pixel, NOSE);
  assert.deepEqual(s.shifts.map((x) => [x.dx, x.dy]), [[-1, 0], [1, 0], [0, -1], [0, 1]]);
  for (const sh of s.shifts) {
    const moved = await computeMmc({ onset: ONSET, flowIn: FLO, nose: { x: NOSE.x + sh.dx, y: NOSE.y + sh.dy } });
    let changed = 0;
    for (let i = 0; i < r.map.data.length; i += 3) if (r.map.data[i] !== moved.map.data[i] || r.map.data[i + 1] !== moved.map.data[i + 1] || r.map.data[i + 2] !== moved.map.data[i + 2]) changed++;
    assert.equal(sh.changed, changed / (r.width * r.height));
  }
  assert.ok(s.max > 0 && s.max <= 1 && s.mean <= s.max);
  // A uniform flow is compensated to zero wherever the window is: nothing depends on the point.
  const w = 40;
  const h = 30;
  const flat = await computeMmc({
    onset: { width: w, height: h, channels: 1, data: new Uint8Array(w * h).fill(90) },
    flowIn: { width: w, height: h, u: new Float32Array(w * h).fill(0.5), v: new Float32Array(w * h).fill(-0.25) },
    nose: { x: 20, y: 15 },
    sensitivity: true,
  });
  assert.equal(flat.noseSensitivity!.max, 0);
});

test('size mismatches name both files and sizes', async () => {
  const small = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mellm-mmc-')), 'small.png');
  await sharp(APEX).resize(64, 78).toFile(small);
  await assert.rejects(computeMmc({ onset: ONSET, apex: small }), (e: unknown) => {
    assert.ok(e instanceof MediaError);
    assert.equal(e.message, `onset ${ONSET} is 128x156 but apex ${small} is 64x78: the frames must be the same size`);
    return true;
  });
  const flow = await readFlo(FLO);
  await assert.rejects(computeMmc({ onset: small, flowIn: flow }), /the given flow is 128x156 but onset .*small\.png is 64x78/);
  await assert.rejects(computeMmc({ onset: small, flowIn: FLO }), new RegExp(`flow ${FLO.replace(/[.]/g, '\\.')} is 128x156`));
});

test('bad flow values are user errors', async () => {
  const flow = await readFlo(FLO);
  flow.u[130] = 1e10; // Middlebury's "unknown flow"
  await assert.rejects(computeMmc({ onset: ONSET, flowIn: flow, nose: null }), /unknown or non-finite flow value at pixel \(2, 1\)/);
});

test('an aborted signal cancels the pipeline', async () => {
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(computeMmc({ onset: ONSET, apex: APEX, signal: ac.signal }), CancelledError);
});
