// Clip lists the panel navigates: a lone clip folder, a pair of selected images, or a scanned dataset.
// No 'vscode' import.
import * as path from 'node:path';
import { spotApex } from '../core/dataset/apex';
import { scanDataset } from '../core/dataset/scan';
import type { Clip, ScanResult } from '../core/dataset/types';
import type { AuRef, ClipRef } from '../shared/protocol';
import { pairInFolder } from './clipPipeline';

export interface ClipEntry {
  id: string;
  title: string;
  onset: string;
  /** Absent when the dataset gives no apex: spotted when the clip is opened. */
  apex?: string;
  ref: ClipRef;
  /** Folder the clip's frames live in (a local resource root of the panel). */
  dir: string;
  groundTruth?: { emotion?: string; aus?: AuRef[] };
  clip?: Clip;
}

export interface ClipList {
  entries: ClipEntry[];
  index: number;
  /** Dataset root when the list came from a scan. */
  root?: string;
}

/** A clip's name for people: 'subject / clip', or the clip alone in a generic dataset (subject '-'). */
export function clipLabel(c: Pick<Clip, 'subject' | 'clip'>): string {
  return c.subject && c.subject !== '-' ? `${c.subject} / ${c.clip}` : c.clip;
}

export function entryFromClip(c: Clip, root: string): ClipEntry {
  return {
    id: c.id,
    title: clipLabel(c),
    onset: c.onset.file,
    apex: c.apex?.file,
    ref: { kind: 'dataset', root, clipId: c.id },
    dir: c.dir,
    groundTruth: {
      emotion: c.emotion ?? undefined,
      aus: c.aus.map((a) => (a.side === 'L' || a.side === 'R' ? { au: a.au, side: a.side } : { au: a.au })),
    },
    clip: c,
  };
}

export function pairEntry(onset: string, apex: string): ClipEntry {
  const dir = path.dirname(onset);
  return {
    id: `${path.basename(dir)}/${path.basename(onset)}|${path.basename(apex)}`,
    title: `${path.basename(dir)} · ${path.basename(onset)} → ${path.basename(apex)}`,
    onset,
    apex,
    ref: { kind: 'pair', onset, apex },
    dir,
  };
}

/** The clip of a folder: onset.* + apex.* (or two images), else the dataset scanner's first clip. */
export async function listForFolder(folder: string): Promise<ClipList> {
  const pair = await pairInFolder(folder);
  if (pair) {
    const e = pairEntry(pair.onset, pair.apex);
    return { entries: [{ ...e, id: path.basename(folder), title: path.basename(folder), ref: { kind: 'folder', folder } }], index: 0 };
  }
  const scan = await scanDataset(folder);
  if (scan.clips.length === 0) {
    const why = scan.errors[0]?.message ?? 'no onset/apex images found';
    throw new Error(`${folder} holds no clip (${why}): select a folder with onset.* and apex.* images, two images, or a dataset folder.`);
  }
  return listForScan(scan, 0);
}

export function listForScan(scan: ScanResult, index: number): ClipList {
  return { entries: scan.clips.map((c) => entryFromClip(c, scan.root)), index, root: scan.root };
}

/** Re-open a clip from a saved reference (panel restore after a reload). */
export async function listForRef(ref: ClipRef): Promise<ClipList> {
  if (ref.kind === 'pair') return { entries: [pairEntry(ref.onset, ref.apex)], index: 0 };
  if (ref.kind === 'folder') return listForFolder(ref.folder);
  const scan = await scanDataset(ref.root);
  const i = scan.clips.findIndex((c) => c.id === ref.clipId);
  if (i < 0) throw new Error(`clip ${ref.clipId} is no longer in the dataset ${ref.root}`);
  return listForScan(scan, i);
}

/** The apex file of an entry, spotting it when the annotation has none. */
export async function resolveApex(e: ClipEntry, signal?: AbortSignal): Promise<{ apex: string; warnings: string[] }> {
  if (e.apex) return { apex: e.apex, warnings: [] };
  if (!e.clip) throw new Error(`clip ${e.id} has no apex frame`);
  const spot = await spotApex(e.clip, { signal });
  e.apex = spot.apex.file;
  return { apex: spot.apex.file, warnings: [`apex spotted automatically (frame ${spot.apex.frame ?? '?'}): the annotation gives none`, ...spot.warnings] };
}
