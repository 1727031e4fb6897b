// A benchmark run directory: config.json (the exact configuration, written once, atomically) and
// results.jsonl (one JSON line per finished clip, appended and fsynced). A crash can at worst leave a
// torn LAST line (the process died inside write()); opening the file for appending cuts it off.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../atomicWrite';
import type { SamplingRecord } from '../reasoning/sampling';

export const RUN_FORMAT = 'mellm-bench/1';
export const CONFIG_FILE = 'config.json';
export const RESULTS_FILE = 'results.jsonl';

export type BenchProtocol = 'casme2' | 'casme3a' | 'dfme-a' | 'dfme-b' | 'custom';
export const BENCH_PROTOCOLS: readonly BenchProtocol[] = ['casme2', 'casme3a', 'dfme-a', 'dfme-b', 'custom'];
/** What the model is given: the MMC-Map, the onset + apex frames, or the region statistics as text. */
export type BenchInput = 'mmc' | 'frames' | 'regions';

/** Who answers: a served model (MELLM or any OpenAI-compatible VLM), a text LLM over region text, or the built-in reasoner. */
export type SourceConfig =
  | { kind: 'server'; model: string; endpoints: string[] }
  | { kind: 'region-text'; model: string; endpoints: string[] }
  | { kind: 'builtin' };

/** Everything that decides what a run's numbers mean. Resuming requires an identical config. */
export interface RunConfig {
  format: typeof RUN_FORMAT;
  extensionVersion: string;
  /** Absolute path of the dataset root. */
  dataset: string;
  protocol: BenchProtocol;
  /** The evaluated classes, in order (the prompt offers exactly these). */
  classes: string[];
  task: 'meu' | 'mer';
  /**
   * 'mmc': the MMC-Map with the FGMU prompt; 'frames': onset + apex frames with the plain prompt (baseline);
   * 'regions': no image, the clip's region statistics as text in the region-text template.
   */
  input: BenchInput;
  lang: 'zh' | 'en';
  /** SHA-256 (hex) of the exact prompt text sent with every clip (for 'regions': of the template, slot unfilled). */
  promptSha256: string;
  /**
   * The prompt's name: for 'mmc' input a preset of src/core/reasoning/prompts.ts ('authors', 'paper',
   * 'paper-casme2', ...); 'frames-baseline' and 'region-text' for the other inputs. Absent in runs made before presets.
   */
  promptPreset?: string;
  /** UTF-8 length of that prompt. */
  promptBytes?: number;
  /** Generation settings sent to a served model (preset 'authors' or 'deterministic'); absent for the built-in reasoner. */
  sampling?: SamplingRecord;
  source: SourceConfig;
  /** Clips the protocol selected when the run was created (informational; not part of the identity). */
  clips: number;
  /** ISO time the run was created (not part of the identity). */
  createdAt: string;
}

/** One line of results.jsonl. The last line for a clip wins (a failed clip is retried on resume). */
export interface ResultRecord {
  clip: string;
  subject?: string;
  /** Canonical ground-truth emotion. */
  truth: string;
  truthAus?: string[];
  /** 'ok': an answer came (maybe unparsed); 'failed': no usable answer after all retries. */
  status: 'ok' | 'failed';
  /** Canonical emotion parsed from the conclusion; null when unparsed, none, undetermined or failed. */
  predicted: string | null;
  /** With predicted null: the answer concluded "no micro-expression found" or left the class open. */
  outcome?: 'none' | 'undetermined';
  /** AU codes parsed from the conclusion. */
  aus?: string[];
  /** Why the parse found no emotion (parser's words), when predicted is null and status is 'ok'. */
  unparsedReason?: string;
  /** The answer text (absent when failed before any text). */
  answer?: string;
  /** The clip's own prompt when it differs per clip (input 'regions': the region text sent). */
  prompt?: string;
  /** The run's prompt preset and the SHA-256 of the prompt this clip was sent (present on every line since presets). */
  promptPreset?: string;
  promptSha256?: string;
  /** The generation preset ('authors', 'deterministic', 'custom'). */
  sampling?: string;
  /** 'grey-onset': no face on the onset, so the image was the plain grey onset (preprocess.py's result). */
  mapOutput?: 'grey-onset';
  /** True when the stream ended before the model finished (cut answer, parsed as far as it goes). */
  incomplete?: boolean;
  stop?: string;
  /** Why the clip failed; `status` is the server's HTTP status when it answered with one. */
  error?: { code: string; message: string; status?: number };
  attempts: number;
  endpoint?: string;
  ms: number;
  firstTokenMs?: number;
  /** ISO time the line was written. */
  at: string;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Fields compared on resume, in a stable form. */
function identity(c: RunConfig): Record<string, unknown> {
  const source =
    c.source.kind === 'builtin' ? c.source : { kind: c.source.kind, model: c.source.model, endpoints: [...c.source.endpoints].sort() };
  return {
    format: c.format,
    extensionVersion: c.extensionVersion,
    dataset: c.dataset,
    protocol: c.protocol,
    classes: c.classes,
    task: c.task,
    input: c.input,
    lang: c.lang,
    promptSha256: c.promptSha256,
    promptPreset: c.promptPreset ?? null,
    sampling: c.sampling ?? null,
    source,
  };
}

/** Human-readable differences between a stored and a requested config ([] when they match). */
export function configDifferences(stored: RunConfig, wanted: RunConfig): string[] {
  const a = identity(stored);
  const b = identity(wanted);
  const out: string[] = [];
  for (const k of Object.keys(b)) {
    const x = JSON.stringify(a[k]);
    const y = JSON.stringify(b[k]);
    if (x !== y) out.push(`${k}: run has ${x ?? 'nothing'}, this command asks for ${y}`);
  }
  return out;
}

export function readConfig(runDir: string): RunConfig | null {
  const file = path.join(runDir, CONFIG_FILE);
  if (!fs.existsSync(file)) return null;
  let c: unknown;
  try {
    c = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file} is not valid JSON (${(e as Error).message}); delete it or use another --out directory.`);
  }
  if (typeof c !== 'object' || c === null || (c as RunConfig).format !== RUN_FORMAT) {
    throw new Error(`${file} is not a mellm benchmark config (expected format "${RUN_FORMAT}").`);
  }
  return c as RunConfig;
}

export async function writeConfig(runDir: string, config: RunConfig): Promise<void> {
  fs.mkdirSync(runDir, { recursive: true });
  await writeFileAtomic(path.join(runDir, CONFIG_FILE), JSON.stringify(config, null, 2) + '\n');
}

export interface LoadedResults {
  /** Parsed records in file order. */
  records: ResultRecord[];
  /** Bytes of a torn last line (0 when the file ends cleanly). */
  tornBytes: number;
  /** 1-based numbers of complete lines that were not valid records (should never happen; reported). */
  badLines: number[];
}

function isRecord(x: unknown): x is ResultRecord {
  const r = x as ResultRecord;
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.clip === 'string' &&
    typeof r.truth === 'string' &&
    (r.status === 'ok' || r.status === 'failed') &&
    (r.predicted === null || typeof r.predicted === 'string') &&
    (r.outcome === undefined || r.outcome === 'none' || r.outcome === 'undetermined')
  );
}

/** Reads results.jsonl, ignoring (and measuring) a torn last line. Missing file: no records. */
export function loadResults(runDir: string): LoadedResults {
  const file = path.join(runDir, RESULTS_FILE);
  if (!fs.existsSync(file)) return { records: [], tornBytes: 0, badLines: [] };
  const buf = fs.readFileSync(file);
  const end = buf.lastIndexOf(0x0a) + 1; // bytes after the last newline are a torn line
  const records: ResultRecord[] = [];
  const badLines: number[] = [];
  const lines = buf.subarray(0, end).toString('utf8').split('\n');
  lines.pop(); // the empty string after the final newline
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      const r: unknown = JSON.parse(line);
      if (isRecord(r)) records.push(r);
      else badLines.push(i + 1);
    } catch {
      badLines.push(i + 1);
    }
  });
  return { records, tornBytes: buf.length - end, badLines };
}

/** The last record per clip, in first-seen order. */
export function latestByClip(records: readonly ResultRecord[]): Map<string, ResultRecord> {
  const m = new Map<string, ResultRecord>();
  for (const r of records) m.set(r.clip, r);
  return m;
}

/**
 * Appends records to results.jsonl. Lines that finish while a write is in flight are grouped into the next
 * write + fsync (group commit), so many concurrent clips cost one fsync, not one each. `append` resolves once
 * the line is on disk. Opening cuts off a torn last line left by a crash.
 */
export class ResultsWriter {
  private readonly fd: number;
  private pending: Array<{ line: string; resolve: () => void; reject: (e: Error) => void }> = [];
  private flushing = false;
  private closed = false;
  /** File size after the last complete write (a failed write is cut back to it). */
  private size: number;
  readonly truncatedBytes: number;

  constructor(runDir: string) {
    const file = path.join(runDir, RESULTS_FILE);
    fs.mkdirSync(runDir, { recursive: true });
    this.fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_APPEND, 0o644);
    const size = fs.fstatSync(this.fd).size;
    let cut = size;
    if (size > 0) {
      // Find the last newline by reading the tail backwards in blocks.
      const block = Buffer.alloc(64 * 1024);
      let pos = size;
      cut = 0;
      while (pos > 0) {
        const len = Math.min(block.length, pos);
        pos -= len;
        fs.readSync(this.fd, block, 0, len, pos);
        const nl = block.subarray(0, len).lastIndexOf(0x0a);
        if (nl >= 0) {
          cut = pos + nl + 1;
          break;
        }
      }
    }
    this.truncatedBytes = size - cut;
    if (cut < size) {
      fs.ftruncateSync(this.fd, cut);
      fs.fsyncSync(this.fd);
    }
    this.size = cut;
  }

  append(record: ResultRecord): Promise<void> {
    if (this.closed) return Promise.reject(new Error('results writer is closed'));
    const line = JSON.stringify(record) + '\n';
    return new Promise((resolve, reject) => {
      this.pending.push({ line, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      try {
        const buf = Buffer.from(batch.map((p) => p.line).join(''), 'utf8');
        try {
          let off = 0;
          while (off < buf.length) off += fs.writeSync(this.fd, buf, off, buf.length - off);
        } catch (e) {
          // e.g. disk full: never leave a partial line for later lines to follow.
          fs.ftruncateSync(this.fd, this.size);
          throw e;
        }
        this.size += buf.length;
        await new Promise<void>((res, rej) => fs.fsync(this.fd, (e) => (e ? rej(e) : res())));
        for (const p of batch) p.resolve();
      } catch (e) {
        for (const p of batch) p.reject(e as Error);
      }
    }
    this.flushing = false;
  }

  /** Waits for queued lines, then closes the file. */
  async close(): Promise<void> {
    while (this.flushing || this.pending.length > 0) await new Promise((r) => setImmediate(r));
    if (!this.closed) {
      this.closed = true;
      fs.closeSync(this.fd);
    }
  }
}
