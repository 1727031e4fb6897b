// Content-addressed MMC-Map cache: key = hash(algorithm version, onset bytes, apex bytes, flow params,
// render options). Files live under OUT/maps/<2 hex>/<key>.png + <key>.json; a map counts as cached only when
// its .json (written after the .png) exists AND the .png still has the size and SHA-256 that .json records,
// so a kill between the two writes, a truncated or emptied copy, or an edited file just redoes the clip.
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

/** What the metadata records of the map file, so a damaged copy is never taken for a cached map. */
export interface FileDigest {
  bytes: number;
  sha256: string;
}

export function digestOf(data: Uint8Array): FileDigest {
  return { bytes: data.byteLength, sha256: sha256(data) };
}

/** Whether `file` holds exactly the bytes `want` describes (size first: a cheap stat rules most damage out). */
export async function matchesDigest(file: string, want: FileDigest | undefined): Promise<boolean> {
  if (!want || typeof want.bytes !== 'number' || typeof want.sha256 !== 'string') return false;
  try {
    const st = await fs.stat(file);
    if (!st.isFile() || st.size !== want.bytes || want.bytes === 0) return false;
    return sha256(await fs.readFile(file)) === want.sha256;
  } catch {
    return false;
  }
}

/** The cached entry's metadata, or null when the map is not (completely, intactly) cached. */
export async function readCached<T extends { png?: FileDigest }>(p: CachePaths): Promise<T | null> {
  let meta: T;
  try {
    meta = JSON.parse(await fs.readFile(p.meta, 'utf8')) as T;
  } catch {
    return null;
  }
  // Entries from before digests were recorded have none: they are recomputed once.
  return meta !== null && typeof meta === 'object' && (await matchesDigest(p.png, meta.png)) ? meta : null;
}

/** Writes the map, then its metadata with the map's digest (the metadata is what makes it count as cached). */
export async function writeCached<T extends object>(p: CachePaths, png: Uint8Array, meta: T): Promise<T & { png: FileDigest }> {
  await fs.mkdir(path.dirname(p.png), { recursive: true });
  const full = { ...meta, png: digestOf(png) };
  await writeFileAtomic(p.png, png);
  await writeFileAtomic(p.meta, JSON.stringify(full));
  return full;
}

export { removeStaleTemps } from '../atomicWrite';
