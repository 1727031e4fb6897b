// Benchmark-job throughput and memory: 5,000 clips through the real runner (cached map PNG read from disk
// -> streamed request through the real client -> answer parser -> fsynced results.jsonl line) against a
// local OpenAI-compatible server in a separate process answering after 200 ms, concurrency 16.
// Reference measured in the same run: the ideal rate concurrency / latency (80 clips/s), printed as a ratio.
// Run alone: node --import tsx scripts/bench/evalrun.ts [--clips N] [--concurrency N] [--latency MS]
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import sharp from 'sharp';
import { numericOption, runAlone, type BenchRow } from './_common';
import { parseForBench } from '../../src/core/bench/job';
import { loadResults, RUN_FORMAT, type RunConfig } from '../../src/core/bench/runDir';
import { runBench, type BenchClip } from '../../src/core/bench/runner';
import { MellmServerClient } from '../../src/core/reasoning/client';

const ROOT = path.resolve(__dirname, '..', '..');
const CLASSES = ['happiness', 'sadness', 'fear', 'surprise', 'disgust'];

function startServer(latencyMs: number): Promise<{ url: string; child: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/support/openaiServer.ts')], {
      cwd: ROOT,
      env: { ...process.env, LATENCY_MS: String(latencyMs) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n')) resolve({ url: line.trim(), child });
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`test server exited with ${code}`)));
  });
}

/** Map-like PNGs (a real face photo at CASME II face size) written to a cache folder, as the MMC cache holds them. */
async function makeCache(dir: string, n: number): Promise<string[]> {
  const face = path.join(ROOT, 'node_modules/@vladmandic/face-api/demo/sample1.jpg');
  const files: string[] = [];
  for (let i = 0; i < n; i++) {
    const f = path.join(dir, `map${i}.png`);
    await sharp(face).resize(280, 340, { fit: 'cover' }).modulate({ hue: i * 7 }).png().toFile(f);
    files.push(f);
  }
  return files;
}

/** gc() even when Node was started without --expose-gc (the bench driver starts plain children). */
function exposeGc(): (() => void) | undefined {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g;
  try {
    v8.setFlagsFromString('--expose-gc');
    return vm.runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
}

export default async function evalrun(opts: { clips?: number; concurrency?: number; latencyMs?: number } = {}): Promise<BenchRow[]> {
  const nClips = opts.clips ?? 5000;
  const concurrency = opts.concurrency ?? 16;
  const latencyMs = opts.latencyMs ?? 200;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mellm-evalrun-'));
  const { url, child } = await startServer(latencyMs);
  try {
    const maps = await makeCache(path.join(tmp), 50);
    const mapBytes = fs.statSync(maps[0]).size;
    const clips: BenchClip[] = Array.from({ length: nClips }, (_, i) => ({ id: `s${i % 40}/clip${i}`, subject: `s${i % 40}`, emotion: CLASSES[i % 5], aus: ['AU6', 'AU12'] }));
    const runDir = path.join(tmp, 'run');
    const config: RunConfig = {
      format: RUN_FORMAT,
      extensionVersion: 'bench',
      dataset: tmp,
      protocol: 'casme2',
      classes: CLASSES,
      task: 'meu',
      input: 'mmc',
      lang: 'zh',
      promptSha256: '0'.repeat(64),
      source: { kind: 'server', model: 'mellm', endpoints: [url] },
      clips: nClips,
      createdAt: new Date().toISOString(),
    };
    const source = new MellmServerClient({ endpoints: [url], model: 'mellm' });
    const gc = exposeGc();
    const samples: Array<{ done: number; rss: number; heap: number }> = [];
    const sample = (done: number): void => {
      gc?.();
      const m = process.memoryUsage();
      samples.push({ done, rss: m.rss, heap: m.heapUsed });
    };
    sample(0);
    const t0 = performance.now();
    const summary = await runBench({
      runDir,
      config,
      clips,
      loadInput: async (c) => ({ png: await fs.promises.readFile(maps[Number(c.id.split('clip')[1]) % maps.length]) }),
      source,
      prompt: 'bench prompt',
      parse: parseForBench,
      concurrency,
      onProgress: (p) => sample(p.done),
    });
    const seconds = (performance.now() - t0) / 1000;
    sample(summary.done);
    const loaded = loadResults(runDir);
    const distinct = new Set(loaded.records.map((r) => r.clip)).size;
    const parsedOk = loaded.records.filter((r) => r.predicted === 'happiness').length;
    if (summary.done !== nClips || distinct !== nClips || summary.failed > 0) {
      throw new Error(`bench run incomplete: done ${summary.done}, distinct ${distinct}, failed ${summary.failed} of ${nClips}`);
    }
    const rate = nClips / seconds;
    const ideal = concurrency / (latencyMs / 1000);
    // Memory: compare the 20 % point with the end (after warm-up), heap after GC when --expose-gc is on.
    const at = (frac: number): { rss: number; heap: number } => samples.find((s) => s.done >= frac * nClips) ?? samples[samples.length - 1];
    const early = at(0.2);
    const late = samples[samples.length - 1];
    const mb = (b: number): number => Math.round((b / 2 ** 20) * 10) / 10;
    const note = `${nClips} clips, concurrency ${concurrency}, server latency ${latencyMs} ms, map PNG ${Math.round(mapBytes / 1024)} KiB`;
    return [
      { bench: 'evalrun', metric: 'clips per second (end to end)', value: Math.round(rate * 10) / 10, unit: 'clips/s', note },
      { bench: 'evalrun', metric: 'ratio to ideal concurrency/latency', value: Math.round((rate / ideal) * 1000) / 1000, unit: 'x', note: `ideal ${ideal} clips/s` },
      { bench: 'evalrun', metric: 'answers parsed to the served emotion', value: parsedOk, unit: 'clips', note: `of ${nClips}` },
      { bench: 'evalrun', metric: 'RSS at 20 % of clips', value: mb(early.rss), unit: 'MiB' },
      { bench: 'evalrun', metric: 'RSS at 100 % of clips', value: mb(late.rss), unit: 'MiB' },
      { bench: 'evalrun', metric: 'heap used at 20 % of clips', value: mb(early.heap), unit: 'MiB', note: gc ? 'after gc()' : 'no --expose-gc: heap not collected first' },
      { bench: 'evalrun', metric: 'heap used at 100 % of clips', value: mb(late.heap), unit: 'MiB', note: gc ? 'after gc()' : 'no --expose-gc: heap not collected first' },
    ];
  } finally {
    child.kill('SIGTERM');
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (require.main === module) {
  runAlone('evalrun', () => evalrun({ clips: numericOption('clips'), concurrency: numericOption('concurrency'), latencyMs: numericOption('latency') }));
}
