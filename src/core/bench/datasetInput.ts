// A scanned dataset (src/core/dataset) as the benchmark job's BenchDataset: the protocol's split and
// labelled clips, AU codes as strings, and each clip's model input — the MMC-Map, or for zero-shot
// baselines (paper IV-D) the onset and apex frames side by side in one PNG (left onset, right apex).
import { scanDataset } from '../dataset/scan';
import { DatasetError, type AuCode, type Clip, type ScanResult } from '../dataset/types';
import { encodePng, loadRgb, type RgbImage } from '../image';
import type { BenchDataset } from './job';
import type { BenchInput, BenchProtocol } from './runDir';
import type { BenchClip, ClipInput } from './runner';

export interface DatasetBenchClip extends BenchClip {
  clip: Clip;
}

/** Produces the MMC-Map PNG (cached) for a clip; supplied by the MMC pipeline. */
export type MapProvider = (clip: Clip, signal: AbortSignal) => Promise<ClipInput>;

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

/**
 * Scans DATASET and selects the clips a benchmark protocol evaluates. dfme-a / dfme-b keep the clips whose
 * split column says TestA / TestB. Throws DatasetError (user-facing) when the dataset cannot be read or the split
 * is missing; clips without a label or with unusable frames are left out and described in `notes`.
 */
export async function openBenchDataset(root: string, protocol: BenchProtocol, maps?: MapProvider): Promise<OpenedBenchDataset> {
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
  return {
    root: scan.root,
    clips: benchClips,
    scan,
    notes,
    loadInput(c: DatasetBenchClip, input: BenchInput, signal: AbortSignal): Promise<ClipInput> {
      if (input === 'frames') return framesInput(c.clip);
      if (!maps) return Promise.reject(new Error('no MMC-Map pipeline is available in this build; use --input frames'));
      return maps(c.clip, signal);
    },
  };
}
