// `npm run bench dataset` (or node --import tsx scripts/bench/dataset.ts): dataset scan speed on a
// 10,000-clip synthetic tree, batch MMC throughput against the engine's own throughput on the same pairs,
// a job over face clips with nose tips on the calling thread vs the worker pool, and RSS over a 2,000-clip
// batch. Progress on stderr.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import ExcelJS from 'exceljs';
import sharp from 'sharp';
import { writeJpegClips } from './_clips';
import { median, numericOption, runAlone, timeWithBusy, type BenchRow } from './_common';
import { runDatasetMmc, type MmcEngine } from '../../src/core/dataset/batch';
import { cachePaths, fileSha, readCached, writeCached } from '../../src/core/dataset/cache';
import { encodePng } from '../../src/core/image';
import { DEFAULT_RENDER, defaultMmcEngine, engineForDevice } from '../../src/core/dataset/engine';
import { computeDatasetMaps } from '../../src/core/dataset';
import { loadGrey } from '../../src/core/image';
import { runPool } from '../../src/core/dataset/pool';
import { scanDataset } from '../../src/core/dataset/scan';
import { OPENCV_TVL1_DEFAULTS, type TvL1Params } from '../../src/core/native';

const log = (s: string): void => void process.stderr.write(`dataset: ${s}\n`);

/** `n` generic clip folders of 280x340 JPEG onset/apex frames of a real face (a known warp). */
async function buildFaceClips(root: string, n: number): Promise<void> {
  const src = path.join(__dirname, '..', '..', 'test', 'fixtures', 'faces', 's3right_280x340');
  await writeJpegClips(root, n, await loadGrey(path.join(src, 'onset.png')), await loadGrey(path.join(src, 'apex.png')));
}

/** CASME II layout: `subjects` x `clips` clip folders of 5 empty frame files, and the coding sheet. */
async function buildCasmeTree(root: string, subjects: number, clips: number): Promise<void> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Sheet1');
  ws.addRow(['CASME II coding (synthetic)']);
  ws.addRow(['Subject', 'Filename', 'OnsetFrame', 'ApexFrame', 'OffsetFrame', 'Action Units', 'Estimated Emotion']);
  const emotions = ['happiness', 'surprise', 'disgust', 'repression', 'others', 'fear', 'sadness'];
  for (let s = 1; s <= subjects; s++) {
    for (let c = 1; c <= clips; c++) {
      const name = `EP${String(c).padStart(3, '0')}_01`;
      const dir = path.join(root, 'CASME2-RAW', `sub${String(s).padStart(3, '0')}`, name);
      fs.mkdirSync(dir, { recursive: true });
      for (let f = 1; f <= 5; f++) fs.writeFileSync(path.join(dir, `img${f}.jpg`), '');
      ws.addRow([s, name, 1, 3, 5, c % 3 === 0 ? 'R12' : '4+7', emotions[c % emotions.length]]);
    }
  }
  await wb.xlsx.writeFile(path.join(root, 'CASME2-coding.xlsx'));
}

/** Generic layout: `n` folders each holding onset.jpg and apex.jpg (empty files: the scan never decodes). */
function buildGenericTree(root: string, n: number): void {
  for (let i = 0; i < n; i++) {
    const dir = path.join(root, `p${String(Math.floor(i / 100)).padStart(3, '0')}`, `c${i}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'onset.jpg'), '');
    fs.writeFileSync(path.join(dir, 'apex.jpg'), '');
  }
}

function textured(width: number, height: number, shift: number, seed: number): Buffer {
  const g = Buffer.alloc(width * height);
  const x0 = width / 4;
  const x1 = (3 * width) / 4;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const sx = x > x0 && x < x1 && y > height / 4 && y < (3 * height) / 4 ? x - shift : x;
      g[y * width + x] = Math.round(128 + 60 * Math.sin((sx + seed) / 3.1) * Math.cos((y + seed) / 4.3) + 30 * Math.sin((sx * y) / 97));
    }
  }
  return g;
}

/** `n` onset/apex pairs of `size` x `size` PNGs; returns the dataset root. */
async function buildPairs(root: string, n: number, size: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const dir = path.join(root, 's', `c${String(i).padStart(5, '0')}`);
    fs.mkdirSync(dir, { recursive: true });
    const raw = { raw: { width: size, height: size, channels: 1 as const } };
    await sharp(textured(size, size, 0, i), raw).png().toFile(path.join(dir, 'onset.png'));
    await sharp(textured(size, size, 2, i), raw).png().toFile(path.join(dir, 'apex.png'));
  }
}

async function timeScan(root: string, runs: number): Promise<{ best: number; median: number; clips: number }> {
  const times: number[] = [];
  let clips = 0;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const r = await scanDataset(root);
    times.push(performance.now() - t);
    clips = r.clips.length;
  }
  times.sort((a, b) => a - b);
  return { best: times[0], median: times[Math.floor(times.length / 2)], clips };
}

/** The batch's own work per clip, without the engine: 2 content hashes, a cache probe, PNG encode, 2 atomic writes. */
async function bookkeepingMs(root: string, out: string, size: number, n: number): Promise<{ wall: number; cpu: number }> {
  const scan = await scanDataset(root);
  const map = { width: size, height: size, data: new Uint8Array(size * size * 3).map((_, i) => (i * 31) % 251) };
  const c0 = process.cpuUsage();
  const t = performance.now();
  for (let i = 0; i < n; i++) {
    const c = scan.clips[i % scan.clips.length];
    const key = `${(await fileSha(c.onset.file)).slice(0, 32)}${(await fileSha((c.apex ?? c.onset).file)).slice(0, 24)}${String(i).padStart(8, '0')}`;
    const p = cachePaths(out, key);
    await readCached(p);
    await writeCached(p, await encodePng(map), { key });
  }
  const cpu = process.cpuUsage(c0);
  return { wall: (performance.now() - t) / n, cpu: (cpu.user + cpu.system) / 1000 / n };
}

/** The engine alone over the same pairs, same parallelism, nothing written. */
async function engineRate(engine: MmcEngine, root: string, jobs: number, params: TvL1Params): Promise<{ rate: number; cpuMs: number }> {
  const scan = await scanDataset(root);
  const c0 = process.cpuUsage();
  const t = performance.now();
  await runPool(scan.clips, jobs, async (c) => {
    await engine({ onsetPath: c.onset.file, apexPath: (c.apex ?? c.onset).file, params, device: 'cpu' });
  });
  const cpu = process.cpuUsage(c0);
  return { rate: (scan.clips.length * 1000) / (performance.now() - t), cpuMs: (cpu.user + cpu.system) / 1000 / scan.clips.length };
}

async function batchRate(engine: MmcEngine, root: string, out: string, jobs: number, params: TvL1Params): Promise<{ rate: number; rss: number[]; cpuMs: number }> {
  const scan = await scanDataset(root);
  fs.rmSync(out, { recursive: true, force: true });
  const rss: number[] = [];
  const every = Math.max(1, Math.floor(scan.clips.length / 10));
  const c0 = process.cpuUsage();
  const t = performance.now();
  const s = await runDatasetMmc(scan, {
    out,
    jobs,
    engine,
    params,
    device: 'cpu',
    render: DEFAULT_RENDER,
    onProgress: (p) => {
      if (p.done > 0 && p.done % every === 0) rss.push(process.memoryUsage().rss / 2 ** 20);
    },
  });
  const rate = (scan.clips.length * 1000) / (performance.now() - t);
  const cpu = process.cpuUsage(c0);
  if (s.failed > 0) throw new Error(`batch had ${s.failed} failures: ${s.failures[0].message}`);
  if (s.computed !== scan.clips.length) throw new Error(`batch computed ${s.computed} of ${scan.clips.length} clips (duplicate content?)`);
  return { rate, rss, cpuMs: (cpu.user + cpu.system) / 1000 / scan.clips.length };
}

export async function dataset(opts: { pairs?: number; size?: number; memClips?: number; jobs?: number; only?: string } = {}): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mellm-bench-dataset-'));
  const jobs = opts.jobs ?? 2;
  try {
    // 1. Scan speed.
    if (opts.only === undefined || opts.only === 'scan') {
    log('building a 10,000-clip CASME II tree (100 subjects x 100 clips, 5 frames each) and a 10,000-clip generic tree');
    const casme = path.join(tmp, 'casme');
    await buildCasmeTree(casme, 100, 100);
    const generic = path.join(tmp, 'generic');
    buildGenericTree(generic, 10_000);
    log('scanning');
    const a = await timeScan(casme, 3);
    if (a.clips !== 10_000) throw new Error(`CASME II scan found ${a.clips} clips, expected 10000`);
    rows.push({ bench: 'dataset', metric: 'scan 10k clips, CASME II sheet + folders (median of 3)', value: Math.round(a.median), unit: 'ms', note: `best ${Math.round(a.best)} ms; target < 3000 ms` });
    const g = await timeScan(generic, 3);
    if (g.clips !== 10_000) throw new Error(`generic scan found ${g.clips} clips, expected 10000`);
    rows.push({ bench: 'dataset', metric: 'scan 10k clips, generic pair folders (median of 3)', value: Math.round(g.median), unit: 'ms', note: `best ${Math.round(g.best)} ms; target < 3000 ms` });
    fs.rmSync(casme, { recursive: true, force: true });
    fs.rmSync(generic, { recursive: true, force: true });
    }

    // 2. Batch throughput vs the engine's own, same pairs, same parallelism, OpenCV TV-L1 defaults.
    const engine = defaultMmcEngine();
    if (opts.only === undefined || opts.only === 'throughput') {
    const params = { ...OPENCV_TVL1_DEFAULTS };
    for (const size of [opts.size ?? 64, 240]) {
      const n = opts.pairs ?? (size <= 64 ? 80 : 24);
      const pairs = path.join(tmp, `pairs${size}`);
      log(`throughput: ${n} pairs of ${size}x${size}, --jobs ${jobs}`);
      await buildPairs(pairs, n, size);
      log('warm-up');
      await engineRate(engine, pairs, jobs, params); // warm-up: face models, thread pool, page cache
      log('timed runs');
      // The machine is shared and its load drifts: engine and batch runs alternate, each batch run is
      // compared with the engine run just before it, and the median of those paired ratios is reported.
      // CPU time per clip (this process, all threads) is the load-independent view of the batch's overhead.
      const runs = 5;
      const ratios: number[] = [];
      const es: number[] = [];
      const bs: number[] = [];
      const ecpu: number[] = [];
      const bcpu: number[] = [];
      for (let r = 0; r < runs; r++) {
        const e = await engineRate(engine, pairs, jobs, params);
        const b = await batchRate(engine, pairs, path.join(tmp, `cache${size}`), jobs, params);
        es.push(e.rate);
        bs.push(b.rate);
        ecpu.push(e.cpuMs);
        bcpu.push(b.cpuMs);
        ratios.push(b.rate / e.rate);
      }
      const med = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
      const list = (xs: number[], d = 1): string => xs.map((x) => x.toFixed(d)).join(', ');
      rows.push({ bench: 'dataset', metric: `engine alone, ${size}x${size} pairs`, value: +med(es).toFixed(2), unit: 'clips/s', note: `${n} pairs, ${jobs} jobs, median of ${runs}: ${list(es)}` });
      rows.push({ bench: 'dataset', metric: `batch (hash + cache + PNG + atomic writes), ${size}x${size}`, value: +med(bs).toFixed(2), unit: 'clips/s', note: `runs ${list(bs)}` });
      rows.push({ bench: 'dataset', metric: `batch / engine throughput, ${size}x${size}`, value: +med(ratios).toFixed(3), unit: 'ratio', note: `median of paired runs ${list(ratios, 2)}; target >= 0.85` });
      const bk = await bookkeepingMs(pairs, path.join(tmp, `bk${size}`), size, 100);
      rows.push({ bench: 'dataset', metric: `batch bookkeeping per clip (no engine), ${size}x${size}`, value: +bk.wall.toFixed(2), unit: 'ms', note: `${bk.cpu.toFixed(2)} ms CPU; hashes, cache probe, PNG encode, 2 atomic writes with fsync` });
      rows.push({ bench: 'dataset', metric: `engine / batch CPU time per clip, ${size}x${size}`, value: +(med(ecpu) / med(bcpu)).toFixed(3), unit: 'ratio', note: `engine ${med(ecpu).toFixed(1)} ms, batch ${med(bcpu).toFixed(1)} ms CPU per clip` });
      fs.rmSync(pairs, { recursive: true, force: true });
    }
    }

    // 3. Face clips: a dataset job over 280x340 JPEG clips of a real face, nose tips found on the calling
    // thread (the reference) or on the worker pool that dataset jobs use; alternating runs, fresh caches.
    if (opts.only === undefined || opts.only === 'faces') {
      const n = opts.pairs ?? 40;
      const faces = path.join(tmp, 'faces');
      log(`faces: ${n} clips of 280x340 JPEG frames`);
      await buildFaceClips(faces, n);
      const pooled = await engineForDevice('cpu', jobs);
      const time = async (engine: MmcEngine, run: number): Promise<{ msPerClip: number; busyPerClip: number }> => {
        let computed = 0;
        const { ms, busyMs } = await timeWithBusy(async () => {
          computed = (await computeDatasetMaps(faces, { out: path.join(tmp, `faces-cache-${run}`), device: 'cpu', jobs, engine })).summary.computed;
        });
        if (computed !== n) throw new Error(`faces: ${computed} of ${n} computed`);
        return { msPerClip: ms / n, busyPerClip: busyMs / n };
      };
      await time(pooled.engine, -1); // warm-up: models on both sides, workers started
      await time(engine, -2);
      const here: { msPerClip: number; busyPerClip: number }[] = [];
      const pool: { msPerClip: number; busyPerClip: number }[] = [];
      for (let r = 0; r < 3; r++) {
        here.push(await time(engine, 2 * r));
        pool.push(await time(pooled.engine, 2 * r + 1));
      }
      const m = (xs: { msPerClip: number; busyPerClip: number }[], k: 'msPerClip' | 'busyPerClip'): number => median(xs.map((x) => x[k]));
      rows.push({ bench: 'dataset', metric: 'face clips 280x340, nose tips on the calling thread', value: +m(here, 'msPerClip').toFixed(1), unit: 'ms/clip', note: `reference; calling thread busy ${m(here, 'busyPerClip').toFixed(1)} ms/clip; ${n} clips, ${jobs} jobs, median of 3` });
      rows.push({ bench: 'dataset', metric: 'face clips 280x340, nose tips on the worker pool', value: +m(pool, 'msPerClip').toFixed(1), unit: 'ms/clip', note: `calling thread busy ${m(pool, 'busyPerClip').toFixed(1)} ms/clip` });
      rows.push({ bench: 'dataset', metric: 'face clips 280x340, pool speed-up', value: +(m(here, 'msPerClip') / m(pool, 'msPerClip')).toFixed(2), unit: 'x', note: `${os.availableParallelism()} cores` });
    }

    // 4. Memory over a long batch: light flow settings so 2,000 clips finish in minutes; the batch's own
    // bookkeeping (manifest, failures, progress) is what must stay flat.
    if (opts.only !== undefined && opts.only !== 'memory') return rows;
    const memClips = opts.memClips ?? 2000;
    const mem = path.join(tmp, 'mem');
    log(`memory: ${memClips} clips of 64x64 (flow nscales 1, warps 1)`);
    await buildPairs(mem, memClips, 64);
    const light = { ...OPENCV_TVL1_DEFAULTS, nscales: 1, warps: 1, outerIterations: 2, innerIterations: 5 };
    const m = await batchRate(engine, mem, path.join(tmp, 'memcache'), jobs, light);
    const first = m.rss[0];
    const last = m.rss[m.rss.length - 1];
    rows.push({ bench: 'dataset', metric: `RSS after 10% of ${memClips} clips`, value: Math.round(first), unit: 'MiB' });
    rows.push({ bench: 'dataset', metric: `RSS at the end of ${memClips} clips`, value: Math.round(last), unit: 'MiB', note: `samples ${m.rss.map((x) => Math.round(x)).join(', ')}` });
    rows.push({ bench: 'dataset', metric: `RSS growth 10% -> 100% of ${memClips} clips`, value: Math.round(last - first), unit: 'MiB', note: `${m.rate.toFixed(1)} clips/s` });
    return rows;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

export default dataset;

if (require.main === module) {
  const o = process.argv.indexOf('--only');
  runAlone('dataset', () =>
    dataset({ pairs: numericOption('pairs'), memClips: numericOption('mem-clips'), jobs: numericOption('jobs'), only: o >= 0 ? process.argv[o + 1] : undefined }),
  );
}
