// The published layouts: CASME II, SAMM, CAS(ME)^3 part A. Each names its subject folders, its sheet
// columns and its frame files; annotated.ts turns the rows into clips.
import * as path from 'node:path';
import type { ProtocolId } from '../emotions';
import type { RowContext, RowValues, Located } from './annotated';
import type { FieldSpec } from './columns';
import { frameSets, isImageName, pickFrameSet } from './frames';
import { listDir, type Listing } from './fsutil';
import type { DatasetKind } from './types';

export interface Layout {
  kind: Extract<DatasetKind, 'casme2' | 'samm' | 'casme3a'>;
  dataset: string;
  title: string;
  protocol?: ProtocolId;
  /** Subject folder names, e.g. sub01, 006, spNO.1. */
  subjectDir: RegExp;
  specs: FieldSpec[];
  /** Preferred frame-name prefixes (CASME II: raw img{N} before cropped reg_img{N}). */
  framePrefer: string[];
  /** Sub-folders of a clip folder that may hold the frames (CAS(ME)^3: color before depth). */
  frameSubdirs: string[];
}

const COMMON: FieldSpec[] = [
  { field: 'subject', required: true },
  { field: 'clip', required: true },
  { field: 'onset', required: true },
  { field: 'apex', required: true },
  { field: 'offset', required: false },
  { field: 'aus', required: false },
  { field: 'emotion', required: true },
];

export const LAYOUTS: readonly Layout[] = [
  {
    kind: 'casme2',
    dataset: 'casme2',
    title: 'CASME II',
    protocol: 'casme2',
    subjectDir: /^sub\d+$/i,
    specs: COMMON,
    framePrefer: ['img', 'reg_img'],
    frameSubdirs: [],
  },
  {
    kind: 'samm',
    dataset: 'samm',
    title: 'SAMM',
    subjectDir: /^\d{3}$/,
    specs: [...COMMON, { field: 'objective', required: false }],
    framePrefer: [],
    frameSubdirs: [],
  },
  {
    kind: 'casme3a',
    dataset: 'casme3a',
    title: 'CAS(ME)^3 part A',
    protocol: 'casme3a',
    subjectDir: /^spno\.?\d+$/i,
    specs: [...COMMON, { field: 'objective', required: false }],
    framePrefer: [],
    frameSubdirs: ['color', 'rgb', 'frames', 'frame'],
  },
];

function trailingNumber(s: string): number | null {
  const m = /(\d+)\s*$/.exec(s);
  return m ? Number.parseInt(m[1], 10) : null;
}

/** Subject cell -> folder: exact name (any case), else the folder whose trailing number equals the cell's ("1" -> sub01, "6" -> 006). */
export function matchSubject(cell: string, folders: readonly string[]): string | undefined {
  const low = cell.toLowerCase();
  const exact = folders.find((f) => f.toLowerCase() === low);
  if (exact) return exact;
  const n = trailingNumber(cell);
  if (n === null) return undefined;
  return folders.find((f) => trailingNumber(f) === n);
}

/** Row -> frames for a layout whose subject folders live in `framesRoot`. Folder listings are read once. */
export function layoutContext(layout: Layout, framesRoot: string, subjects: readonly string[]): RowContext {
  const listings = new Map<string, Promise<Listing>>();
  const list = (dir: string): Promise<Listing> => {
    let p = listings.get(dir);
    if (!p) {
      p = listDir(dir);
      listings.set(dir, p);
    }
    return p;
  };
  return {
    dataset: layout.dataset,
    async locate(values: RowValues): Promise<Located> {
      const subjectCell = values.subject ?? '';
      const clipCell = values.clip ?? '';
      const subject = matchSubject(subjectCell, subjects);
      if (!subject) {
        return { subject: subjectCell || '?', clip: clipCell || '?', error: `no folder for subject '${subjectCell}' in ${framesRoot}` };
      }
      const subjectDir = path.join(framesRoot, subject);
      const sub = await list(subjectDir);
      const clip = sub.dirs.find((d) => d === clipCell) ?? sub.dirs.find((d) => d.toLowerCase() === clipCell.toLowerCase());
      if (!clip) return { subject, clip: clipCell || '?', error: `clip folder '${clipCell}' not found in ${subjectDir}` };
      let dir = path.join(subjectDir, clip);
      let listing = await list(dir);
      // An unreadable folder fails the clip; a broken link inside it is skipped (and said).
      if (listing.unreadable) return { subject, clip, error: listing.unreadable };
      const skipped = [...listing.problems];
      if (!listing.files.some(isImageName)) {
        const inner = layout.frameSubdirs.find((s) => listing.dirs.some((d) => d.toLowerCase() === s)) ?? (listing.dirs.length === 1 ? listing.dirs[0] : undefined);
        const innerName = inner && listing.dirs.find((d) => d.toLowerCase() === inner.toLowerCase());
        if (innerName) {
          dir = path.join(dir, innerName);
          listing = await list(dir);
          if (listing.unreadable) return { subject, clip, error: listing.unreadable };
          skipped.push(...listing.problems);
        }
      }
      const set = pickFrameSet(frameSets(dir, listing.files), layout.framePrefer);
      if (!set) return { subject, clip, error: `no numbered frame images in ${dir}${skipped.length ? ` (${skipped.join('; ')})` : ''}` };
      return { subject, clip, dir, frames: set, ...(skipped.length ? { warnings: skipped } : {}) };
    },
  };
}
