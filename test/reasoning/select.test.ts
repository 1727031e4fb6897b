import { test } from 'node:test';
import assert from 'node:assert/strict';
import { medianInPlace, selectInPlace } from '../../src/core/reasoning/select';
import { rng } from '../support/rng';

test('selectInPlace and medianInPlace give what sorting gives (ties, sizes 1..60, a prefix of the array)', () => {
  const r = rng(7);
  for (let trial = 0; trial < 400; trial++) {
    const n = 1 + Math.floor(r() * 60);
    // Half the trials draw from few values, so ties are common.
    const few = trial % 2 === 0;
    const a = Float64Array.from({ length: n + 3 }, () => (few ? Math.floor(r() * 5) : r() * 200 - 100));
    const sorted = Float64Array.from(a.subarray(0, n)).sort();
    const k = Math.floor(r() * n);
    const tail = a.slice(n);
    assert.equal(selectInPlace(Float64Array.from(a), n, k), sorted[k], `n ${n} k ${k}`);
    const b = Float64Array.from(a);
    const want = n % 2 ? sorted[n >> 1] : 0.5 * (sorted[(n >> 1) - 1] + sorted[n >> 1]);
    assert.equal(medianInPlace(b, n), want, `median n ${n}`);
    assert.deepEqual([...b.subarray(0, n)].sort((x, y) => x - y), [...sorted], 'only reordered');
    assert.deepEqual(b.slice(n), tail, 'nothing past n touched');
  }
  assert.equal(medianInPlace(new Float64Array(0), 0), 0);
});
