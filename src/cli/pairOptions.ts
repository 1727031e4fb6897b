// Option parsing and output checks shared by `mellm flow` and `mellm mmc`.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import { MediaError } from '../core/mediaError';
import { removeStaleTempsOf } from '../core/atomicWrite';
import type { Device } from '../core/native';
import { UsageError, UserError } from './types';
import { parseCommandArgs } from './args';

type Options = NonNullable<ParseArgsConfig['options']>;

export const COMMON_OPTIONS = {
  out: { type: 'string' },
  json: { type: 'boolean' },
  device: { type: 'string' },
  threads: { type: 'string' },
} as const satisfies Options;

/** parseArgs with one-line UsageErrors; exactly ONSET and APEX positionals. */
export function parsePair<T extends Options>(argv: string[], options: T, usage: string) {
  const parsed = parseCommandArgs(argv, options);
  if (parsed.positionals.length !== 2) {
    throw new UsageError(`expected ONSET and APEX frames, got ${parsed.positionals.length} argument(s) (usage: mellm ${usage})`);
  }
  return { values: parsed.values, onset: parsed.positionals[0], apex: parsed.positionals[1] };
}

/** --out is required and must carry the given extension. */
export function requireOut(value: unknown, option: string, ext: string): string {
  if (typeof value !== 'string' || value === '') throw new UsageError(`${option} FILE${ext} is required`);
  if (path.extname(value).toLowerCase() !== ext) {
    throw new UsageError(`${option} ${value}: the file name must end in ${ext}`);
  }
  return value;
}

export function parseDevice(value: unknown): Device | undefined {
  if (value === undefined) return undefined;
  if (value === 'auto' || value === 'cpu' || value === 'cuda') return value;
  throw new UsageError(`--device must be auto, cpu or cuda, got '${String(value)}'`);
}

export function parseThreads(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(String(value)) || n > 1024) throw new UsageError(`--threads must be a whole number (0 = all cores), got '${String(value)}'`);
  return n;
}

/**
 * Fails early (before minutes of work) when an output cannot be written: its folder must exist and be
 * writable, and the path must not be a folder. The final write is still atomic (temp file + rename).
 */
export async function checkWritable(file: string, option: string): Promise<void> {
  const dir = path.dirname(path.resolve(file));
  try {
    const st = await fs.stat(dir);
    if (!st.isDirectory()) throw new UserError(`${option} ${file}: ${dir} is not a folder`);
    await fs.access(dir, fs.constants.W_OK);
  } catch (e) {
    if (e instanceof UserError) throw e;
    const code = (e as { code?: string }).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' || code === 'EPERM' ? 'is not writable' : (e as Error).message;
    throw new UserError(`${option} ${file}: the folder ${dir} ${why} (create it or choose another path)`);
  }
  const st = await fs.stat(file).catch(() => undefined);
  if (st?.isDirectory()) throw new UserError(`${option} ${file}: is a folder, give a file name`);
  // What an earlier run of this command left when it was killed mid-write.
  await removeStaleTempsOf(file);
}

/** Runs `fn`, turning user-caused failures from src/core into one-line UserErrors. */
export async function userErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof MediaError) throw new UserError(e.message);
    // The addon reports an unavailable device (e.g. --device cuda without a GPU) as a plain Error.
    // So is a missing build of the addon ("run npm ci"): both are fixable by the user.
    if (e instanceof Error && e.name === 'Error' && /\b(cuda|device)\b|native addon is not built/i.test(e.message)) {
      throw new UserError(e.message);
    }
    throw e;
  }
}

export const ms = (v: number): number => Math.round(v * 10) / 10;

/**
 * The command's stage timings: the pipeline's own stages (its `total` dropped), the output write from
 * `writeStart` to `end`, and the command's total from `start`; `rounded` is what --json prints.
 */
export function commandTimings<T extends { total: number }>(
  pipeline: T,
  start: number,
  writeStart: number,
  end: number,
): { timings: Omit<T, 'total'> & { write: number; total: number }; rounded: Record<string, number> } {
  const { total: _pipelineTotal, ...stages } = pipeline;
  const timings = { ...stages, write: end - writeStart, total: end - start };
  return { timings, rounded: Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, ms(v)])) };
}
