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
  // With the padded detector pass the tiny face detector finds 68 of 71 crops (19 of the 20 face-filling grey
  // crops); it misses fa4-d (tilted 30 degrees, laughing) in all three variants.
  assert.ok(found.length >= 68, `${found.length} crops with a face`);
  const err = (k: Candidate): number[] => found.map((r) => (r.errors as Record<Candidate, number>)[k]);
  // Issue 14's goal (mean <= 2.5%, every face <= 5%) is NOT met by any candidate; the labels themselves carry
  // ~2.5% (docs/face-set.md). Measured mean / max today, bounds = + 0.6 / + 2.
  const measured: Record<Candidate, [number, number]> = {
    'face-api-68': [11.6, 36.0],
    'mesh-v1': [15.0, 38.0],
    'mesh-v4': [14.0, 40.0],
    'mesh-v14': [13.2, 38.5],
    'mm-v4': [13.9, 41.1],
    'mm-v14': [13.1, 39.4],
    'net+mm-v4': [12.3, 38.3],
    'net+mm-v14': [12.1, 37.7],
  };
  for (const k of CANDIDATES) {
    const e = err(k);
    assert.ok(mean(e) <= measured[k][0] + 0.6, `${k}: mean ${mean(e).toFixed(2)}%`);
    assert.ok(Math.max(...e) <= measured[k][1] + 2, `${k}: max ${Math.max(...e).toFixed(1)}%`);
  }
});

test('landmark table on the face set: nose movement when the crop window moves by 20 px', async () => {
  const shifts = (await scoreShifts()).filter((s) => s.moved);
  assert.ok(shifts.length >= 27, `${shifts.length} faces kept by the detector in all five windows`);
  const worst = (k: Candidate): number => Math.max(...shifts.map((s) => (s.moved as Record<Candidate, number>)[k]));
  // Goal: within 1 px; NOT met. Measured max: face-api-68 11.5 px (6 of 28 faces within 1 px), mesh-v4 16.3 px,
  // the net averaged with the mirror-averaged mesh 7.2 px (13 of 28).
  assert.ok(worst('face-api-68') <= 12.5, `face-api-68 ${worst('face-api-68').toFixed(2)} px`);
  assert.ok(worst('mesh-v4') <= 17.5, `mesh-v4 ${worst('mesh-v4').toFixed(2)} px`);
  assert.ok(worst('net+mm-v4') <= 8, `net+mm-v4 ${worst('net+mm-v4').toFixed(2)} px`);
});
