// The nose point in the panel host: the sensitivity the clip view carries (share of map pixels a 1 px move of
// the head-motion window changes), the map re-rendered at a user's point, and the no-face case (the
// uncompensated map with a banner, since MELLM itself would be given the plain grey onset).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { decodeImage } from '../../src/core/image';
import { computeMmc } from '../../src/core/mmc';
import { parseHostMessage } from '../../src/shared/protocol';
import { NO_FACE_BANNER, loadClipData, renderAtNose } from '../../src/vscode/clipPipeline';
import { buildClipView } from '../../src/vscode/clipView';

const ROOT = resolve(__dirname, '..', '..');
const PAIR = join(ROOT, 'test/fixtures/faces/s3right_280x340');
const ONSET = join(PAIR, 'onset.png');
const APEX = join(PAIR, 'apex.png');
const base = { clipId: 'c', title: 't', index: 0, total: 1 };

test('clip view: nose sensitivity from the landmark point, and again at a point the user set', async () => {
  const data = await loadClipData(ONSET, APEX);
  assert.ok(data.face && data.nose, 'a face is found on the fixture');
  const s = data.noseSensitivity!;
  assert.equal(s.shifts.length, 4);
  assert.ok(s.mean > 0 && s.mean <= s.max && s.max <= 1, JSON.stringify(s));
  const view = buildClipView(base, data);
  assert.deepEqual(view.noseSensitivity, { share: s.mean, shifts: 4, max: s.max });
  assert.equal(view.banner, undefined);
  assert.equal(parseHostMessage({ type: 'clip', clip: view }).ok, true);

  const at = { x: 145.7, y: 195.6 };
  const moved = await renderAtNose(ONSET, data, at);
  const direct = await computeMmc({ onset: ONSET, flowIn: data.flow, nose: at, sensitivity: true });
  assert.deepEqual(Buffer.from((await decodeImage(moved.mapPng)).data), Buffer.from(direct.map.data));
  assert.deepEqual(moved.noseSensitivity, direct.noseSensitivity);
  assert.deepEqual(moved.nose, at);
  // Far outside: an empty window subtracts nothing and nothing depends on the point.
  const far = await renderAtNose(ONSET, data, { x: -20, y: 10 });
  assert.deepEqual(far.head, { u: 0, v: 0 });
  assert.equal(far.noseSensitivity, null);
});

test('no face: the uncompensated map with a banner; a point set by hand compensates and drops the banner', async () => {
  const data = await loadClipData(ONSET, APEX, { detectFace: async () => null });
  assert.equal(data.noFace, true);
  assert.equal(data.nose, null);
  assert.deepEqual(data.head, { u: 0, v: 0 });
  const unc = await computeMmc({ onset: ONSET, flowIn: data.flow, nose: null });
  assert.deepEqual(Buffer.from((await decodeImage(data.mapPng)).data), Buffer.from(unc.map.data));
  const view = buildClipView(base, data);
  assert.equal(view.banner, NO_FACE_BANNER);
  assert.match(NO_FACE_BANNER, /grey onset/);
  assert.equal(parseHostMessage({ type: 'clip', clip: view }).ok, true);
  assert.equal(parseHostMessage({ type: 'clip', clip: { ...view, banner: 7 } }).ok, false);
  const set = await renderAtNose(ONSET, data, { x: 150, y: 200 });
  assert.notDeepEqual(set.head, { u: 0, v: 0 });
  assert.equal(buildClipView(base, set).banner, undefined);
});
