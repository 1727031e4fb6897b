// Child side of fuzzHarness.ts: loads the target module named on the command line and runs it,
// reporting heartbeats, counts and peak memory over IPC.
import type { FuzzCounts } from './fuzzHarness';

export interface FuzzContext {
  seed: number;
  scale: number;
  /** A temp folder for files the cases write (removed by the parent). */
  tmp: string;
  /** Call before every case, with a short name for it (what the watchdog reports on a hang). */
  beat(what: string): void;
  /** Marks the end of set-up: the resident memory now is the baseline for memory bounds. */
  baseline(): number;
  /** Counts one case of a kind and outcome (the tally the parent prints and checks). */
  count(kind: string): void;
}

export interface FuzzTarget {
  /** Runs the cases; resolves to the lines worth printing beside the counts. */
  run(ctx: FuzzContext): Promise<string[]>;
}

const mib = (bytes: number) => Math.round(bytes / 2 ** 20);

async function main(): Promise<void> {
  const file = process.argv[2];
  let baselineRss = 0;
  const cases: FuzzCounts['cases'] = {};
  const ctx: FuzzContext = {
    seed: Number(process.env.MELLM_FUZZ_SEED),
    scale: Number(process.env.MELLM_FUZZ_SCALE),
    tmp: process.env.MELLM_FUZZ_TMP ?? '',
    beat: (what) => void process.send?.({ t: 'beat', what }),
    baseline: () => (baselineRss = process.memoryUsage().rss),
    count: (kind) => void (cases[kind] = (cases[kind] ?? 0) + 1),
  };
  try {
    const mod = (await import(file)) as FuzzTarget;
    const notes = await mod.run(ctx);
    const total = Object.values(cases).reduce((a, b) => a + b, 0);
    const run = { cases, notes, total, maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024), baselineRssMiB: mib(baselineRss) };
    process.send?.({ t: 'done', run }, () => process.exit(0));
  } catch (e) {
    const message = (e instanceof Error ? e.message || String(e) : String(e)).replace(/(.)\1{40,}/g, (m, c) => `${c}[x${m.length}]`);
    process.send?.({ t: 'fail', message: message.slice(0, 6000) }, () => process.exit(1));
  }
}

void main();
