// Shared by the bench modules (files starting with '_' are not benches themselves; see scripts/bench.mjs).
import { performance } from 'node:perf_hooks';

/** One measured figure, as scripts/bench.mjs collects and prints them. */
export interface BenchRow {
  bench: string;
  metric: string;
  value: number;
  unit: string;
  note?: string;
}

export const round = (v: number, d: number): number => Math.round(v * 10 ** d) / 10 ** d;

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Runs `fn`: its wall time, and how long this thread was busy meanwhile (event-loop utilisation x wall time). */
export async function timeWithBusy(fn: () => Promise<unknown>): Promise<{ ms: number; busyMs: number }> {
  const elu0 = performance.eventLoopUtilization();
  const t = performance.now();
  await fn();
  const ms = performance.now() - t;
  return { ms, busyMs: performance.eventLoopUtilization(elu0).utilization * ms };
}

/** A numeric `--name VALUE` option of a bench run alone. */
export function numericOption(name: string, argv: readonly string[] = process.argv.slice(2)): number | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : undefined;
}

/** `node --import tsx scripts/bench/NAME.ts`: run the bench and print its rows, or the error. */
export function runAlone(name: string, run: () => Promise<BenchRow[]>): void {
  run().then(
    (rows) => {
      for (const r of rows) process.stdout.write(`${r.bench}  ${r.metric}: ${r.value} ${r.unit}${r.note ? `  (${r.note})` : ''}\n`);
    },
    (e: unknown) => {
      process.stderr.write(`${name}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
