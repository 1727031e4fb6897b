// Region statistics of the region-text lane (the authors' newer MELLM, commit 8dd60cb): mean / max
// magnitude over every region pixel, the summed vector's angle (counter-clockwise, up = 90), the octant
// by nearest centre with numpy-argmin ties, the concentration rule, and the head vector subtracted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MIN_CONCENTRATION, measureRegionStats, octantOf, roundDegrees } from '../../src/core/reasoning/regionStats';
import { rasterisePolygon } from '../../src/core/reasoning/regionMotion';
import { flowOf } from '../support/flowField';
import { loadFixtureFace } from '../fixtures/reasoning/face';

test('octants: nearest 45-degree centre counter-clockwise from right; exact ties go to the earlier octant', () => {
  assert.equal(octantOf(0), 'right');
  assert.equal(octantOf(90), 'up');
  assert.equal(octantOf(180), 'left');
  assert.equal(octantOf(270), 'down');
  assert.equal(octantOf(44.9), 'up-right');
  assert.equal(octantOf(22.4), 'right');
  assert.equal(octantOf(22.6), 'up-right');
  // numpy argmin over [0, 45, ..., 315] returns the first of equal distances.
  assert.equal(octantOf(22.5), 'right');
  assert.equal(octantOf(67.5), 'up-right');
  assert.equal(octantOf(337.5), 'right');
  assert.equal(octantOf(359.9), 'right');
});

test('printed degrees round half to even, as Python round, and wrap at 360', () => {
  assert.equal(roundDegrees(91.5), 92);
  assert.equal(roundDegrees(92.5), 92);
  assert.equal(roundDegrees(92.51), 93);
  assert.equal(roundDegrees(359.6), 0);
  assert.equal(roundDegrees(0.4), 0);
});

test('a uniform upward flow: every region moves up (90 degrees), concentration 1, mean = max = the magnitude', async () => {
  const { onset, face } = await loadFixtureFace();
  const flow = flowOf(onset.width, onset.height, () => [0, -1.25]);
  const r = measureRegionStats(flow, face);
  assert.equal(r.regions.length, 20);
  for (const s of r.regions) {
    assert.ok(s.pixels > 0);
    assert.ok(Math.abs(s.meanMagnitude - 1.25) < 1e-6 && Math.abs(s.maxMagnitude - 1.25) < 1e-6, `${s.region}: ${s.meanMagnitude}`);
    assert.ok(Math.abs(s.angle - 90) < 1e-6);
    assert.ok(Math.abs(s.concentration - 1) < 1e-9);
    assert.equal(s.direction, 'up');
    assert.equal(s.status, 'concentrated');
  }
  // The same flow with the same head vector subtracted is no motion at all.
  const still = measureRegionStats(flow, face, { head: [0, -1.25] });
  for (const s of still.regions) {
    assert.equal(s.status, 'still');
    assert.equal(s.direction, null);
    assert.equal(s.meanMagnitude, 0);
  }
  assert.deepEqual(still.head, [0, -1.25]);
});

test('statistics are over every pixel of the polygon: hand-computed mean, max and resultant on one region', async () => {
  const { onset, face } = await loadFixtureFace();
  const { width, height } = onset;
  // A flow that differs per pixel: rightwards growing with x, a little down.
  const flow = flowOf(width, height, (x, y) => [x / 100, 0.2 + (y % 3) * 0.05]);
  const r = measureRegionStats(flow, face);
  const chin = r.regions.find((s) => s.region === 'chin')!;
  const idx = new Int32Array(width * height);
  const n = rasterisePolygon(face.regions.chin, width, height, idx);
  let sum = 0;
  let max = 0;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    const p = idx[i];
    const m = Math.hypot(flow.u[p], flow.v[p]);
    sum += m;
    max = Math.max(max, m);
    sx += flow.u[p];
    sy -= flow.v[p];
  }
  assert.equal(chin.pixels, n);
  assert.ok(Math.abs(chin.meanMagnitude - sum / n) < 1e-9);
  assert.ok(Math.abs(chin.maxMagnitude - max) < 1e-9);
  const angle = ((Math.atan2(sy, sx) * 180) / Math.PI + 360) % 360;
  assert.ok(Math.abs(chin.angle - angle) < 1e-9);
  assert.ok(chin.angle > 270 && chin.angle < 360, 'right and down is between 270 and 360 degrees');
  assert.equal(chin.direction, 'right');
  assert.ok(Math.abs(chin.concentration - Math.hypot(sx, sy) / sum) < 1e-12);
});

test('directions that cancel (a region stretched both ways) are "dispersed": no direction is stated', async () => {
  const { onset, face } = await loadFixtureFace();
  // Left half moves left, right half moves right, about the face centre: the sum nearly cancels per region
  // that straddles the midline (forehead, upper lip, lower lip, chin).
  const cx = face.points[27][0];
  const flow = flowOf(onset.width, onset.height, (x) => [x < cx ? -1 : 1, 0]);
  const r = measureRegionStats(flow, face);
  const lip = r.regions.find((s) => s.region === 'upperLip')!;
  assert.ok(lip.concentration < MIN_CONCENTRATION, `upper lip concentration ${lip.concentration}`);
  assert.equal(lip.status, 'dispersed');
  assert.equal(lip.direction, null);
  assert.ok(Math.abs(lip.meanMagnitude - 1) < 1e-6, 'magnitudes are still measured');
  const corner = r.regions.find((s) => s.region === 'lipCornerL')!;
  assert.equal(corner.direction, 'right', "the subject's left corner is on the image right");
});

test('a region outside the image is left out; the rest are kept', async () => {
  const { onset, face } = await loadFixtureFace();
  const shifted = { ...face, regions: { ...face.regions, chin: face.regions.chin.map(([x, y]) => [x, y + 1000] as [number, number]) } };
  const r = measureRegionStats(flowOf(onset.width, onset.height, () => [0.5, 0]), shifted);
  assert.equal(r.regions.length, 19);
  assert.ok(!r.regions.some((s) => s.region === 'chin'));
});

test('a polygon larger than the first scratch buffer is measured whole', async () => {
  const { onset, face } = await loadFixtureFace();
  const { width, height } = onset;
  const big = [[0, 0], [width, 0], [width, height], [0, height]] as [number, number][];
  const r = measureRegionStats(flowOf(width, height, () => [1, 0]), { ...face, regions: { ...face.regions, forehead: big } });
  assert.equal(r.regions.find((s) => s.region === 'forehead')!.pixels, width * height);
});
