// Frame files in a clip folder: numbered by the digits at the end of the name, any zero padding.
import * as path from 'node:path';
import type { FrameRef } from './types';

export const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff', '.webp']);

export function isImageName(name: string): boolean {
  return IMAGE_EXTENSIONS.has(path.extname(name).toLowerCase());
}

/** Frames of one naming family ("img", "reg_img", "006_"), sorted by number. */
export interface FrameSet {
  dir: string;
  prefix: string;
  numbers: number[];
  /** Frame number -> file name (the first in name order when two spell the same number). */
  files: Map<number, string>;
}

const NUMBERED = /^(.*?)(\d+)\.[^.]+$/;

/** A frame set from (name, number) pairs already matched by the caller (e.g. a mapping file's pattern). */
export function buildFrameSet(dir: string, prefix: string, entries: readonly (readonly [string, number])[]): FrameSet {
  const set: FrameSet = { dir, prefix, numbers: [], files: new Map() };
  for (const [name, n] of [...entries].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    if (set.files.has(n)) continue;
    set.files.set(n, name);
    set.numbers.push(n);
  }
  set.numbers.sort((a, b) => a - b);
  return set;
}

/** Group image names by the text before their trailing number. Names without a number are ignored. */
export function frameSets(dir: string, names: readonly string[]): FrameSet[] {
  const byPrefix = new Map<string, FrameSet>();
  for (const name of [...names].sort()) {
    if (!isImageName(name)) continue;
    const m = NUMBERED.exec(name);
    if (!m) continue;
    const prefix = m[1];
    let set = byPrefix.get(prefix);
    if (!set) {
      set = { dir, prefix, numbers: [], files: new Map() };
      byPrefix.set(prefix, set);
    }
    const n = Number.parseInt(m[2], 10);
    if (!set.files.has(n)) {
      set.files.set(n, name);
      set.numbers.push(n);
    }
  }
  for (const s of byPrefix.values()) s.numbers.sort((a, b) => a - b);
  return [...byPrefix.values()];
}

/**
 * The family to use: the one whose prefix is in `prefer` (in that order, compared case-insensitively),
 * otherwise the largest.
 */
export function pickFrameSet(sets: readonly FrameSet[], prefer: readonly string[] = []): FrameSet | undefined {
  for (const p of prefer) {
    const s = sets.find((x) => x.prefix.toLowerCase() === p.toLowerCase());
    if (s) return s;
  }
  return [...sets].sort((a, b) => b.numbers.length - a.numbers.length || a.prefix.localeCompare(b.prefix))[0];
}

export type FrameLookup = { ref: FrameRef; warning?: string } | { error: string };

/** Frame `n` of a set; a missing frame falls back to the nearest existing one within `tolerance` frames, with a warning. */
export function resolveFrame(set: FrameSet, n: number, what: string, tolerance = 2): FrameLookup {
  const exact = set.files.get(n);
  if (exact !== undefined) return { ref: { frame: n, file: path.join(set.dir, exact) } };
  for (let d = 1; d <= tolerance; d++) {
    for (const m of [n - d, n + d]) {
      const f = set.files.get(m);
      if (f !== undefined) {
        return {
          ref: { frame: m, file: path.join(set.dir, f) },
          warning: `${what} frame ${n} is missing in ${set.dir}; using frame ${m} (${f}) instead`,
        };
      }
    }
  }
  const range = set.numbers.length ? `frames ${set.numbers[0]}..${set.numbers[set.numbers.length - 1]}` : 'no frames';
  return {
    error: `${what} frame ${n} not found in ${set.dir} (${range} there, none within ${tolerance} of ${n}): check the sheet or restore the frame`,
  };
}
