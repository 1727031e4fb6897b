// Pins estimatePhotometric's output on fixed pairs of the fixture face (rigid head motion followed, a given
// flow, no rigid fit with a set cell size, the whole image, noise alone) to the values the implementation
// gave before it was made fast (test/fixtures/reasoning/photometric-pin.json): the speed work may change
// results by float noise only. When the model itself is changed on purpose, rewrite the file with
//   node --import tsx -e "require('./test/support/photometricPinCases.ts').pinCases().then((v) => require('fs').writeFileSync('test/fixtures/reasoning/photometric-pin.json', JSON.stringify(v)))"
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pinCases, type PinValue } from '../support/photometricPinCases';

const PINNED = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'reasoning', 'photometric-pin.json'), 'utf8')) as PinValue[];

test('estimatePhotometric gives the pinned results (to float noise) on five fixed pairs', async () => {
  const got = await pinCases();
  assert.deepEqual(got.map((g) => g.name), PINNED.map((p) => p.name));
  for (const [i, want] of PINNED.entries()) {
    const g = got[i];
    assert.equal(g.numbers.length, want.numbers.length, `${want.name}: ${g.numbers.length} numbers, pinned ${want.numbers.length}`);
    for (const [k, w] of want.numbers.entries()) {
      assert.ok(Math.abs(g.numbers[k] - w) <= 1e-9 * Math.max(1, Math.abs(w)), `${want.name}: number ${k} is ${g.numbers[k]}, pinned ${w}`);
    }
    assert.deepEqual([g.found, g.significant, g.estimable, g.sentence], [want.found, want.significant, want.estimable, want.sentence], want.name);
    // The normalised apex: a float-noise flip of a rounding at .5 may move a byte by one, no more.
    assert.ok(Math.abs(g.apexSum[0] - want.apexSum[0]) <= 2 && Math.abs(g.apexSum[1] - want.apexSum[1]) <= 2 * 511, `${want.name}: normalised apex sums ${g.apexSum}, pinned ${want.apexSum}`);
  }
});
