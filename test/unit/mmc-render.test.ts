// Fidelity of the native MMC renderer (DESIGN.md section 2 steps 4-8) against the authors' maps committed by
// scripts/fixtures/make_face_fixtures.py (opencv_mmc.png: preprocess.py's steps, transcribed in
// scripts/reference/authors_preprocess.py, on opencv.flo). test/native/authors-fidelity.test.ts runs the
// transcription itself where Debian's python3-opencv is installed; these committed maps check it everywhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readFlo } from '../../src/core/flo';
import { loadGrey, loadImage } from '../../src/core/image';
import { renderMmcNative } from '../../src/core/native';

const FACES = path.join(__dirname, '..', 'fixtures', 'faces');
const pairs = fs.readdirSync(FACES).filter((d) => fs.existsSync(path.join(FACES, d, 'opencv_mmc.png')));

test('every face fixture has a reference map', () => {
  assert.ok(pairs.length >= 4, `found ${pairs.length} pairs with opencv_mmc.png`);
});

for (const name of pairs) {
  test(`native render of ${name}/opencv.flo equals the authors' map on 100% of pixels`, async () => {
    const dir = path.join(FACES, name);
    const ref = JSON.parse(fs.readFileSync(path.join(dir, 'opencv_mmc.json'), 'utf8')) as {
      nose: { x: number; y: number };
      head: [number, number];
    };
    const grey = await loadGrey(path.join(dir, 'onset.png'));
    const flow = await readFlo(path.join(dir, 'opencv.flo'));
    const out = await renderMmcNative(grey, flow, { nose: ref.nose });
    const expected = await loadImage(path.join(dir, 'opencv_mmc.png'));
    assert.equal(expected.channels, 3);
    const n = grey.width * grey.height;
    let same = 0;
    let coloured = 0;
    for (let i = 0; i < n; i++) {
      const j = i * 3;
      if (out.rgb[j] === expected.data[j] && out.rgb[j + 1] === expected.data[j + 1] && out.rgb[j + 2] === expected.data[j + 2]) {
        same++;
      }
      if (out.rgb[j] !== grey.data[i] || out.rgb[j + 1] !== grey.data[i] || out.rgb[j + 2] !== grey.data[i]) coloured++;
    }
    const fraction = same / n;
    console.log(`${name}: ${same}/${n} pixels identical (${(fraction * 100).toFixed(4)}%), ${coloured} coloured`);
    assert.equal(same, n, `${(fraction * 100).toFixed(3)}% identical`);
    assert.ok(coloured > n / 10, 'the map really carries colour');
    assert.deepEqual(out.head, ref.head, `head ${out.head}`);
  });
}
