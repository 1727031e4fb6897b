// The batching MMC engine (GPU dataset path; here on the CPU backend): concurrent requests coalesce into
// native batches and each gets the same map as the one-pair engine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { batchedMmcEngine } from '../../src/core/dataset/batchedEngine';
import { defaultMmcEngine } from '../../src/core/dataset/engine';
import { OPENCV_TVL1_DEFAULTS } from '../../src/core/native';

const FIX = path.join(__dirname, '..', 'fixtures', 'faces');
const pairs = ['s1left_128x156', 's3mid_128x156', 's5top_128x156', 's3right_280x340'].map((n) => ({
  onsetPath: path.join(FIX, n, 'onset.png'),
  apexPath: path.join(FIX, n, 'apex.png'),
}));

test('concurrent requests are computed in batches and match the one-pair engine', async () => {
  const batched = batchedMmcEngine({ maxBatch: 8, maxWaitMs: 20, device: 'cpu' });
  const single = defaultMmcEngine();
  const req = (p: (typeof pairs)[number]) => ({ ...p, params: { ...OPENCV_TVL1_DEFAULTS }, device: 'cpu' as const });
  const got = await Promise.all(pairs.map((p) => batched(req(p))));
  // The three 128x156 pairs share a batch; the 280x340 pair goes alone (sizes are never mixed).
  assert.deepEqual(got.map((g) => g.timingsMs?.batchSize), [3, 3, 3, 1]);
  for (let i = 0; i < pairs.length; i++) {
    const want = await single(req(pairs[i]));
    assert.deepEqual(got[i].nose, want.nose, `${pairs[i].onsetPath} nose`);
    assert.equal(got[i].map.width, want.map.width);
    assert.deepEqual(got[i].map.data, want.map.data, `${pairs[i].onsetPath} map`);
  }
});

test('a request for a missing file fails alone', async () => {
  const batched = batchedMmcEngine({ maxBatch: 4, maxWaitMs: 10, device: 'cpu' });
  const params = { ...OPENCV_TVL1_DEFAULTS };
  const [ok, bad] = await Promise.allSettled([
    batched({ ...pairs[0], params, device: 'cpu' }),
    batched({ onsetPath: '/nonexistent/onset.png', apexPath: pairs[0].apexPath, params, device: 'cpu' }),
  ]);
  assert.equal(ok.status, 'fulfilled');
  assert.equal(bad.status, 'rejected');
  assert.match(String((bad as PromiseRejectedResult).reason), /nonexistent\/onset\.png/);
});
