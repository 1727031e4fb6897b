import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_THRESHOLDS,
  directionOfAngle,
  confidenceOf,
  intensityOf,
  measureRegionMotion,
  quantiseAngle,
  rasterisePolygon,
} from '../../src/core/reasoning/regionMotion';
import { flowOf } from '../support/flowField';
import { loadFixtureFace, EXPRESSIONS } from '../fixtures/reasoning/face';
import { warpFace } from '../support/warp';
import { rng } from '../support/rng';
import { fitRigidToFlow } from '../../src/core/reasoning/rigidAlign';

test('angles are quantised to 30 degrees with half to even, then named as the map colours them', () => {
  assert.equal(quantiseAngle(14.9), 0);
  assert.equal(quantiseAngle(15), 0); // 0.5 -> 0 (even)
  assert.equal(quantiseAngle(45), 60); // 1.5 -> 2 (even)
  assert.equal(quantiseAngle(75), 60); // 2.5 -> 2
  assert.equal(quantiseAngle(359), 0);
  const cases: [number, string][] = [
    [0, 'right'], [20, 'down-right'], [45, 'down-right'], [70, 'down-right'], [90, 'down'], [100, 'down'],
    [135, 'down-left'], [180, 'left'], [225, 'up-left'], [270, 'up'], [315, 'up-right'], [350, 'right'],
  ];
  for (const [a, d] of cases) assert.equal(directionOfAngle(a), d, `angle ${a}`);
});

test('intensity grades: none unless the evidence passes, then by inter-ocular distance; confidence from the null quantiles', () => {
  assert.equal(intensityOf(0.05, false), 'none');
  assert.equal(intensityOf(0.005, true), 'slight');
  assert.equal(intensityOf(DEFAULT_THRESHOLDS.moderate, true), 'moderate');
  assert.equal(intensityOf(0.05, true), 'strong');
  const cal = { tau: 2, nullZ: [0, 1, 2, 4], pairs: 10, regions: 100, target: 'test' };
  assert.equal(confidenceOf(0, cal), 0);
  assert.equal(confidenceOf(1.5, cal), 0.5);
  assert.equal(confidenceOf(3, cal), 2.5 / 3);
  assert.equal(confidenceOf(10, cal), 1 - 1 / 200); // beyond every null region: capped by the sample size
});

test('evidence: the same motion passes on a quiet clip and not under a high noise floor; rigid motion is removed', async () => {
  const { face } = await loadFixtureFace();
  const r = rng(3);
  const at = face.points[48];
  const pull = (x: number, y: number): [number, number] => {
    const g = Math.exp(-((x - at[0]) ** 2 + (y - at[1]) ** 2) / (2 * 8 * 8));
    return [-0.6 * g, -0.6 * g];
  };
  const quiet = measureRegionMotion(flowOf(280, 340, pull), face);
  assert.equal(quiet.regions.lipCornerR.evidence.passes, true);
  assert.equal(quiet.noise.source, 'flow-only');
  // Coherent, large-scale noise everywhere (smooth random field of about 0.4 px): the corner no longer stands out.
  const waves = Array.from({ length: 6 }, () => [r() * 2 * Math.PI, r() * 2 * Math.PI, 0.02 + 0.04 * r(), 0.02 + 0.04 * r()]);
  const noisy = measureRegionMotion(
    flowOf(280, 340, (x, y) => {
      const [a, b] = pull(x, y);
      let nu = 0;
      let nv = 0;
      for (const [p, q, fx, fy] of waves) {
        nu += 0.2 * Math.sin(fx * x + fy * y + p);
        nv += 0.2 * Math.cos(fy * x - fx * y + q);
      }
      return [a + nu, b + nv];
    }),
    face,
  );
  assert.ok(noisy.noise.background > quiet.noise.background * 5, `background ${noisy.noise.background}`);
  assert.ok(noisy.regions.lipCornerR.evidence.z < quiet.regions.lipCornerR.evidence.z / 3);
  // A pure roll of the head about the face centre: every region moves, none after the rigid fit is removed.
  const cx = face.box.x + face.box.width / 2;
  const cy = face.box.y + face.box.height / 2;
  const th = (0.8 * Math.PI) / 180;
  const roll = flowOf(280, 340, (x, y) => [Math.cos(th) * (x - cx) - Math.sin(th) * (y - cy) + cx - x, Math.sin(th) * (x - cx) + Math.cos(th) * (y - cy) + cy - y]);
  const raw = measureRegionMotion(roll, face);
  assert.ok(raw.regions.outerBrowR.magnitude > 0.8, `a roll moves a brow by ${raw.regions.outerBrowR.magnitude} px when nothing is removed`);
  const box = { x0: Math.floor(face.box.x), y0: Math.floor(face.box.y), x1: Math.ceil(face.box.x + face.box.width), y1: Math.ceil(face.box.y + face.box.height) };
  const fitted = measureRegionMotion(roll, face, { rigid: fitRigidToFlow(roll, box) });
  assert.ok(Math.abs(fitted.rigid!.rollDeg - 0.8) < 0.01, `roll ${fitted.rigid!.rollDeg}`);
  for (const m of Object.values(fitted.regions)) assert.ok(m.magnitude < 0.02 && !m.evidence.passes, `${m.region} ${m.magnitude}`);
});

test('scanline rasterisation fills pixel centres inside the polygon, clipped to the image', () => {
  const buf = new Int32Array(1000);
  // Square [2, 6) x [3, 7): 16 pixels with centres inside.
  const n = rasterisePolygon([[2, 3], [6, 3], [6, 7], [2, 7]], 10, 10, buf);
  assert.equal(n, 16);
  const got = [...buf.slice(0, n)].sort((a, b) => a - b);
  assert.deepEqual(got.slice(0, 4), [32, 33, 34, 35]);
  // Right triangle with legs 8: area 32; centre-sampling gives 28..36.
  const t = rasterisePolygon([[0, 0], [8, 0], [0, 8]], 20, 20, buf);
  assert.ok(t >= 28 && t <= 36, `triangle pixels ${t}`);
  // Partly outside the image: only inside pixels.
  assert.equal(rasterisePolygon([[-5, -5], [3, -5], [3, 3], [-5, 3]], 10, 10, buf), 9);
  assert.equal(rasterisePolygon([[20, 20], [30, 20], [30, 30]], 10, 10, buf), 0);
});

test('a uniform motion inside one region is measured exactly, after removing the head vector', async () => {
  const { face } = await loadFixtureFace();
  const head: [number, number] = [0.7, -0.4];
  const corner = face.points[48];
  // Head shift everywhere, plus (-1.2, -1.6) px within 12 px of the subject's right lip corner.
  const flow = flowOf(280, 340, (x, y) => {
    const near = Math.hypot(x + 0.5 - corner[0], y + 0.5 - corner[1]) < 12;
    return near ? [head[0] - 1.2, head[1] - 1.6] : head;
  });
  const rep = measureRegionMotion(flow, face, { head });
  const lc = rep.regions.lipCornerR;
  assert.ok(Math.abs(lc.u + 1.2) < 1e-6 && Math.abs(lc.v + 1.6) < 1e-6, `lipCornerR ${lc.u}, ${lc.v}`);
  assert.equal(lc.magnitude.toFixed(6), '2.000000');
  assert.equal(lc.direction, 'up-left');
  assert.equal(lc.coherence.toFixed(6), '1.000000');
  assert.ok(rep.background < 1e-6, `background ${rep.background}`); // float32 storage of the head vector
  assert.equal(lc.intensity, 'moderate'); // 2 px / 76 px IOD = 0.026
  assert.equal(rep.regions.lipCornerL.intensity, 'none');
  assert.equal(rep.regions.chin.intensity, 'none');
  assert.deepEqual(rep.head, head);
  // Without compensation the whole face moves and the corner is not distinguishable from it.
  const raw = measureRegionMotion(flow, face);
  assert.ok(raw.background > 0.7, `background ${raw.background}`);
});

test('incoherent noise reads as no motion: the vector mean of the top pixels cancels', async () => {
  const { face } = await loadFixtureFace();
  const r = rng(7);
  const flow = flowOf(280, 340, () => {
    const a = r() * 2 * Math.PI;
    const m = 0.4 * Math.sqrt(-2 * Math.log(1 - r()));
    return [m * Math.cos(a), m * Math.sin(a)];
  });
  const rep = measureRegionMotion(flow, face);
  assert.ok(rep.background > 0.3 && rep.background < 0.6, `background ${rep.background}`);
  for (const m of Object.values(rep.regions)) {
    assert.equal(m.intensity, 'none', `${m.region} ${m.magnitude}`);
    assert.ok(m.coherence < 0.5, `${m.region} coherence ${m.coherence}`);
  }
});

test('synthetic smile on the real face: each lip corner moves up and out on its own side', async () => {
  const { onset, face } = await loadFixtureFace();
  const { flow } = warpFace(onset, face.points, EXPRESSIONS.happiness);
  const rep = measureRegionMotion(flow, face);
  // Subject's right corner is on the image left: outwards = image left.
  assert.equal(rep.regions.lipCornerR.direction, 'up-left');
  assert.equal(rep.regions.lipCornerL.direction, 'up-right');
  assert.equal(rep.regions.cheekR.direction, 'up');
  assert.equal(rep.regions.cheekL.direction, 'up');
  for (const r of ['lipCornerR', 'lipCornerL', 'cheekR', 'cheekL'] as const) assert.equal(rep.regions[r].intensity, 'moderate', r);
  for (const r of ['forehead', 'innerBrowL', 'innerBrowR', 'outerBrowL', 'outerBrowR', 'chin'] as const) assert.equal(rep.regions[r].intensity, 'none', r);
  // Magnitude tracks the peak displacement (|(1.3, 1.5)| = 1.98 px) within the bump's falloff over the region.
  assert.ok(rep.regions.lipCornerR.magnitude > 1.6 && rep.regions.lipCornerR.magnitude <= 1.99, `${rep.regions.lipCornerR.magnitude}`);
  assert.ok(Math.abs(rep.regions.lipCornerR.normalised - rep.regions.lipCornerR.magnitude / face.interOcular) < 1e-9);
});

test('flow with a missing face region polygon leaves that region empty, not NaN', async () => {
  const { face } = await loadFixtureFace();
  const f2 = { ...face, regions: { ...face.regions, chin: [] } };
  const rep = measureRegionMotion(flowOf(280, 340, () => [0, 0]), f2);
  assert.equal(rep.regions.chin.pixels, 0);
  assert.equal(rep.regions.chin.direction, null);
  assert.equal(rep.regions.chin.intensity, 'none');
});
