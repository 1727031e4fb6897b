// GPU benchmark (issue 7): the CUDA backend's batched TV-L1 + MMC-Map against the CPU backend and
// OpenCV's DualTVL1, measured in the same run on the same face pairs (scripts/fixtures/make_face_fixtures.py
// --bench: known warps of face crops at 280x340 and 640x480). Rows: single-pair latency, pairs/s batched,
// the CPU backend's pairs/s (one pair per core) and OpenCV's, and the ratios. Where no CUDA device is
// usable it reports one row saying why and measures nothing.
// Run alone: node --import tsx scripts/bench/gpu.ts [--batch N]
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeJpegClips } from './_clips';
import { median, numericOption, round, runAlone, type BenchRow } from './_common';
import { computeDatasetMaps } from '../../src/core/dataset';
import { loadGrey } from '../../src/core/image';
import { computeBatch, nativeInfo, type BatchPair, type GreyImage } from '../../src/core/native';

const ROOT = path.resolve(__dirname, '..', '..');
const PY = '/usr/bin/python3';
const log = (m: string): void => void process.stderr.write(`gpu: ${m}\n`);

/** Copies of a pair with a different constant brightness offset, so no two batch items are the same bytes. */
function variants(onset: GreyImage, apex: GreyImage, n: number): BatchPair[] {
  return Array.from({ length: n }, (_, k) => {
    const d = (k % 9) - 4;
    const shift = (img: GreyImage): GreyImage => ({ ...img, data: img.data.map((v) => Math.max(0, Math.min(255, v + d))) });
    return { onset: shift(onset), apex: shift(apex), render: { nose: { x: onset.width >> 1, y: Math.round(onset.height * 0.6) } } };
  });
}

async function timeBatch(pairs: BatchPair[], device: 'cuda' | 'cpu', runs: number): Promise<number> {
  await computeBatch(pairs.slice(0, Math.min(pairs.length, 2)), {}, { device }); // warm-up (context, buffers)
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    await computeBatch(pairs, {}, { device });
    t.push(performance.now() - s);
  }
  return median(t);
}

/**
 * A DFME-sized dataset job end to end: `clips` generic clip folders of 280x340 JPEG onset/apex frames on
 * disk -> PNG MMC-Maps on disk through the dataset batch (decode, face/nose, batched GPU flow + map, PNG
 * encode, atomic writes, manifest).
 */
async function dfmeSized(tmp: string, clips: number): Promise<BenchRow[]> {
  const src = fs.readdirSync(tmp).find((n) => n.includes('280x340'));
  if (!src) return [];
  const onset = await loadGrey(path.join(tmp, src, 'onset.png'));
  const apex = await loadGrey(path.join(tmp, src, 'apex.png'));
  const root = path.join(tmp, 'dfme-sized');
  log(`writing ${clips} clips of JPEG frames`);
  await writeJpegClips(root, clips, onset, apex, (i) => (i % 9) - 4);
  log(`dataset job: ${clips} clips on the GPU`);
  const t = performance.now();
  const { summary } = await computeDatasetMaps(root, { out: path.join(tmp, 'dfme-cache'), device: 'cuda' });
  const s = (performance.now() - t) / 1000;
  return [
    { bench: 'gpu', metric: `dataset job, ${clips} clips of 280x340 JPEGs -> PNG maps`, value: Math.round(s * 10) / 10, unit: 's', note: `target < 60 s; ${summary.computed} computed, ${summary.failed} failed` },
    { bench: 'gpu', metric: 'dataset job throughput', value: Math.round((clips / s) * 10) / 10, unit: 'clips/s' },
  ];
}

export async function gpu(opts: { batch?: number; clips?: number } = {}): Promise<BenchRow[]> {
  const info = nativeInfo();
  if (info.cudaDevices === 0) {
    const why = info.cudaCompiled ? info.cudaStatus : 'addon built without CUDA (no nvcc at install)';
    log(`skipped: ${why}`);
    return [{ bench: 'gpu', metric: 'skipped: no usable CUDA device', value: 0, unit: '', note: why }];
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mellm-bench-gpu-'));
  try {
    const gen = spawnSync(PY, [path.join(ROOT, 'scripts', 'fixtures', 'make_face_fixtures.py'), '--bench', tmp], { encoding: 'utf8' });
    if (gen.status !== 0) throw new Error(`pair generator failed: ${gen.stderr}`);
    const rows: BenchRow[] = [];
    for (const name of fs.readdirSync(tmp).sort()) {
      const dir = path.join(tmp, name);
      const onset = await loadGrey(path.join(dir, 'onset.png'));
      const apex = await loadGrey(path.join(dir, 'apex.png'));
      const size = `${onset.width}x${onset.height}`;
      const batchN = opts.batch ?? (onset.width * onset.height > 200_000 ? 128 : 512);
      const pairs = variants(onset, apex, batchN);
      log(`${size}: single-pair latency`);
      const single = await timeBatch(pairs.slice(0, 1), 'cuda', 9);
      log(`${size}: batch of ${batchN}`);
      const batchMs = await timeBatch(pairs, 'cuda', 3);
      const cpuN = Math.max(2, info.cpuThreads);
      log(`${size}: CPU backend, ${cpuN} pairs`);
      const cpuMs = await timeBatch(pairs.slice(0, cpuN), 'cpu', 1);
      log(`${size}: OpenCV DualTVL1`);
      const ocv = spawnSync(PY, [path.join(ROOT, 'scripts', 'opencv_tvl1.py'), path.join(dir, 'onset.png'), path.join(dir, 'apex.png'), path.join(tmp, 'ocv.flo'), '--runs', '3'], { encoding: 'utf8' });
      const ocvMs = ocv.status === 0 ? median((JSON.parse(ocv.stdout) as { timesMs: number[] }).timesMs) : NaN;
      const gpuRate = (batchN * 1000) / batchMs;
      const cpuRate = (cpuN * 1000) / cpuMs;
      const ocvRate = 1000 / ocvMs;
      rows.push(
        { bench: 'gpu', metric: `${size} single-pair latency (flow + map)`, value: round(single, 1), unit: 'ms', note: 'median of 9, target <= 20 ms at 280x340' },
        { bench: 'gpu', metric: `${size} batched throughput`, value: round(gpuRate, 1), unit: 'pairs/s', note: `batch of ${batchN}, median of 3; target >= 1000 at 280x340` },
        { bench: 'gpu', metric: `${size} CPU backend throughput`, value: round(cpuRate, 2), unit: 'pairs/s', note: `${cpuN} pairs, one per core` },
        { bench: 'gpu', metric: `${size} OpenCV DualTVL1 throughput`, value: round(ocvRate, 2), unit: 'pairs/s', note: 'one pair at a time, timed inside python' },
        { bench: 'gpu', metric: `${size} GPU vs CPU backend`, value: round(gpuRate / cpuRate, 1), unit: 'x' },
        { bench: 'gpu', metric: `${size} GPU vs OpenCV`, value: round(gpuRate / ocvRate, 1), unit: 'x' },
      );
    }
    rows.push(...(await dfmeSized(tmp, opts.clips ?? 7526)));
    return rows;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (require.main === module) runAlone('gpu', () => gpu({ batch: numericOption('batch'), clips: numericOption('clips') }));
