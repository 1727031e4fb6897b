// The whole MMC pipeline (our TV-L1 + our renderer) against the authors' map of each face fixture (OpenCV
// DualTVL1 flow rendered by preprocess.py's steps, scripts/reference/authors_preprocess.py, same nose point).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { computeMmc } from '../../src/core/mmc';
import { loadRgb } from '../../src/core/image';

const FIX = join(__dirname, '..', 'fixtures', 'faces');

for (const name of readdirSync(FIX).sort()) {
  test(`${name}: computeMmc equals the authors' map on 100% of pixels`, async (t) => {
    const meta = JSON.parse(readFileSync(join(FIX, name, 'opencv_mmc.json'), 'utf8')) as { nose: { x: number; y: number } };
    const ours = await computeMmc({ onset: join(FIX, name, 'onset.png'), apex: join(FIX, name, 'apex.png'), nose: meta.nose, device: 'cpu' });
    const ref = await loadRgb(join(FIX, name, 'opencv_mmc.png'));
    assert.equal(ours.map.width, ref.width);
    let same = 0;
    const n = ref.width * ref.height;
    for (let i = 0; i < n * 3; i += 3) {
      if (ref.data[i] === ours.map.data[i] && ref.data[i + 1] === ours.map.data[i + 1] && ref.data[i + 2] === ours.map.data[i + 2]) same++;
    }
    t.diagnostic(`${same}/${n} pixels identical (${((100 * same) / n).toFixed(3)}%)`);
    assert.equal(same, n, `${((100 * same) / n).toFixed(3)}% identical`);
  });
}
