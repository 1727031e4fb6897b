// CPU TV-L1 against OpenCV's DualTVL1 on the committed face pairs (test/fixtures/faces, made by
// scripts/fixtures/make_face_fixtures.py): same flow as OpenCV within 0.05 px mean EPE, and no further
// from the known ground truth than OpenCV is. Also: parameters reach the solver, invalid ones are refused,
// results do not depend on the thread count, and cancellation works mid-way, also beside a second flow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadGrey } from '../../src/core/image';
import { readFlo } from '../../src/core/flo';
import { CancelledError, computeFlow, type FlowField, type GreyImage } from '../../src/core/native';

const FIX = join(__dirname, '..', 'fixtures', 'faces');
const PAIRS = readdirSync(FIX).sort();
const CPU = { device: 'cpu' as const };

function epe(a: FlowField, b: FlowField): number {
  assert.equal(a.width, b.width);
  assert.equal(a.height, b.height);
  let s = 0;
  for (let i = 0; i < a.u.length; i++) s += Math.hypot(a.u[i] - b.u[i], a.v[i] - b.v[i]);
  return s / a.u.length;
}

async function pair(name: string): Promise<[GreyImage, GreyImage]> {
  return [await loadGrey(join(FIX, name, 'onset.png')), await loadGrey(join(FIX, name, 'apex.png'))];
}

test('fixtures are present', () => {
  assert.ok(PAIRS.length >= 4, `expected at least 4 face pairs in ${FIX}`);
});

for (const name of PAIRS) {
  test(`${name}: default flow matches OpenCV DualTVL1 (mean EPE <= 0.05 px) and is as close to the ground truth`, async () => {
    const [onset, apex] = await pair(name);
    const ours = await computeFlow(onset, apex, {}, CPU);
    const opencv = await readFlo(join(FIX, name, 'opencv.flo'));
    const gt = await readFlo(join(FIX, name, 'gt.flo'));
    const vsOpenCv = epe(ours, opencv);
    const oursGt = epe(ours, gt);
    const opencvGt = epe(opencv, gt);
    assert.ok(vsOpenCv <= 0.05, `EPE ours vs OpenCV ${vsOpenCv.toFixed(4)} px > 0.05`);
    assert.ok(oursGt <= opencvGt + 0.005, `EPE vs gt: ours ${oursGt.toFixed(4)}, OpenCV ${opencvGt.toFixed(4)}`);
    // The warp is 1-2 px: a flow that stayed near zero would be far from the ground truth.
    assert.ok(oursGt < 0.25, `EPE vs gt ${oursGt.toFixed(4)} px`);
  });
}

test('parameters reach the solver: warps, medianFiltering, gamma and the rest change the flow', async () => {
  const [onset, apex] = await pair(PAIRS.find((n) => n.includes('128x156')) ?? PAIRS[0]);
  const base = await computeFlow(onset, apex, {}, CPU);
  const variants = [
    { warps: 1 },
    { medianFiltering: 1 },
    { medianFiltering: 3 },
    { gamma: 0.2 },
    { nscales: 1 },
    { scaleStep: 0.5 },
    { lambda: 0.3 },
    { theta: 0.5 },
    { tau: 0.125 },
    { innerIterations: 5 },
    { outerIterations: 1, innerIterations: 10 },
    { epsilon: 0.5 },
  ];
  for (const p of variants) {
    const f = await computeFlow(onset, apex, p, CPU);
    assert.ok(epe(f, base) > 1e-4, `${JSON.stringify(p)} left the flow unchanged`);
  }
  const same = await computeFlow(onset, apex, { tau: 0.25, lambda: 0.15 }, CPU);
  assert.equal(epe(same, base), 0, 'explicit defaults must give the default flow');
});

test('invalid parameters are refused with a message naming the parameter', async () => {
  const [onset, apex] = await pair(PAIRS[0]);
  const bad: [Record<string, number>, RegExp][] = [
    [{ medianFiltering: 7 }, /medianFiltering/],
    [{ scaleStep: 1.2 }, /scaleStep/],
    [{ nscales: 0 }, /nscales/],
    [{ tau: 0 }, /tau/],
    [{ warps: 0 }, /warps/],
  ];
  for (const [p, re] of bad) await assert.rejects(computeFlow(onset, apex, p, CPU), re);
});

test('tiny and odd-sized frames complete with finite flow (pool created and torn down at once)', async () => {
  let seed = 7;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 24) & 255;
  for (const [width, height] of [[3, 3], [5, 4], [16, 16], [17, 90], [90, 17]]) {
    const img = (): GreyImage => ({ width, height, data: Uint8Array.from({ length: width * height }, rnd) });
    for (let i = 0; i < 3; i++) {
      const f = await computeFlow(img(), img(), {}, CPU);
      assert.equal(f.u.length, width * height);
      assert.ok(f.u.every(Number.isFinite) && f.v.every(Number.isFinite), `${width}x${height}: non-finite flow`);
    }
  }
});

test('the result does not depend on the number of threads', async () => {
  const [onset, apex] = await pair(PAIRS.find((n) => n.includes('280x340')) ?? PAIRS[0]);
  const one = await computeFlow(onset, apex, {}, { ...CPU, threads: 1 });
  const three = await computeFlow(onset, apex, {}, { ...CPU, threads: 3 });
  assert.deepEqual(three.u, one.u);
  assert.deepEqual(three.v, one.v);
});

test('an aborted signal rejects with CancelledError, before and during the computation', async () => {
  const [onset, apex] = await pair(PAIRS.find((n) => n.includes('280x340')) ?? PAIRS[0]);
  await assert.rejects(computeFlow(onset, apex, {}, { ...CPU, signal: AbortSignal.abort() }), CancelledError);
  const ac = new AbortController();
  // Many warps and iterations with no early stop: far longer than the abort delay.
  const slow = { warps: 20, epsilon: 0, medianFiltering: 5 };
  const started = computeFlow(onset, apex, slow, { ...CPU, threads: 1, signal: ac.signal });
  setTimeout(() => ac.abort(), 20);
  await assert.rejects(started, CancelledError);
});

test('two flows run concurrently; cancelling one leaves the other intact', async () => {
  const [onset, apex] = await pair(PAIRS.find((n) => n.includes('280x340')) ?? PAIRS[0]);
  const alone = await computeFlow(onset, apex, {}, CPU);
  const ac = new AbortController();
  const cancelled = computeFlow(onset, apex, { warps: 20, epsilon: 0 }, { ...CPU, signal: ac.signal });
  const kept = computeFlow(onset, apex, {}, CPU);
  // The event loop stays free while both run: this timer fires before either finishes.
  let ticked = false;
  setTimeout(() => {
    ticked = true;
    ac.abort();
  }, 10);
  await assert.rejects(cancelled, CancelledError);
  const result = await kept;
  assert.ok(ticked);
  assert.deepEqual(result.u, alone.u);
  assert.deepEqual(result.v, alone.v);
});
