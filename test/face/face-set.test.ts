// The labelled face set (docs/face-set.md): its labels are well formed and cover the cases issue 14 lists,
// its crops regenerate from the photos in node_modules, and the landmark table (nose-tip error in % of the
// labelled inter-ocular distance; nose movement when the crop window moves by 20 px) is computed for the
// shipped candidates. Issue 14's goals (<= 5% per face, mean <= 2.5%, within 1 px over 20-px shifts) are NOT
// met by any candidate (docs/face-set.md says by how much): the bounds below are today's measured figures
// with a small margin, so a change that makes a candidate worse fails here. Deterministic: CPU, fixed inputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { allCrops, iod, loadLabels, photoPath } from './faceSet';
import { CANDIDATES, scoreCrops, scoreShifts, type Candidate } from './faceSetEval';

test('face-set labels: >= 30 faces, sources present, points in the photo, the listed hard cases covered', async () => {
  const { sources, faces } = loadLabels();
  assert.ok(faces.length >= 30);
  assert.equal(new Set(faces.map((f) => f.id)).size, faces.length);
  for (const spec of Object.values(sources)) assert.ok(existsSync(photoPath(spec)), spec);
  for (const f of faces) {
    assert.ok(sources[f.source], f.id);
    assert.ok(iod(f) > 25, `${f.id}: eyes ${iod(f)} px apart`);
    assert.ok(f.eyeR[0] < f.eyeL[0], `${f.id}: the subject's right eye is on the image left`);
    assert.ok(f.uncertainty > 0, f.id);
    // Two labelling passes, and the label is their mean unless it was adjudicated.
    assert.equal(f.passes?.length, 2, f.id);
    const [a, b] = f.passes ?? [];
    for (const k of ['eyeR', 'eyeL', 'nose'] as const) {
      if (k === 'nose' && f.adjudicated) continue;
      assert.ok(Math.hypot(f[k][0] - (a[k][0] + b[k][0]) / 2, f[k][1] - (a[k][1] + b[k][1]) / 2) < 0.02, `${f.id} ${k}`);
    }
  }
  const tags = faces.flatMap((f) => f.tags).join(' | ');
  for (const need of ['turned', 'tilted', 'eyes closed', 'glasses', 'light', 'dark skin', 'small face', 'grey']) {
    assert.ok(tags.includes(need), `no face tagged "${need}"`);
  }
  const crops = await allCrops();
  assert.ok(crops.length >= 60, `${crops.length} crops`);
  const casme = crops.filter((c) => c.variant === 'casme');
  assert.ok(casme.length >= 15);
  for (const c of casme) assert.deepEqual([c.image.width, c.image.height, c.image.channels], [280, 340, 1]);
  for (const c of crops.filter((x) => x.variant === 's160')) assert.ok(Math.abs(iod(c) - 64) < 1, `${c.id}: ${iod(c)}`);
});

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

test('landmark table on the face set: nose-tip error per candidate (bounds = measured today + margin)', async () => {
  const rows = await scoreCrops();
  const found = rows.filter((r) => r.errors);
  // The tiny face detector misses 23 of 67 crops, 16 of the 20 face-filling grey crops among them.
  assert.ok(found.length >= 44, `${found.length} crops with a face`);
  const err = (k: Candidate): number[] => found.map((r) => (r.errors as Record<Candidate, number>)[k]);
  // Measured: face-api-68 12.8 / 54.6, mesh-v1 18.2 / 36.9, mesh-v4 (the mapping used) 13.0 / 37.8.
  const bounds: Record<Candidate, [number, number]> = { 'face-api-68': [13.5, 56], 'mesh-v1': [19, 38], 'mesh-v4': [13.7, 39] };
  for (const k of CANDIDATES) {
    const e = err(k);
    assert.ok(mean(e) <= bounds[k][0], `${k}: mean ${mean(e).toFixed(2)}%`);
    assert.ok(Math.max(...e) <= bounds[k][1], `${k}: max ${Math.max(...e).toFixed(1)}%`);
  }
});

test('landmark table on the face set: nose movement when the crop window moves by 20 px', async () => {
  const shifts = (await scoreShifts()).filter((s) => s.moved);
  assert.ok(shifts.length >= 16, `${shifts.length} faces kept by the detector in all five windows`);
  const worst = (k: Candidate): number => Math.max(...shifts.map((s) => (s.moved as Record<Candidate, number>)[k]));
  // Measured: face-api-68 max 7.75 px (4 of 16 faces within 1 px), mesh max 2.4-2.5 px (8 of 16).
  assert.ok(worst('face-api-68') <= 8.5, `face-api-68 ${worst('face-api-68').toFixed(2)} px`);
  assert.ok(worst('mesh-v4') <= 3, `mesh-v4 ${worst('mesh-v4').toFixed(2)} px`);
});
