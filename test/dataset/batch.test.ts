// Batch mechanics (pool bound, cache keying, resume, cancellation, failure collection) with a small engine
// that derives the map from the decoded frames, so cache hits and recomputes are observable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runDatasetMmc, type BatchProgress, type Manifest, type MmcEngine } from '../../src/core/dataset/batch';
import { scanDataset } from '../../src/core/dataset/scan';
import { loadRgb } from '../../src/core/image';
import { listFiles, makePairs, syntheticFrame, tmpDir, writeGreyJpeg } from './helpers';

/** |apex - onset| per channel: a real function of both inputs, cheap enough for tests. */
function diffEngine(log: { calls: string[]; active: number; maxActive: number }, delayMs = 5): MmcEngine {
  return async ({ onsetPath, apexPath, signal }) => {
    log.calls.push(path.basename(path.dirname(onsetPath)));
    log.active++;
    log.maxActive = Math.max(log.maxActive, log.active);
    try {
      const [a, b] = await Promise.all([loadRgb(onsetPath), loadRgb(apexPath)]);
      await new Promise((r) => setTimeout(r, delayMs));
      if (signal?.aborted) {
        const e = new Error('MMC-Map cancelled');
        e.name = 'CancelledError';
        throw e;
      }
      const data = new Uint8Array(a.data.length);
      for (let i = 0; i < data.length; i++) data[i] = Math.abs(a.data[i] - b.data[i]);
      return { map: { width: a.width, height: a.height, data }, warnings: [] };
    } finally {
      log.active--;
    }
  };
}



test('batch: computes every clip, keeps the pool bound, records failures and goes on, writes manifest + summary', async () => {
  const root = tmpDir('batch');
  await makePairs(root, 6, 's1', 'c', 2);
  // An unreadable image: the clip fails, the batch continues.
  fs.mkdirSync(path.join(root, 's1', 'zz_bad'));
  fs.writeFileSync(path.join(root, 's1', 'zz_bad', 'onset.jpg'), 'not a jpeg');
  fs.writeFileSync(path.join(root, 's1', 'zz_bad', 'apex.jpg'), 'not a jpeg either');
  const scan = await scanDataset(root);
  assert.equal(scan.clips.length, 7);
  const out = path.join(root, '..', path.basename(root) + '-cache');
  const log = { calls: [] as string[], active: 0, maxActive: 0 };
  const seen: BatchProgress[] = [];
  const s = await runDatasetMmc(scan, { out, jobs: 3, engine: diffEngine(log), onProgress: (p) => seen.push(p) });
  assert.equal(s.status, 'done');
  assert.equal(s.computed, 6);
  assert.equal(s.failed, 1);
  assert.equal(s.cached, 0);
  assert.ok(log.maxActive <= 3 && log.maxActive >= 2, `max parallel ${log.maxActive}`);
  assert.equal(s.failures[0].id, `${scan.dataset}/s1/zz_bad`);
  assert.match(s.failures[0].message, /zz_bad\/(onset|apex)\.jpg is not an image/);
  const last = seen[seen.length - 1];
  assert.equal(last.done, 7);
  assert.equal(last.etaS, 0);
  assert.ok(seen.some((p) => p.rate > 0));

  const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
  assert.equal(summary.status, 'done');
  assert.deepEqual(summary.failures.map((f: { id: string }) => f.id), [`${scan.dataset}/s1/zz_bad`]);
  const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')) as Manifest;
  assert.equal(Object.keys(manifest.clips).length, 6);
  const e = manifest.clips[`${scan.dataset}/s1/c03`];
  const map = await loadRgb(path.join(out, e.map));
  const a = await loadRgb(path.join(root, 's1', 'c03', 'onset.png'));
  const b = await loadRgb(path.join(root, 's1', 'c03', 'apex.png'));
  assert.equal(map.data[100 * 3 + 2 * 64 * 3 + 60], Math.abs(a.data[100 * 3 + 2 * 64 * 3 + 60] - b.data[100 * 3 + 2 * 64 * 3 + 60]));
  assert.ok(!listFiles(out).some((f) => f.endsWith('.tmp')));

  // Rerun: only the failed clip is tried again.
  log.calls.length = 0;
  const again = await runDatasetMmc(scan, { out, jobs: 3, engine: diffEngine(log) });
  assert.equal(again.cached, 6);
  assert.equal(again.computed, 0);
  assert.equal(again.failed, 1);
  assert.deepEqual(log.calls, ['zz_bad']);

  // One apex file changes: only that clip is redone. The key is content, not path.
  await writeGreyJpeg(path.join(root, 's1', 'c04', 'apex.png'), syntheticFrame(3, 4));
  log.calls.length = 0;
  const changed = await runDatasetMmc(scan, { out, jobs: 2, engine: diffEngine(log) });
  assert.deepEqual(log.calls.sort(), ['c04', 'zz_bad']);
  assert.equal(changed.computed, 1);
  assert.equal(changed.cached, 5);

  // Different flow parameters: every map is redone.
  log.calls.length = 0;
  await runDatasetMmc(scan, { out, jobs: 2, engine: diffEngine(log), params: { warps: 3 } });
  assert.equal(log.calls.length, 7);
});

test('batch: cancelling stops new work, keeps finished maps, leaves no temp files; a rerun does only the rest', async () => {
  const root = tmpDir('cancel');
  await makePairs(root, 10, 's1', 'c', 2);
  const scan = await scanDataset(root);
  const out = path.join(root, '..', path.basename(root) + '-cache');
  const ac = new AbortController();
  const log = { calls: [] as string[], active: 0, maxActive: 0 };
  let n = 0;
  const s = await runDatasetMmc(scan, {
    out,
    jobs: 2,
    signal: ac.signal,
    engine: diffEngine(log, 20),
    afterWrite: () => {
      if (++n === 3) ac.abort();
    },
  });
  assert.equal(s.status, 'cancelled');
  assert.ok(s.computed >= 3 && s.computed <= 7, `computed ${s.computed}`); // 3 + maps already computed and being written
  assert.equal(s.skipped, 10 - s.computed - s.failed - s.cached);
  assert.equal(s.failed, 0, 'a cancelled clip is not a failure');
  const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')) as Manifest;
  assert.equal(Object.keys(manifest.clips).length, s.computed);
  assert.equal(JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8')).status, 'cancelled');
  assert.ok(!listFiles(out).some((f) => f.endsWith('.tmp')));
  const done = new Set(log.calls.slice(0, s.computed));

  log.calls.length = 0;
  const rest = await runDatasetMmc(scan, { out, jobs: 2, engine: diffEngine(log) });
  assert.equal(rest.status, 'done');
  assert.equal(rest.cached, s.computed);
  assert.equal(rest.computed, 10 - s.computed);
  assert.ok(log.calls.every((c) => !done.has(c)));
});

test('batch: clips without an apex fail with a reason when spotting is off', async () => {
  const root = tmpDir('noapex');
  for (let f = 1; f <= 4; f++) await writeGreyJpeg(path.join(root, 'seq', `${f}.png`), syntheticFrame(f, 1));
  const scan = await scanDataset(root);
  assert.equal(scan.clips[0].apex, null);
  const out = path.join(root, '..', path.basename(root) + '-cache');
  const s = await runDatasetMmc(scan, { out, engine: diffEngine({ calls: [], active: 0, maxActive: 0 }), spotApex: false });
  assert.equal(s.failed, 1);
  assert.match(s.failures[0].message, /no apex frame annotated and apex spotting is off/);
});

test('batch: the manifest drops clips the dataset no longer has and keeps the others across runs', async () => {
  const root = tmpDir('manifest');
  await makePairs(root, 3, 's1', 'c', 2);
  const out = path.join(root, '..', path.basename(root) + '-cache');
  const log = { calls: [] as string[], active: 0, maxActive: 0 };
  await runDatasetMmc(await scanDataset(root), { out, engine: diffEngine(log) });
  fs.rmSync(path.join(root, 's1', 'c01'), { recursive: true });
  const scan = await scanDataset(root);
  await runDatasetMmc(scan, { out, engine: diffEngine(log), only: [`${scan.dataset}/s1/c00`] });
  const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')) as Manifest;
  assert.deepEqual(Object.keys(manifest.clips).sort(), [`${scan.dataset}/s1/c00`, `${scan.dataset}/s1/c02`]);
});

test('batch: a clip without an apex is spotted (real TV-L1), the curve is stored, and a rerun reuses it', async () => {
  const root = tmpDir('spotbatch');
  const shifts = [0, 1, 3, 2, 1];
  for (let i = 0; i < shifts.length; i++) await writeGreyJpeg(path.join(root, 'seq', `img${i + 1}.png`), syntheticFrame(shifts[i], 3));
  const scan = await scanDataset(root);
  const out = `${root}-cache`;
  const log = { calls: [] as string[], active: 0, maxActive: 0 };
  const s = await runDatasetMmc(scan, { out, engine: diffEngine(log), params: { nscales: 3 } });
  assert.equal(s.computed, 1, JSON.stringify(s.failures));
  const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')) as Manifest;
  const e = manifest.clips[scan.clips[0].id];
  assert.equal(e.apex.frame, 3);
  assert.equal(e.apex.file, path.join(root, 'seq', 'img3.png'));
  assert.match(e.warnings.join('\n'), /apex spotted at frame 3/);
  assert.ok(e.spot);
  const spot = JSON.parse(fs.readFileSync(path.join(out, e.spot), 'utf8'));
  assert.deepEqual(spot.curve.map((p: { frame: number }) => p.frame), [2, 3, 4, 5]);
  const mtime = fs.statSync(path.join(out, e.spot)).mtimeMs;
  const again = await runDatasetMmc(scan, { out, engine: diffEngine(log), params: { nscales: 3 } });
  assert.equal(again.cached, 1);
  assert.equal(fs.statSync(path.join(out, e.spot)).mtimeMs, mtime);
});

test('batch: clips the engine answers from its own cache (the panel\'s) count as cached, not computed', async () => {
  const root = tmpDir('batch-engine-cache');
  await makePairs(root, 4, 's1', 'c', 2);
  const scan = await scanDataset(root);
  const out = path.join(root, '..', path.basename(root) + '-cache');
  const log = { calls: [] as string[], active: 0, maxActive: 0 };
  const inner = diffEngine(log, 1);
  // Two clips were opened in the panel before: its cache answers them.
  const warm = new Set(scan.clips.slice(0, 2).map((c) => path.basename(c.dir)));
  const engine: MmcEngine = async (req) => ({ ...(await inner(req)), cached: warm.has(path.basename(path.dirname(req.onsetPath))) });
  const s = await runDatasetMmc(scan, { out, engine });
  assert.equal(s.cached, 2);
  assert.equal(s.computed, 2);
  assert.equal(s.failed, 0);
  const again = await runDatasetMmc(scan, { out, engine });
  assert.equal(again.cached, 4, 'the batch\'s own cache answers a rerun');
});
