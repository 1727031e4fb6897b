// Scores a run directory: the last line per clip of results.jsonl -> metrics over the config's classes,
// plus the paper's Table II rows for the same protocol.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { computeMetrics, type EmotionMetrics, type Outcome } from './metrics';
import { paperTableFor, type PaperTable } from './paper';
import { CONFIG_FILE, latestByClip, loadResults, readConfig, type RunConfig } from './runDir';

export interface RunEvaluation {
  /** Absolute run directory. */
  dir: string;
  /** Short label (the directory name). */
  name: string;
  config: RunConfig;
  metrics: EmotionMetrics;
  /** Distinct clips with a line. */
  clips: number;
  /** Clips the protocol selected when the run was created. */
  expectedClips: number;
  /** Answers that were cut (stream ended early) and scored as far as they went. */
  incomplete: number;
  /** Bytes of a torn last line ignored (a crash mid-write; resuming cuts it off). */
  tornBytes: number;
  /** Lines that are not valid records (reported, ignored). */
  badLines: number[];
  /** Median and 95th-percentile clip time in ms over answered clips. */
  latencyMs: { p50: number; p95: number } | null;
  /** The paper's Table II for this protocol (absent for custom protocols). */
  paper?: PaperTable;
  /** The last outcome per clip (what the metrics count), for comparing runs clip by clip. */
  outcomes: Outcome[];
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

/** Loads and scores one run directory. Throws an Error naming the file when it is not a run. */
export function evaluateRun(runDir: string): RunEvaluation {
  const dir = path.resolve(runDir);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new Error(`${dir} is not a directory; pass the --out directory of a 'mellm bench' run.`);
  }
  const config = readConfig(dir);
  if (!config) throw new Error(`${path.join(dir, CONFIG_FILE)} not found; pass the --out directory of a 'mellm bench' run.`);
  const loaded = loadResults(dir);
  const latest = latestByClip(loaded.records);
  const outcomes: Outcome[] = [];
  const times: number[] = [];
  let incomplete = 0;
  for (const r of latest.values()) {
    if (r.incomplete) incomplete += 1;
    if (r.status === 'ok') times.push(r.ms);
    outcomes.push({
      id: r.clip,
      truth: r.truth,
      predicted: r.status === 'failed' ? { kind: 'failed' } : r.predicted !== null ? r.predicted : { kind: r.outcome ?? 'unparsed' },
      ...(r.truthAus !== undefined ? { truthAus: r.truthAus } : {}),
      ...(r.aus !== undefined ? { predictedAus: r.aus } : {}),
    });
  }
  times.sort((a, b) => a - b);
  const paper = paperTableFor(config.protocol);
  return {
    dir,
    name: path.basename(dir),
    config,
    metrics: computeMetrics(outcomes, config.classes),
    clips: latest.size,
    expectedClips: config.clips,
    incomplete,
    tornBytes: loaded.tornBytes,
    badLines: loaded.badLines,
    latencyMs: times.length > 0 ? { p50: percentile(times, 50), p95: percentile(times, 95) } : null,
    ...(paper ? { paper } : {}),
    outcomes,
  };
}

/** A compact JSON form for `mellm eval --json` (everything but the per-record data). */
export function evaluationJson(e: RunEvaluation): Record<string, unknown> {
  return {
    run: e.dir,
    protocol: e.config.protocol,
    task: e.config.task,
    input: e.config.input,
    source: e.config.source,
    promptSha256: e.config.promptSha256,
    extensionVersion: e.config.extensionVersion,
    clips: e.clips,
    expectedClips: e.expectedClips,
    incomplete: e.incomplete,
    tornBytes: e.tornBytes,
    badLines: e.badLines,
    latencyMs: e.latencyMs,
    metrics: e.metrics,
    paperTableII: e.paper ?? null,
  };
}
