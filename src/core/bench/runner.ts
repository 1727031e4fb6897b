// The benchmark job: for every clip of the protocol, the model's input (cached MMC-Map, or onset + apex
// frames for a baseline) -> one streamed request -> the parsed answer -> one fsynced line in
// RUN_DIR/results.jsonl. Rerunning resumes: clips with an 'ok' line are never asked again; clips whose
// last line is 'failed' are retried. N clips are in flight at once; per-clip failures are recorded and
// the run goes on; failures that hit every clip alike (bad key, unknown model, no endpoint) stop it.
import { setMaxListeners } from 'node:events';
import {
  ReasoningError,
  collectAnswer,
  type ReasoningErrorCode,
  type ReasoningLang,
  type ReasoningSource,
  type ReasoningTask,
} from '../reasoning/source';
import {
  ResultsWriter,
  configDifferences,
  latestByClip,
  loadResults,
  readConfig,
  writeConfig,
  type ResultRecord,
  type RunConfig,
  sha256Hex,
} from './runDir';
import type { RegionStatsReport } from '../reasoning/regionStats';

/** What the runner needs of a clip (the dataset module's clips carry more). */
export interface BenchClip {
  id: string;
  subject?: string;
  /** Canonical ground-truth emotion. */
  emotion: string;
  /** Ground-truth AU codes when the dataset has them. */
  aus?: readonly string[];
}

/** The image(s) the model sees for one clip, as one PNG, plus measured motion for the built-in reasoner. */
export interface ClipInput {
  /** Empty for text-only input ('regions'). */
  png: Uint8Array;
  motion?: unknown;
  /** Region statistics for the region-text lane (the job turns them into `prompt`). */
  regionStats?: RegionStatsReport;
  /** This clip's own prompt, sent instead of the run's (recorded with its result). */
  prompt?: string;
  /** 'grey-onset': no face was found, the image is the plain grey onset (the authors' result); recorded. */
  mapOutput?: 'mmc' | 'grey-onset';
}

export interface ParsedAnswer {
  /** Canonical emotion from the conclusion, or null when none was found. */
  emotion: string | null;
  aus: string[];
  /** Why no emotion was found (recorded with unparsed answers). */
  reason?: string;
  /** With emotion null: "no micro-expression found" or a tie / open class (not a parse failure). */
  outcome?: 'none' | 'undetermined';
}

export interface BenchProgress {
  /** Clips of the protocol. */
  total: number;
  /** Clips already finished by an earlier session (not asked again). */
  resumed: number;
  /** Clips finished in this session (ok or failed). */
  done: number;
  failed: number;
  unparsed: number;
  inFlight: number;
  /** Clips per second in this session. */
  rate: number;
  /** Seconds to go at the current rate (null until a clip has finished). */
  etaS: number | null;
  elapsedMs: number;
}

export interface RunBenchOptions<C extends BenchClip> {
  runDir: string;
  config: RunConfig;
  clips: readonly C[];
  /** Loads the model input for a clip (e.g. the cached MMC-Map). A throw is recorded as that clip's failure. */
  loadInput(clip: C, signal: AbortSignal): Promise<ClipInput>;
  source: ReasoningSource;
  /** The prompt sent with every clip (its SHA-256 is config.promptSha256). */
  prompt: string;
  parse(answer: string): ParsedAnswer;
  /** Clips in flight at once (default 4). */
  concurrency?: number;
  /** Extra attempts after a retryable failure (default 2). */
  retries?: number;
  /** First backoff delay in ms, doubled per attempt, +-25 % jitter, capped at 30 s (default 1000). */
  backoffMs?: number;
  /** Resume even when the stored config differs (the stored config is replaced). */
  force?: boolean;
  signal?: AbortSignal;
  onProgress?(p: BenchProgress): void;
  /** Called once per clip that failed for good (to log it). */
  onClipFailed?(clip: C, error: { code: string; message: string }): void;
  /** Clips in a row that may fail with the server unreachable or answering 5xx before the run stops (default max(8, 2 x concurrency)). */
  maxUnreachableStreak?: number;
  /** Called when the file had a torn last line from a crash that was cut off. */
  onRecovered?(info: { truncatedBytes: number }): void;
}

export interface BenchSummary {
  total: number;
  resumed: number;
  done: number;
  failed: number;
  unparsed: number;
  elapsedMs: number;
  /** True when the signal stopped the run before every clip finished. */
  aborted: boolean;
  truncatedBytes: number;
}

/** Refusal to resume, or a failure that would hit every clip: one line for the user, nothing more to do. */
export class BenchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BenchError';
  }
}

/** Errors that would repeat for every clip: stop the run instead of recording thousands of failures. */
const FATAL: ReadonlySet<ReasoningErrorCode> = new Set(['no-endpoint', 'bad-endpoint', 'auth', 'model']);
/** Errors meaning the server could not be reached at all (a streak of them stops the run). */
const UNREACHABLE: ReadonlySet<string> = new Set(['connect-refused', 'connect-timeout', 'all-endpoints-down']);

/** The server is down or broken for every request: unreachable, or answering 5xx (a streak stops the run). */
function serverFailing(e: { code: string; status?: number }): boolean {
  return UNREACHABLE.has(e.code) || (e.code === 'http' && e.status !== undefined && e.status >= 500);
}
/** Errors worth another attempt. */
const RETRYABLE: ReadonlySet<ReasoningErrorCode> = new Set([
  'connect-refused',
  'connect-timeout',
  'first-token-timeout',
  'http',
  'protocol',
  'empty',
  'all-endpoints-down',
]);
/** Stream endings that cut an answer for transport reasons (a retry may get it whole). */
const RETRY_STOPS: ReadonlySet<string> = new Set(['dropped', 'idle-timeout', 'malformed']);

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

function backoff(base: number, attempt: number): number {
  const d = Math.min(30_000, base * 2 ** (attempt - 1));
  return Math.round(d * (0.75 + Math.random() * 0.5));
}

/** Throws BenchError when RUN_DIR holds a run with another configuration (and force is off). Writes nothing. */
export function assertResumable(runDir: string, config: RunConfig, force = false): void {
  const stored = readConfig(runDir);
  if (!stored || force) return;
  const diff = configDifferences(stored, config);
  if (diff.length > 0) {
    throw new BenchError(
      `${runDir} holds a run with a different configuration (${diff.join('; ')}). ` +
        'Use another --out directory, or --force to continue this run with the new configuration.',
    );
  }
}

/**
 * Prepares RUN_DIR: writes config.json for a new run, or checks the stored one matches (else BenchError,
 * unless force). Returns the clips already finished ('ok' lines).
 */
export async function openRun(runDir: string, config: RunConfig, force = false): Promise<{ finished: Set<string>; stored: RunConfig | null }> {
  assertResumable(runDir, config, force);
  const stored = readConfig(runDir);
  if (stored) {
    const diff = configDifferences(stored, config);
    if (diff.length > 0) await writeConfig(runDir, { ...config, createdAt: stored.createdAt });
  } else {
    await writeConfig(runDir, config);
  }
  const finished = new Set<string>();
  for (const [clip, r] of latestByClip(loadResults(runDir).records)) if (r.status === 'ok') finished.add(clip);
  return { finished, stored };
}

/** Runs (or resumes) a benchmark. Resolves when every clip has a line, or the signal stopped it. */
export async function runBench<C extends BenchClip>(opts: RunBenchOptions<C>): Promise<BenchSummary> {
  const ids = new Set<string>();
  for (const c of opts.clips) {
    if (ids.has(c.id)) throw new BenchError(`Two clips share the id "${c.id}"; clip ids must be unique within a dataset.`);
    ids.add(c.id);
  }
  const { finished } = await openRun(opts.runDir, opts.config, opts.force);
  const writer = new ResultsWriter(opts.runDir);
  if (writer.truncatedBytes > 0) opts.onRecovered?.({ truncatedBytes: writer.truncatedBytes });

  const todo = opts.clips.filter((c) => !finished.has(c.id));
  const resumed = opts.clips.length - todo.length;
  const concurrency = Math.max(1, Math.floor(opts.concurrency ?? 4));
  const retries = Math.max(0, Math.floor(opts.retries ?? 2));
  const base = opts.backoffMs ?? 1000;
  // Our own controller: the caller's signal or a fatal error stops every worker.
  const stop = new AbortController();
  // Every in-flight request (and backoff sleep) listens on this signal.
  setMaxListeners(Math.max(10, concurrency * 4), stop.signal);
  const onAbort = (): void => stop.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  if (opts.signal?.aborted) stop.abort();

  const t0 = Date.now();
  let next = 0;
  let done = 0;
  let failed = 0;
  let unparsed = 0;
  let inFlight = 0;
  let fatal: Error | null = null;
  const writes = new Set<Promise<void>>();
  let unreachableStreak = 0;
  const maxStreak = opts.maxUnreachableStreak ?? Math.max(8, 2 * concurrency);

  const progress = (): void => {
    if (!opts.onProgress) return;
    const elapsedMs = Date.now() - t0;
    const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
    const left = todo.length - done;
    opts.onProgress({
      total: opts.clips.length,
      resumed,
      done,
      failed,
      unparsed,
      inFlight,
      rate,
      etaS: done > 0 && rate > 0 ? left / rate : null,
      elapsedMs,
    });
  };

  // Every line says which prompt (preset and SHA-256 of the text actually sent) and generation settings it
  // was made with, so a line read on its own is still traceable.
  const runSha = sha256Hex(opts.prompt);
  const stamp = (input?: ClipInput): Pick<ResultRecord, 'promptPreset' | 'promptSha256' | 'sampling' | 'mapOutput'> => ({
    ...(opts.config.promptPreset !== undefined ? { promptPreset: opts.config.promptPreset } : {}),
    promptSha256: input?.prompt !== undefined ? sha256Hex(input.prompt) : runSha,
    ...(opts.config.sampling ? { sampling: opts.config.sampling.preset } : {}),
    ...(input?.mapOutput === 'grey-onset' ? { mapOutput: 'grey-onset' as const } : {}),
  });
  const base0 = (clip: C): Pick<ResultRecord, 'clip' | 'subject' | 'truth' | 'truthAus'> => ({
    clip: clip.id,
    ...(clip.subject !== undefined ? { subject: clip.subject } : {}),
    truth: clip.emotion,
    ...(clip.aus !== undefined ? { truthAus: [...clip.aus] } : {}),
  });

  /** One clip, with retries. Returns null when the run was stopped before the clip finished. */
  const runClip = async (clip: C): Promise<ResultRecord | null> => {
    const started = Date.now();
    let input: ClipInput;
    try {
      input = await opts.loadInput(clip, stop.signal);
    } catch (e) {
      if (stop.signal.aborted) return null;
      const message = e instanceof Error ? e.message : String(e);
      return { ...base0(clip), ...stamp(), status: 'failed', predicted: null, error: { code: 'input', message }, attempts: 0, ms: Date.now() - started, at: '' };
    }
    const extra = stamp(input);
    let lastError: { code: string; message: string; status?: number } = { code: 'unknown', message: 'no attempt made' };
    let cut: { text: string; stop: string; endpoint?: string; firstTokenMs?: number } | null = null;
    for (let attempt = 1; attempt <= retries + 1; attempt++) {
      if (stop.signal.aborted) return null;
      try {
        const res = await collectAnswer(
          opts.source.stream(
            { mapPng: input.png, prompt: input.prompt ?? opts.prompt, lang: opts.config.lang as ReasoningLang, task: opts.config.task as ReasoningTask, motion: input.motion },
            stop.signal,
          ),
        );
        if (res.done.stop === 'aborted' || stop.signal.aborted) return null;
        const endpoint = res.done.endpoint ?? res.start?.endpoint;
        if (res.done.incomplete && RETRY_STOPS.has(res.done.stop) && attempt <= retries) {
          cut = { text: res.text, stop: res.done.stop, endpoint, firstTokenMs: res.done.firstTokenMs };
          lastError = { code: res.done.stop, message: res.done.message ?? `answer cut (${res.done.stop})` };
          await abortableSleep(backoff(base, attempt), stop.signal);
          continue;
        }
        return { ...answered(clip, res.text, res.done.incomplete, res.done.stop, attempt, started, endpoint, res.done.firstTokenMs, undefined, input.prompt), ...extra };
      } catch (e) {
        if (stop.signal.aborted) return null;
        if (e instanceof ReasoningError) {
          if (e.code === 'aborted') return null;
          if (FATAL.has(e.code)) throw e;
          lastError = { code: e.code, message: e.message, ...(e.status !== undefined ? { status: e.status } : {}) };
          if (!RETRYABLE.has(e.code)) break;
        } else {
          lastError = { code: 'error', message: e instanceof Error ? e.message : String(e) };
        }
        if (attempt <= retries) await abortableSleep(backoff(base, attempt), stop.signal);
      }
    }
    if (stop.signal.aborted) return null;
    // Every attempt failed. A cut answer from an earlier attempt is still an answer: keep it, marked.
    if (cut) return { ...answered(clip, cut.text, true, cut.stop, retries + 1, started, cut.endpoint, cut.firstTokenMs, lastError, input.prompt), ...extra };
    return { ...base0(clip), ...extra, status: 'failed', predicted: null, error: lastError, attempts: retries + 1, ms: Date.now() - started, at: '' };
  };

  const answered = (
    clip: C,
    text: string,
    incomplete: boolean,
    stopReason: string,
    attempts: number,
    started: number,
    endpoint?: string,
    firstTokenMs?: number,
    error?: { code: string; message: string },
    prompt?: string,
  ): ResultRecord => {
    let parsed: ParsedAnswer;
    try {
      parsed = opts.parse(text);
    } catch (e) {
      parsed = { emotion: null, aus: [], reason: `parser error: ${e instanceof Error ? e.message : String(e)}` };
    }
    return {
      ...base0(clip),
      status: 'ok',
      predicted: parsed.emotion,
      aus: parsed.aus,
      ...(parsed.outcome ? { outcome: parsed.outcome } : parsed.emotion === null ? { unparsedReason: parsed.reason ?? 'no emotion in the conclusion' } : {}),
      answer: text,
      ...(prompt !== undefined ? { prompt } : {}),
      ...(incomplete ? { incomplete: true } : {}),
      stop: stopReason,
      ...(error ? { error } : {}),
      attempts,
      ...(endpoint !== undefined ? { endpoint } : {}),
      ms: Date.now() - started,
      ...(firstTokenMs !== undefined ? { firstTokenMs } : {}),
      at: '',
    };
  };

  const ticker = opts.onProgress ? setInterval(progress, 1000) : null;
  const worker = async (): Promise<void> => {
    while (!stop.signal.aborted) {
      const i = next++;
      if (i >= todo.length) return;
      const clip = todo[i];
      inFlight += 1;
      let rec: ResultRecord | null;
      try {
        rec = await runClip(clip);
      } catch (e) {
        inFlight -= 1;
        if (!fatal) fatal = e as Error;
        stop.abort();
        return;
      }
      inFlight -= 1;
      if (!rec) return;
      // A server that is down (or answers 5xx to everything) makes every clip fail slowly, one by one: stop
      // after a streak instead.
      if (rec.status === 'failed' && rec.error && serverFailing(rec.error)) unreachableStreak += 1;
      else if (rec.status === 'ok') unreachableStreak = 0;
      rec.at = new Date().toISOString();
      // The worker moves on while the line is fsynced (group commit); the clip counts once it is on disk.
      const record = rec;
      const write = writer.append(record).then(
        () => {
          done += 1;
          if (record.status === 'failed') {
            failed += 1;
            if (record.error) opts.onClipFailed?.(clip, record.error);
          } else if (record.predicted === null && !record.outcome) unparsed += 1;
        },
        (e: unknown) => {
          if (!fatal) fatal = new Error(`Cannot write ${opts.runDir}/results.jsonl: ${(e as Error).message}; free disk space or check permissions`);
          stop.abort();
        },
      );
      writes.add(write);
      void write.finally(() => writes.delete(write));
      if (unreachableStreak >= maxStreak && !fatal) {
        const why = rec.error?.code === 'http' ? 'failed on the server' : 'could not reach the server';
        fatal = new Error(`${unreachableStreak} clips in a row ${why} (${rec.error?.message ?? 'unreachable'}); check that it is running and its log, then rerun the same command to resume`);
        stop.abort();
        return;
      }
    }
  };

  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, todo.length)) }, worker));
    await Promise.all([...writes]);
  } finally {
    if (ticker) clearInterval(ticker);
    opts.signal?.removeEventListener('abort', onAbort);
    await writer.close();
  }
  progress();
  if (fatal) {
    const e = fatal as Error;
    throw new BenchError(`${e.message} (the run stopped; ${done} clip(s) were recorded in this session and are kept)`);
  }
  return {
    total: opts.clips.length,
    resumed,
    done,
    failed,
    unparsed,
    elapsedMs: Date.now() - t0,
    aborted: done < todo.length,
    truncatedBytes: writer.truncatedBytes,
  };
}
