// Content-addressed MMC-Map cache: key = hash(algorithm version, onset bytes, apex bytes, flow params,
// render options). Files live under OUT/maps/<2 hex>/<key>.png + <key>.json; a map counts as cached only when
// its .json (written after the .png) exists, so a kill between the two writes just redoes the clip.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { writeFileAtomic } from '../atomicWrite';

/** Bump when the MMC pipeline changes its output for the same inputs: every cached map is then redone. */
export const DATASET_MMC_VERSION = 'mmc-map/2'; // 2: preprocess.py's arithmetic (int() nose, float32 mean, radians)

export function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** JSON with sorted keys, so the same parameters always hash the same. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

export function mapKey(parts: { version: string; onsetSha: string; apexSha: string; params: unknown; render: unknown }): string {
  return sha256(canonicalJson(parts));
}

export async function fileSha(file: string): Promise<string> {
  return sha256(await fs.readFile(file));
}

export interface CachePaths {
  png: string;
  meta: string;
  /** Relative to the cache root, with forward slashes (manifest form). */
  relPng: string;
  relMeta: string;
}

export function cachePaths(out: string, key: string): CachePaths {
  const relPng = `maps/${key.slice(0, 2)}/${key}.png`;
  const relMeta = `maps/${key.slice(0, 2)}/${key}.json`;
  return { png: path.join(out, relPng), meta: path.join(out, relMeta), relPng, relMeta };
}

/** The cached entry's metadata, or null when the map is not (completely) cached. */
export async function readCached<T>(p: CachePaths): Promise<T | null> {
  try {
    const meta = JSON.parse(await fs.readFile(p.meta, 'utf8')) as T;
    await fs.access(p.png);
    return meta;
  } catch {
    return null;
  }
}

export async function writeCached(p: CachePaths, png: Uint8Array, meta: unknown): Promise<void> {
  await fs.mkdir(path.dirname(p.png), { recursive: true });
  await writeFileAtomic(p.png, png);
  await writeFileAtomic(p.meta, JSON.stringify(meta));
}

const TEMP = /^\..*\.(\d+)\.[0-9a-f]+\.tmp$/;

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Remove temp files a killed run left behind (writeFileAtomic names them .NAME.PID.RAND.tmp). Files of a
 * writer that is still running are left alone.
 */
export async function removeStaleTemps(out: string): Promise<number> {
  let removed = 0;
  const sweep = async (dir: string, depth: number): Promise<void> => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      const m = TEMP.exec(e.name);
      if (e.isFile() && m && !alive(Number(m[1]))) {
        await fs.rm(p, { force: true });
        removed++;
      } else if (e.isDirectory() && depth < 2) await sweep(p, depth + 1);
    }
  };
  await sweep(out, 0);
  return removed;
}
