// The benchmark's dataset side: protocol splits, AU codes, the onset|apex composite, and the MMC-Map
// phase (maps made once into the cache, then read back as the request's image; failures per clip).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { auCodeString, dfmeSplit, openBenchDataset, sideBySide } from '../../src/core/bench/datasetInput';
import type { MmcEngine } from '../../src/core/dataset/batch';
import { makeSynthDataset } from './synthDataset';

test('DFME split names and AU codes', () => {
  assert.equal(dfmeSplit('TestA'), 'a');
  assert.equal(dfmeSplit('test_b'), 'b');
  assert.equal(dfmeSplit('B'), 'b');
  assert.equal(dfmeSplit('train'), null);
  assert.equal(dfmeSplit(undefined), null);
  assert.equal(auCodeString({ au: 12, side: 'both' }), 'AU12');
  assert.equal(auCodeString({ au: 10, side: 'L', intensity: 'B' }), 'L10');
});

test('side by side puts onset left and apex right on a common canvas', () => {
  const a = { width: 2, height: 1, data: Uint8Array.from([1, 1, 1, 2, 2, 2]) };
  const b = { width: 1, height: 2, data: Uint8Array.from([3, 3, 3, 4, 4, 4]) };
  const c = sideBySide(a, b);
  assert.deepEqual([c.width, c.height], [3, 2]);
  assert.deepEqual([...c.data], [1, 1, 1, 2, 2, 2, 3, 3, 3, 0, 0, 0, 0, 0, 0, 4, 4, 4]);
});

test('protocol selection: dfme-a / dfme-b keep their test set; a dataset without splits is refused', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mellm-dsin-'));
  try {
    await makeSynthDataset(path.join(tmp, 'split'), 10, { split: true });
    const a = await openBenchDataset(path.join(tmp, 'split'), 'dfme-a');
    const b = await openBenchDataset(path.join(tmp, 'split'), 'dfme-b');
    assert.equal(a.clips.length + b.clips.length, 10);
    assert.ok(a.clips.every((c) => c.clip.split === 'TestA'));
    await makeSynthDataset(path.join(tmp, 'nosplit'), 4);
    await assert.rejects(openBenchDataset(path.join(tmp, 'nosplit'), 'dfme-b'), /split column.*mellm-dataset\.json/);
    const c2 = await openBenchDataset(path.join(tmp, 'nosplit'), 'casme2');
    assert.deepEqual(c2.clips[0].aus, ['AU4', 'L10']);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('frames input: the request image is onset | apex as one PNG', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mellm-dsin-'));
  try {
    await makeSynthDataset(tmp, 2);
    const ds = await openBenchDataset(tmp, 'casme2');
    const input = await ds.loadInput(ds.clips[0], 'frames', new AbortController().signal);
    const meta = await sharp(Buffer.from(input.png)).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['png', 64, 40]);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('mmc input: maps are made once into the cache and read back; a failed map is that clip\'s input error', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mellm-dsin-'));
  try {
    await makeSynthDataset(path.join(tmp, 'ds'), 4);
    let calls = 0;
    // A stand-in pipeline: a flat map whose shade encodes the onset file; EP02 fails.
    const engine: MmcEngine = async (req) => {
      calls += 1;
      if (req.onsetPath.includes('EP02')) throw new Error('flow failed on EP02');
      const shade = 10 + Number(/EP(\d+)/.exec(req.onsetPath)?.[1] ?? 0) * 40;
      return { map: { width: 4, height: 3, data: new Uint8Array(36).fill(shade) }, warnings: [] };
    };
    const maps = path.join(tmp, 'maps');
    const ds = await openBenchDataset(path.join(tmp, 'ds'), 'casme2', { maps, engine });
    const signal = new AbortController().signal;
    await ds.prepare?.(ds.clips, 'mmc', signal);
    assert.equal(calls, 4);
    const ep1 = ds.clips.find((c) => c.id.endsWith('EP01'));
    const ep2 = ds.clips.find((c) => c.id.endsWith('EP02'));
    assert.ok(ep1 && ep2);
    const png = (await ds.loadInput(ep1, 'mmc', signal)).png;
    const { data } = await sharp(Buffer.from(png)).raw().toBuffer({ resolveWithObject: true });
    assert.equal(data[0], 50);
    await assert.rejects(ds.loadInput(ep2, 'mmc', signal), /MMC-Map failed: flow failed on EP02/);
    // A second run finds the maps in the cache.
    const again = await openBenchDataset(path.join(tmp, 'ds'), 'casme2', { maps, engine });
    await again.prepare?.(again.clips, 'mmc', signal);
    assert.equal(calls, 5); // only the failed clip is tried again
    // Every map failing stops before any request.
    const broken = await openBenchDataset(path.join(tmp, 'ds'), 'casme2', { maps: path.join(tmp, 'maps2'), engine: () => Promise.reject(new Error('addon not built')) });
    await assert.rejects(broken.prepare?.(broken.clips, 'mmc', signal) ?? Promise.resolve(), /no MMC-Map could be made for any of the 4 clips.*addon not built/);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
