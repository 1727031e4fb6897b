// Apex spotting with the real TV-L1: a synthetic clip whose face region moves out and back; the peak of the
// flow-magnitude curve is the frame of largest displacement.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { spotApex } from '../../src/core/dataset/apex';
import { scanDataset } from '../../src/core/dataset/scan';
import { syntheticFrame, tmpDir, writeGreyJpeg } from './helpers';

test('spotApex: the apex is the frame of largest motion; the curve has one point per frame after the onset', async () => {
  const root = tmpDir('spot');
  const shifts = [0, 1, 2, 3, 2, 1, 0];
  for (let i = 0; i < shifts.length; i++) await writeGreyJpeg(path.join(root, 'clip', `f${String(i + 1).padStart(3, '0')}.png`), syntheticFrame(shifts[i], 5));
  const scan = await scanDataset(root);
  const clip = scan.clips[0];
  assert.equal(clip.apex, null);
  assert.equal(clip.onset.frame, 1);
  const spot = await spotApex(clip, { params: { nscales: 3 } });
  assert.deepEqual(spot.curve.map((p) => p.frame), [2, 3, 4, 5, 6, 7]);
  assert.equal(spot.apex.frame, 4);
  assert.equal(spot.apex.file, path.join(root, 'clip', 'f004.png'));
  const m = spot.curve.map((p) => p.magnitude);
  assert.ok(m[0] < m[1] && m[1] < m[2] && m[2] > m[3] && m[3] > m[4], `curve ${m.map((x) => x.toFixed(3)).join(' ')}`);
  assert.ok(m[5] < m[0], 'the last frame is back at the onset position');
  // Synthetic texture has no face: the whole frame is used, and the result says so.
  assert.deepEqual(spot.region, { x: 0, y: 0, width: 64, height: 64 });
  assert.match(spot.warnings.join('\n'), /no face found/);
});

test('spotApex: an explicit region and a step; a cancelled signal stops it', async () => {
  const root = tmpDir('spot2');
  const shifts = [0, 1, 3, 2, 1];
  for (let i = 0; i < shifts.length; i++) await writeGreyJpeg(path.join(root, `${i}.png`), syntheticFrame(shifts[i], 2));
  const clip = (await scanDataset(root)).clips[0];
  const spot = await spotApex(clip, { region: { x: 16, y: 16, width: 32, height: 32 }, step: 2, params: { nscales: 3 } });
  assert.deepEqual(spot.curve.map((p) => p.frame), [1, 3, 4]);
  assert.deepEqual(spot.warnings, []);
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(spotApex(clip, { region: null, signal: ac.signal }), { name: 'CancelledError' });
});
