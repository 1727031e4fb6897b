// The whole benchmark job as one call, shared by `mellm bench` and the VS Code task: select the
// protocol's clips, build the prompt and config, run (or resume) over the dataset's inputs, then score
// the run and write RUN_DIR/report.md + report.html.
import * as path from 'node:path';
import { removeStaleTemps } from '../atomicWrite';
import type { Emotion } from '../emotions';
import type { PromptPreset } from '../reasoning/prompts';
import type { SamplingRecord } from '../reasoning/sampling';
import type { ReasoningSource } from '../reasoning/source';
import { parseAnswer } from '../reasoning/parse';
import { fillRegionTextTemplate, regionBlock } from '../reasoning/regionText';
import { evaluateRun, type RunEvaluation } from './evaluate';
import { benchPrompt, protocolClasses } from './protocol';
import { writeReport } from './report';
import { RUN_FORMAT, sha256Hex, type BenchInput, type BenchProtocol, type RunConfig, type SourceConfig } from './runDir';
import { BenchError, assertResumable, runBench, type BenchClip, type BenchProgress, type BenchSummary, type ClipInput, type ParsedAnswer } from './runner';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pkg = require('../../../package.json') as { version: string };

/** What the job needs from a dataset: its labelled clips and a way to load one clip's model input. */
export interface BenchDataset<C extends BenchClip = BenchClip> {
  /** Dataset root (recorded in config.json). */
  root: string;
  /** Labelled clips of the protocol's split (e.g. DFME TestA for dfme-a), any emotion. */
  clips: readonly C[];
  /** The MMC-Map (cached) or the onset|apex composite, as PNG; `motion` for the built-in reasoner; `regionStats` for 'regions'. */
  loadInput(clip: C, input: BenchInput, signal: AbortSignal): Promise<ClipInput>;
  /** Called once with the clips of the run before any request (e.g. to compute or find cached maps). */
  prepare?(clips: readonly C[], input: BenchInput, signal: AbortSignal): Promise<void>;
}

export interface BenchJobOptions<C extends BenchClip> {
  dataset: BenchDataset<C>;
  protocol: BenchProtocol;
  /** For --protocol custom: the classes to evaluate (default: those in the labels). */
  classes?: readonly string[];
  /** RUN_DIR. */
  out: string;
  task?: 'meu' | 'mer';
  input?: BenchInput;
  lang?: 'zh' | 'en';
  /** The prompt preset for 'mmc' input (default 'authors'). */
  promptPreset?: PromptPreset;
  /** The generation settings the source was made with (recorded; the source applies them). */
  sampling?: SamplingRecord;
  source: ReasoningSource;
  sourceConfig: SourceConfig;
  concurrency?: number;
  retries?: number;
  backoffMs?: number;
  force?: boolean;
  signal?: AbortSignal;
  onProgress?(p: BenchProgress): void;
  /** One-line notices (skipped clips, recovered torn line, per-clip failures). */
  onLog?(line: string): void;
  /** Write report.md / report.html into RUN_DIR when the run completes (default true). */
  report?: boolean;
}

export interface BenchJobResult {
  summary: BenchSummary;
  config: RunConfig;
  evaluation: RunEvaluation;
  report?: { markdown: string; html: string };
}

/** The answer parser's result in the runner's terms (AUs as FACS codes, e.g. 'R12C'). */
export function parseForBench(text: string): ParsedAnswer {
  const p = parseAnswer(text);
  return {
    emotion: p.emotion,
    aus: p.aus.map((a) => a.code),
    ...(p.status === 'none' || p.status === 'undetermined' ? { outcome: p.status } : {}),
    ...(p.reason !== undefined ? { reason: p.reason } : {}),
  };
}

export function extensionVersion(): string {
  return pkg.version;
}

export async function runBenchJob<C extends BenchClip>(opts: BenchJobOptions<C>): Promise<BenchJobResult> {
  const task = opts.task ?? 'meu';
  const input = opts.input ?? 'mmc';
  const lang = opts.lang ?? 'zh';
  let classes: Emotion[];
  try {
    classes = protocolClasses(opts.protocol, { explicit: opts.classes, present: opts.dataset.clips.map((c) => c.emotion) });
  } catch (e) {
    throw new BenchError((e as Error).message);
  }
  const inProtocol = new Set<string>(classes);
  const clips = opts.dataset.clips.filter((c) => inProtocol.has(c.emotion));
  const skipped = opts.dataset.clips.length - clips.length;
  if (skipped > 0) opts.onLog?.(`${skipped} clip(s) with emotions outside the ${opts.protocol} classes (${classes.join(', ')}) are not part of this benchmark.`);
  if (clips.length === 0) {
    throw new BenchError(`${opts.dataset.root}: no clip is labelled with one of the ${opts.protocol} classes (${classes.join(', ')}); check the dataset's annotation file and --protocol.`);
  }
  const { text: prompt, preset: promptPreset } = benchPrompt({ input, task, lang, classes, preset: opts.promptPreset });
  const config: RunConfig = {
    format: RUN_FORMAT,
    extensionVersion: extensionVersion(),
    dataset: path.resolve(opts.dataset.root),
    protocol: opts.protocol,
    classes,
    task,
    input,
    lang,
    promptSha256: sha256Hex(prompt),
    promptPreset,
    promptBytes: Buffer.byteLength(prompt, 'utf8'),
    ...(opts.sampling && opts.sourceConfig.kind !== 'builtin' ? { sampling: opts.sampling } : {}),
    source: opts.sourceConfig,
    clips: clips.length,
    createdAt: new Date().toISOString(),
  };
  // Refuse a mismatched run directory before spending time on maps.
  assertResumable(opts.out, config, opts.force);
  await removeStaleTemps(opts.out, 0);
  if (opts.dataset.prepare) await opts.dataset.prepare(clips, input, opts.signal ?? new AbortController().signal);
  const summary = await runBench({
    runDir: opts.out,
    config,
    clips,
    loadInput: async (c, signal) => {
      const got = await opts.dataset.loadInput(c, input, signal);
      if (input !== 'regions') return got;
      // No face means no regions: that clip fails (recorded), the run goes on.
      if (!got.regionStats) throw new Error(`${c.id}: no face was found on the onset frame, so there are no region statistics to send`);
      return { ...got, prompt: fillRegionTextTemplate(prompt, regionBlock(got.regionStats, lang)) };
    },
    source: opts.source,
    prompt,
    parse: parseForBench,
    concurrency: opts.concurrency,
    retries: opts.retries,
    backoffMs: opts.backoffMs,
    force: opts.force,
    signal: opts.signal,
    onProgress: opts.onProgress,
    onClipFailed: (c, e) => opts.onLog?.(`clip ${c.id}: ${e.message}`),
    onRecovered: (r) => opts.onLog?.(`results.jsonl ended with a torn line (${r.truncatedBytes} bytes from an interrupted run); it was cut off and that clip will be asked again.`),
  });
  const evaluation = evaluateRun(opts.out);
  const report = !summary.aborted && opts.report !== false ? await writeReport(opts.out, [evaluation]) : undefined;
  return { summary, config, evaluation, ...(report ? { report } : {}) };
}

/** One progress line: '120/247 clips (12 resumed), 3 failed, 1 unparsed, 4.1 clips/s, ETA 0:31'. */
export function formatProgress(p: BenchProgress): string {
  const finished = p.resumed + p.done;
  const eta = p.etaS === null ? '—' : formatDuration(p.etaS);
  return `${finished}/${p.total} clips${p.resumed > 0 ? ` (${p.resumed} resumed)` : ''}, ${p.failed} failed, ${p.unparsed} unparsed, ${p.rate.toFixed(1)} clips/s, ETA ${eta}`;
}

export function formatDuration(s: number): string {
  const t = Math.max(0, Math.round(s));
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const sec = t % 60;
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}` : `${m}:${String(sec).padStart(2, '0')}`;
}

/** Reads back a formatProgress line (the VS Code task turns the CLI's progress into its notification). */
export function parseProgressLine(line: string): { finished: number; total: number; rate: number; eta: string } | null {
  const m = /(\d+)\/(\d+) clips\b.*?([\d.]+) clips\/s, ETA (\S+)/.exec(line);
  return m ? { finished: Number(m[1]), total: Number(m[2]), rate: Number(m[3]), eta: m[4] } : null;
}
