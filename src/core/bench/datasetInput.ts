// A scanned dataset (src/core/dataset) as the benchmark job's BenchDataset: the protocol's split and
// labelled clips, AU codes as strings, and each clip's model input — the MMC-Map, or for zero-shot
// baselines (paper IV-D) the onset and apex frames side by side in one PNG (left onset, right apex).
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { runDatasetMmc, type BatchProgress, type Manifest, type MmcEngine } from '../dataset/batch';
import { DEFAULT_RENDER, engineOrDefault } from '../dataset/engine';
import { scanDataset } from '../dataset/scan';
import type { Device } from '../native';
import { mmcPng } from '../mmc';
import { measurePairMotion } from '../reasoning/pairMotion';
import { DatasetError, type AuCode, type Clip, type ScanResult } from '../dataset/types';
import { digestOf, type FileDigest } from '../dataset/cache';
import { encodePng, loadRgb, type RgbImage } from '../image';
import type { BenchDataset } from './job';
import type { BenchInput, BenchProtocol } from './runDir';
import type { BenchClip, ClipInput } from './runner';

export interface DatasetBenchClip extends BenchClip {
  clip: Clip;
}

export interface OpenedBenchDataset extends BenchDataset<DatasetBenchClip> {
  scan: ScanResult;
  /** Why clips of the dataset are not in this benchmark (unlabelled, unusable, other split). */
  notes: string[];
}

/** FACS code as the metrics read it: 'AU12' (both sides / unstated), 'L12', 'R12'. */
export function auCodeString(a: AuCode): string {
  return a.side === 'both' ? `AU${a.au}` : `${a.side}${a.au}`;
}

/** 'TestA', 'test a', 'A', 'testA' -> 'a'; 'TestB' -> 'b'; anything else null. */
export function dfmeSplit(split: string | undefined): 'a' | 'b' | null {
  if (!split) return null;
  const m = /^\s*(?:test)?[\s_-]*([ab])\s*$/i.exec(split);
  return m ? (m[1].toLowerCase() as 'a' | 'b') : null;
}

/** Onset left, apex right, on a common canvas (the taller height; black padding). */
export function sideBySide(a: RgbImage, b: RgbImage): RgbImage {
  const width = a.width + b.width;
  const height = Math.max(a.height, b.height);
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < a.height; y++) data.set(a.data.subarray(y * a.width * 3, (y + 1) * a.width * 3), y * width * 3);
  for (let y = 0; y < b.height; y++) data.set(b.data.subarray(y * b.width * 3, (y + 1) * b.width * 3), (y * width + a.width) * 3);
  return { width, height, data };
}

async function framesInput(clip: Clip): Promise<ClipInput> {
  if (!clip.apex) throw new Error(`${clip.dir}: no apex frame is annotated for ${clip.id}; the frames baseline needs one (add it to the annotation sheet)`);
  const [onset, apex] = await Promise.all([loadRgb(clip.onset.file), loadRgb(clip.apex.file)]);
  return { png: await encodePng(sideBySide(onset, apex)) };
}

export interface OpenBenchOptions {
  /** MMC-Map cache folder (the layout of `mellm dataset mmc --out CACHE`; reuse one across runs). */
  maps?: string;
  /** The built-in reasoner answers: each clip also needs its measured regional motion. */
  offline?: boolean;
  /** Parallel map computations (default 1: the flow already uses every core). */
  jobs?: number;
  device?: Device;
  /** The MMC pipeline for the map phase; default computeMmc with the face model's nose tip. */
  engine?: MmcEngine;
  /** Progress of the map phase (before any request is sent). */
  onMapProgress?(p: BatchProgress): void;
}

/** The region statistics for the region-text lane: no image is sent, so no map is encoded. */
async function regionsInput(clip: Clip, device: Device | undefined, signal: AbortSignal): Promise<ClipInput> {
  if (!clip.apex) throw new Error(`${clip.dir}: no apex frame is annotated for ${clip.id}; the region-text lane needs one (add it to the annotation sheet)`);
  const pm = await measurePairMotion({ onset: clip.onset.file, apex: clip.apex.file, ...(device ? { device } : {}), signal, regionStats: true });
  return { png: new Uint8Array(0), ...(pm.regionStats ? { regionStats: pm.regionStats } : {}) };
}

/** The map and the measured regional motion for the built-in reasoner (flow is not cached: measured here). */
async function offlineInput(clip: Clip, device: Device | undefined, signal: AbortSignal): Promise<ClipInput> {
  if (!clip.apex) throw new Error(`${clip.dir}: no apex frame is annotated for ${clip.id}; the built-in reasoner needs one (add it to the annotation sheet)`);
  const pm = await measurePairMotion({ onset: clip.onset.file, apex: clip.apex.file, ...(device ? { device } : {}), signal });
  return { png: await mmcPng(pm.mmc), mapOutput: pm.mmc.output, ...(pm.motion ? { motion: pm.motion } : {}) };
}

/**
 * Scans DATASET and selects the clips a benchmark protocol evaluates. dfme-a / dfme-b keep the clips whose
 * split column says TestA / TestB. Throws DatasetError (user-facing) when the dataset cannot be read or the split
 * is missing; clips without a label or with unusable frames are left out and described in `notes`.
 * For 'mmc' input, prepare() computes (or finds cached) the maps of the benchmarked clips before the run.
 */
export async function openBenchDataset(root: string, protocol: BenchProtocol, opts: OpenBenchOptions = {}): Promise<OpenedBenchDataset> {
  const scan = await scanDataset(root);
  const notes: string[] = [...scan.warnings];
  let clips = scan.clips;
  if (protocol === 'dfme-a' || protocol === 'dfme-b') {
    const want = protocol === 'dfme-a' ? 'a' : 'b';
    if (!clips.some((c) => dfmeSplit(c.split) !== null)) {
      throw new DatasetError(
        `${scan.root}: --protocol ${protocol} needs each clip's DFME test set (TestA / TestB) in a split column of the annotation; ` +
          "name that column in mellm-dataset.json ('columns': {'split': ...}) or use --protocol custom",
      );
    }
    const before = clips.length;
    clips = clips.filter((c) => dfmeSplit(c.split) === want);
    notes.push(`${before - clips.length} clip(s) are not in DFME Test${want.toUpperCase()}.`);
  }
  const unlabelled = clips.filter((c) => c.emotion === null).length;
  if (unlabelled > 0) notes.push(`${unlabelled} clip(s) have no emotion label and are not benchmarked.`);
  if (scan.errors.length > 0) {
    notes.push(`${scan.errors.length} clip(s) could not be read and are not benchmarked (first: ${scan.errors[0].id}: ${scan.errors[0].message}).`);
  }
  const benchClips: DatasetBenchClip[] = clips
    .filter((c): c is Clip & { emotion: string } => c.emotion !== null)
    .map((c) => ({
      id: c.id,
      subject: c.subject,
      emotion: c.emotion,
      // A clip with no AU annotation (ausRaw blank) has no AU ground truth, not an empty one.
      ...(c.ausRaw.trim() !== '' ? { aus: c.aus.map(auCodeString) } : {}),
      clip: c,
    }));
  // Clip id -> cached map file, or the reason the map could not be made.
  const maps = new Map<string, { file: string; png: FileDigest; output: 'mmc' | 'grey-onset' } | { error: string }>();
  return {
    root: scan.root,
    clips: benchClips,
    scan,
    notes,
    async prepare(selected: readonly DatasetBenchClip[], input: BenchInput, signal: AbortSignal): Promise<void> {
      if (input !== 'mmc' || opts.offline) return;
      if (!opts.maps) throw new Error('openBenchDataset: a maps cache folder is needed for MMC-Map input');
      const cache = path.resolve(opts.maps);
      // As `mellm dataset mmc`: batched on a GPU, faces found on worker threads.
      const chosen = await engineOrDefault(opts.engine, opts.device, opts.jobs ?? 1);
      const summary = await runDatasetMmc(scan, {
        out: cache,
        only: selected.map((c) => c.id),
        jobs: chosen.jobs,
        ...(opts.device ? { device: opts.device } : {}),
        engine: chosen.engine,
        render: DEFAULT_RENDER,
        signal,
        ...(opts.onMapProgress ? { onProgress: opts.onMapProgress } : {}),
      });
      if (summary.status === 'done' && selected.length > 0 && summary.failures.length === selected.length) {
        // The same failure for every clip (addon not built, model files missing): stop before any request.
        throw new DatasetError(`no MMC-Map could be made for any of the ${selected.length} clips (first: ${summary.failures[0].id}: ${summary.failures[0].message})`);
      }
      const manifest = JSON.parse(await fs.readFile(summary.manifest, 'utf8')) as Manifest;
      for (const f of summary.failures) maps.set(f.id, { error: `MMC-Map failed: ${f.message}` });
      for (const c of selected) {
        const e = manifest.clips[c.id];
        if (e) maps.set(c.id, { file: path.join(cache, e.map), png: e.png, output: e.output ?? 'mmc' });
      }
    },
    async loadInput(c: DatasetBenchClip, input: BenchInput, signal: AbortSignal): Promise<ClipInput> {
      if (input === 'frames') return framesInput(c.clip);
      if (input === 'regions') return regionsInput(c.clip, opts.device, signal);
      if (opts.offline) return offlineInput(c.clip, opts.device, signal);
      const m = maps.get(c.id);
      if (!m) throw new Error(`no MMC-Map was made for ${c.id} (the map phase did not reach it)`);
      if ('error' in m) throw new Error(m.error);
      // Exactly the map the manifest describes, or nothing: an emptied or truncated file is never sent.
      const png = await fs.readFile(m.file);
      const got = digestOf(png);
      if (!m.png || got.bytes !== m.png.bytes || got.sha256 !== m.png.sha256) {
        throw new Error(`the cached MMC-Map ${m.file} of ${c.id} changed after it was made (${got.bytes} bytes, the manifest says ${m.png?.bytes ?? 'nothing'}); rerun to compute it again`);
      }
      // No face: the cached image is the plain grey onset (preprocess.py's result), recorded with the clip.
      return { png, mapOutput: m.output };
    },
  };
}
