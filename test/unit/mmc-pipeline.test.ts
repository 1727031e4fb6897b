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
  assert.ok(Math.abs(r.head.u - ref.head[0]) < 1e-6 && Math.abs(r.head.v - ref.head[1]) < 1e-6);
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
  // A locator supplies the nose when none is given.
  const located = await computeMmc({ onset, apex: APEX, flowIn: auto.flow, locateNose: async () => ({ x: NOSE.x + 0.4, y: NOSE.y }) });
  assert.deepEqual(located.nose, NOSE);
  const none = await computeMmc({ onset, flowIn: auto.flow, locateNose: async () => null });
  assert.match(none.warnings[0], /no face found/);
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

test('bad flow values and a nose outside the frame are user errors', async () => {
  const flow = await readFlo(FLO);
  flow.u[130] = 1e10; // Middlebury's "unknown flow"
  await assert.rejects(computeMmc({ onset: ONSET, flowIn: flow, nose: null }), /unknown or non-finite flow value at pixel \(2, 1\)/);
  await assert.rejects(computeMmc({ onset: ONSET, flowIn: FLO, nose: { x: 128, y: 3 } }), /nose point \(128, 3\) is outside the 128x156 onset .*onset\.png/);
});

test('an aborted signal cancels the pipeline', async () => {
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(computeMmc({ onset: ONSET, apex: APEX, signal: ac.signal }), CancelledError);
});
