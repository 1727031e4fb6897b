// Flow benchmark: our CPU TV-L1 against OpenCV's DualTVL1 (Debian python3-opencv, scripts/opencv_tvl1.py)
// on the same face pairs, in the same run, on the same cores. Pairs: face crops from @vladmandic/face-api's
// demo photos warped by a known smooth field (head shift + brow raise + lip-corner pull, 1-2 px), at
// 280x340 (CASME II face size) and 640x480, made by scripts/fixtures/make_face_fixtures.py --bench.
// Reports per size: median (and best) ms of each, the speed ratio, mean EPE of each against the ground
// truth and between the two. Then the peak memory of one 640x480 flow, measured in a fresh child process
// (plain Node, no tsx) that holds only the addon and the two grey frames: VmHWM (/proc/self/status) before
// and after the flow.
// Run alone: node --import tsx scripts/bench/flow.ts [--runs N] [--rounds R] (R rounds of N runs each)
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { median, numericOption, round, runAlone, type BenchRow } from './_common';
import { readFlo } from '../../src/core/flo';
import { loadGrey } from '../../src/core/image';
import { computeFlow, nativeInfo, type FlowField, type GreyImage } from '../../src/core/native';

const ROOT = path.resolve(__dirname, '..', '..');
const PY = '/usr/bin/python3';

function log(msg: string): void {
  process.stderr.write(`flow: ${msg}\n`);
}

function hasOpenCv(): boolean {
  const r = spawnSync(PY, ['-c', 'import cv2; cv2.optflow.DualTVL1OpticalFlow_create()'], { stdio: 'ignore' });
  return r.status === 0;
}

/** The yardstick: Debian's python3-opencv, installed with apt when absent (DESIGN.md section 2). */
function ensureOpenCv(): void {
  if (hasOpenCv()) return;
  log('cv2.optflow not found for /usr/bin/python3: installing python3-opencv with apt-get');
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const cmd = root ? ['apt-get'] : ['sudo', '-n', 'apt-get'];
  spawnSync(cmd[0], [...cmd.slice(1), 'update'], { stdio: 'inherit' });
  spawnSync(cmd[0], [...cmd.slice(1), 'install', '-y', 'python3-opencv'], { stdio: 'inherit' });
  if (!hasOpenCv()) {
    throw new Error('OpenCV reference unavailable: `apt-get install -y python3-opencv` did not provide cv2.optflow for /usr/bin/python3');
  }
}

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr || r.error?.message || `exit ${r.status}`}`);
  return r.stdout;
}

function epe(a: FlowField, b: FlowField): number {
  let s = 0;
  for (let i = 0; i < a.u.length; i++) s += Math.hypot(a.u[i] - b.u[i], a.v[i] - b.v[i]);
  return s / a.u.length;
}

function maxComponentDiff(a: FlowField, b: FlowField): number {
  let m = 0;
  for (let i = 0; i < a.u.length; i++) m = Math.max(m, Math.abs(a.u[i] - b.u[i]), Math.abs(a.v[i] - b.v[i]));
  return m;
}


interface OpenCvRun {
  timesMs: number[];
  opencv: string;
  threads: number;
  peakRssMbAfter: number;
}

/**
 * Peak RSS of a fresh plain-Node process (no tsx) that holds the addon and the two frames and runs one flow:
 * scripts/bench/_flow-memory.ts bundled by esbuild into .bench/ (next to native/, where native.ts looks).
 */
function measureMemory(onset: GreyImage, apex: GreyImage, dir: string): { before: number; after: number; how: string } {
  const a = path.join(dir, 'onset.gray');
  const b = path.join(dir, 'apex.gray');
  fs.writeFileSync(a, onset.data);
  fs.writeFileSync(b, apex.data);
  const outDir = path.join(ROOT, '.bench');
  fs.mkdirSync(outDir, { recursive: true });
  const bundle = path.join(outDir, 'flow-memory.cjs');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof import('esbuild');
  esbuild.buildSync({
    entryPoints: [path.join(__dirname, '_flow-memory.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: bundle,
    logLevel: 'error',
  });
  const out = run(process.execPath, [bundle, a, b, String(onset.width), String(onset.height)]);
  return JSON.parse(out.trim().split('\n').pop() ?? '{}') as { before: number; after: number; how: string };
}

export async function flow(opts: { runs?: number; rounds?: number } = {}): Promise<BenchRow[]> {
  const rounds = opts.rounds ?? 3;
  ensureOpenCv();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mellm-bench-flow-'));
  try {
    run(PY, [path.join(ROOT, 'scripts', 'fixtures', 'make_face_fixtures.py'), '--bench', tmp]);
    const pairs = fs.readdirSync(tmp).sort((x, y) => {
      const px = (n: string): number => Number(/_(\d+)x(\d+)$/.exec(n)?.slice(1).reduce((p, c) => p * Number(c), 1) ?? 0);
      return px(x) - px(y);
    });
    const info = nativeInfo();
    const rows: BenchRow[] = [];
    let vga: { onset: GreyImage; apex: GreyImage; opencvPeakMb: number } | undefined;
    for (const name of pairs) {
      const dir = path.join(tmp, name);
      const onset = await loadGrey(path.join(dir, 'onset.png'));
      const apex = await loadGrey(path.join(dir, 'apex.png'));
      const size = `${onset.width}x${onset.height}`;
      const n = opts.runs ?? (onset.width * onset.height > 200_000 ? 2 : 3);
      // Rounds alternate OpenCV and ours so that a change in machine load hits both alike.
      const ocvFile = path.join(dir, 'opencv.flo');
      const ocvTimes: number[] = [];
      const times: number[] = [];
      let ocv: OpenCvRun | undefined;
      let ours = await computeFlow(onset, apex, {}, { device: 'cpu' }); // warm-up
      for (let round = 1; round <= rounds; round++) {
        log(`${size}: round ${round}/${rounds}: OpenCV DualTVL1 x${n}, ours x${n}`);
        ocv = JSON.parse(
          run(PY, [path.join(ROOT, 'scripts', 'opencv_tvl1.py'), path.join(dir, 'onset.png'), path.join(dir, 'apex.png'), ocvFile, '--runs', String(n)]),
        ) as OpenCvRun;
        ocvTimes.push(...ocv.timesMs);
        for (let i = 0; i < n; i++) {
          const t = performance.now();
          ours = await computeFlow(onset, apex, {}, { device: 'cpu' });
          times.push(performance.now() - t);
        }
      }
      if (!ocv) throw new Error('no OpenCV run');
      const gt = await readFlo(path.join(dir, 'gt.flo'));
      const ref = await readFlo(ocvFile);
      const ocvMed = median(ocvTimes);
      const oursMed = median(times);
      const runs = `median of ${ocvTimes.length} (${rounds} alternating rounds of ${n})`;
      const note = `${runs}; best ${round(Math.min(...ocvTimes), 1)} / ${round(Math.min(...times), 1)} ms (OpenCV / ours)`;
      const maxDiff = maxComponentDiff(ours, ref);
      rows.push(
        { bench: 'flow', metric: `${size} OpenCV DualTVL1 time`, value: round(ocvMed, 1), unit: 'ms', note: `${runs}, OpenCV ${ocv.opencv}, ${ocv.threads} threads, timed inside python` },
        { bench: 'flow', metric: `${size} ours (CPU) time`, value: round(oursMed, 1), unit: 'ms', note: `${runs}, ${info.cpuThreads} threads, in-process` },
        { bench: 'flow', metric: `${size} speed-up vs OpenCV`, value: round(ocvMed / oursMed, 2), unit: 'x', note },
        { bench: 'flow', metric: `${size} EPE OpenCV vs ground truth`, value: round(epe(ref, gt), 4), unit: 'px' },
        { bench: 'flow', metric: `${size} EPE ours vs ground truth`, value: round(epe(ours, gt), 4), unit: 'px' },
        { bench: 'flow', metric: `${size} EPE ours vs OpenCV`, value: round(epe(ours, ref), 4), unit: 'px', note: 'mean; target <= 0.05' },
        { bench: 'flow', metric: `${size} max |ours - OpenCV| (u or v)`, value: maxDiff, unit: 'px', note: maxDiff === 0 ? 'bit-identical' : '' },
      );
      if (onset.width === 640 && onset.height === 480) vga = { onset, apex, opencvPeakMb: ocv.peakRssMbAfter };
    }
    if (vga) {
      log('640x480: peak memory in a child process');
      const m = measureMemory(vga.onset, vga.apex, tmp);
      rows.push(
        { bench: 'flow', metric: '640x480 peak RSS of a process running one flow', value: round(m.after, 1), unit: 'MiB', note: `${m.how}, fresh plain Node process: addon + frames + flow, target < 100` },
        { bench: 'flow', metric: '640x480 peak RSS added by the flow', value: round(m.after - m.before, 1), unit: 'MiB', note: `${m.how} after minus before the flow` },
        { bench: 'flow', metric: '640x480 OpenCV python process peak RSS', value: round(vga.opencvPeakMb, 1), unit: 'MiB', note: 'for comparison: ru_maxrss after its runs' },
      );
    }
    return rows;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (require.main === module) runAlone('flow', () => flow({ runs: numericOption('runs'), rounds: numericOption('rounds') }));
