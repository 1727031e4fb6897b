// The reasoner-accuracy benchmark's faces: the split rule of scripts/bench/_benchFaces.ts gives the faces
// docs/reasoning.md lists, development and held-out faces never share a face, and each is found.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEV_FACES, FRESH_REPORT_FACES, REPORT_FACES, loadBenchFace } from '../../scripts/bench/_benchFaces';

const ids = (xs: readonly string[]) => xs.map((f) => f.replace(/^face-set:/, '').replace(/^.*\//, ''));

test('the split rule gives the documented development and held-out faces', () => {
  assert.deepEqual(ids(DEV_FACES), ['face.png', 'crop1.jpg', 'crop3.jpg', 'fa1-b', 'fa2-c', 'fa4-b', 'fa4-d', 'fa5-c', 'fa6-a', 'fa6-d']);
  assert.deepEqual(ids(REPORT_FACES), ['crop2.jpg', 'crop4.jpg', 'crop5.jpg', 'crop6.jpg', 'fa1-c', 'fa4-a', 'fa4-c', 'fa5-b', 'fa5-e', 'fa6-c']);
  assert.deepEqual(ids([...FRESH_REPORT_FACES]), ['fa1-c', 'fa4-a', 'fa4-c', 'fa5-b', 'fa5-e', 'fa6-c']);
  assert.equal(new Set([...DEV_FACES, ...REPORT_FACES]).size, DEV_FACES.length + REPORT_FACES.length);
});

test('every benchmark face is found by the product detector, framed like a dataset crop', async () => {
  for (const face of [...DEV_FACES, ...REPORT_FACES]) {
    const p = await loadBenchFace(face);
    assert.ok(!('skipped' in p), `${face}: ${'skipped' in p ? p.skipped : ''}`);
    assert.equal(p.points.length, 68);
    // 4.2 x 4.8 inter-ocular distances at the face's own scale (eyes 60-110 px apart).
    assert.ok(p.photo.width >= 250 && p.photo.width <= 480 && p.photo.height > p.photo.width, `${face}: ${p.photo.width}x${p.photo.height}`);
  }
});

test('a face id that is not in the labelled set is refused, naming the labels file', async () => {
  await assert.rejects(loadBenchFace('face-set:fa9-z'), /fa9-z: not in test\/fixtures\/face-set\/labels\.json/);
});
