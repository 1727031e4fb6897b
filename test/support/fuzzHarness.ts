// Runs one fuzz target (a module under test/fuzz/targets) in a child Node process under a watchdog, so that
// a case that hangs, even inside synchronous or native code, is caught and named instead of freezing the
// suite. The child sends a heartbeat before every case; the watchdog kills it when one case runs past
// `perCaseMs` (the cases also carry fast-check's own async timeout, which names the input). The child's
// peak resident memory comes back with the case counts.
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** What a target reports: cases run per kind and outcome, plus lines worth printing. */
export interface FuzzCounts {
  cases: Record<string, number>;
  notes: string[];
}

export interface FuzzRun extends FuzzCounts {
  total: number;
  /** Peak resident set of the child over the whole run, and after its seeds were made (MiB). */
  maxRssMiB: number;
  baselineRssMiB: number;
  wallMs: number;
}

/** Seed and size: fixed by default (the suite is deterministic); MELLM_FUZZ_SEED / MELLM_FUZZ_SCALE to explore. */
export function fuzzSeed(): number {
  const s = Number(process.env.MELLM_FUZZ_SEED ?? '');
  return Number.isInteger(s) && s !== 0 ? s : 16_2026;
}

export function fuzzScale(): number {
  const s = Number(process.env.MELLM_FUZZ_SCALE ?? '');
  return Number.isFinite(s) && s > 0 ? s : 1;
}

export function runFuzzTarget(target: string, opts: { perCaseMs: number; totalMs: number }): Promise<FuzzRun> {
  const file = path.join(__dirname, '..', 'fuzz', 'targets', `${target}.ts`);
  const child = path.join(__dirname, 'fuzzChild.ts');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `mellm-fuzz-${target}-`));
  const t0 = Date.now();
  return new Promise<FuzzRun>((resolve, reject) => {
    const proc = fork(child, [file], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, MELLM_FUZZ_TMP: tmp, MELLM_FUZZ_SEED: String(fuzzSeed()), MELLM_FUZZ_SCALE: String(fuzzScale()) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let last = Date.now();
    let current = 'starting';
    let settled = false;
    const finish = (err: Error | null, run?: FuzzRun) => {
      if (settled) return;
      settled = true;
      clearInterval(watch);
      if (proc.exitCode === null) proc.kill('SIGKILL');
      fs.rmSync(tmp, { recursive: true, force: true });
      if (err) reject(err);
      else resolve(run!);
    };
    const watch = setInterval(() => {
      const now = Date.now();
      if (now - last > opts.perCaseMs) finish(new Error(`fuzz ${target}: case ${current} ran over ${opts.perCaseMs} ms (a hang): killed`));
      else if (now - t0 > opts.totalMs) finish(new Error(`fuzz ${target}: the run took over ${opts.totalMs} ms (at case ${current})`));
    }, 100);
    proc.on('message', (m: { t: string; what?: string; run?: Omit<FuzzRun, 'wallMs'>; message?: string }) => {
      last = Date.now();
      if (m.t === 'beat') current = m.what ?? '?';
      else if (m.t === 'done') finish(null, { ...m.run!, wallMs: Date.now() - t0 });
      else if (m.t === 'fail') finish(new Error(`fuzz ${target}: ${m.message}`));
    });
    proc.on('exit', (code, signal) => finish(new Error(`fuzz ${target}: the child exited (${signal ?? code}) at case ${current} without a result`)));
  });
}

/** One diagnostic line for the test output: '<name>: N cases (kind a, kind b, ...), seed S, peak RSS M MiB'. */
export function describeRun(name: string, r: FuzzRun): string {
  const parts = Object.entries(r.cases).map(([k, v]) => `${k} ${v}`);
  return `fuzz ${name}: ${r.total} cases (${parts.join(', ')}), seed ${fuzzSeed()}, ${(r.wallMs / 1000).toFixed(1)} s, peak RSS ${r.maxRssMiB} MiB (after seeding ${r.baselineRssMiB} MiB)`;
}
