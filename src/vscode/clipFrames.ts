// The frames of a clip for the panel's scrubber: every frame from the onset to the offset, which two make
// the pair (annotation, spotted, or chosen by the user), and the apex-spotting curve (the core's
// spotApex: mean flow magnitude onset -> frame over the face), cached on disk by the frames' identity.
// No 'vscode' import.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { writeFileAtomic } from '../core/atomicWrite';
import { clipFrames, spotApex, type Box } from '../core/dataset/apex';
import type { Clip, FrameRef } from '../core/dataset/types';
import type { Device } from '../core/native';
import type { ApexCurvePoint, FramesView } from '../shared/protocol';
import type { ClipEntry } from './clips';

/** At most this many flows for one curve (long 200 fps clips are sampled). */
export const MAX_CURVE_POINTS = 48;

export interface PairChoice {
  onset: number;
  apex: number;
}

export interface ResolvedPair {
  onset: string;
  apex: string;
  /** Absent for a lone pair (two images, no frame numbers). */
  frames?: FramesView;
  warnings: string[];
}

/** Onset and every later frame up to the offset, by frame number; null when the clip has no numbered frames. */
export async function framesOf(clip: Clip): Promise<FrameRef[] | null> {
  if (clip.onset.frame === null) return null;
  const after = await clipFrames(clip);
  return [clip.onset, ...after.filter((f) => f.frame !== null)];
}

/**
 * The pair to show: the user's choice when given (frame numbers, must exist), else the annotated apex,
 * else the spotted one (its curve comes along). Throws with the clip's folder named when a frame is missing.
 */
export async function resolvePair(e: ClipEntry, choice: PairChoice | undefined, opts: { signal?: AbortSignal; device?: Device } = {}): Promise<ResolvedPair & { curve?: ApexCurvePoint[] }> {
  const clip = e.clip;
  const frames = clip ? await framesOf(clip) : null;
  if (!clip || !frames || frames.length < 2) {
    if (e.apex) return { onset: e.onset, apex: e.apex, warnings: [] };
    if (!clip) throw new Error(`clip ${e.id} has no apex frame`);
  }
  const numbers = frames!.map((f) => f.frame as number);
  const file = (n: number) => {
    const f = frames!.find((x) => x.frame === n);
    if (!f) throw new Error(`frame ${n} is not among the frames of ${clip!.dir} (${numbers[0]}–${numbers[numbers.length - 1]}): choose a frame from the scrubber`);
    return f.file;
  };
  const view = (onset: number, apex: number, apexFrom: FramesView['apexFrom']): FramesView => ({
    frames: numbers,
    onset,
    apex,
    ...(clip!.offset !== null ? { offset: clip!.offset } : {}),
    apexFrom,
  });
  if (choice) return { onset: file(choice.onset), apex: file(choice.apex), frames: view(choice.onset, choice.apex, 'chosen'), warnings: [] };
  if (e.apex && clip!.apex?.frame != null) return { onset: e.onset, apex: e.apex, frames: view(numbers[0], clip!.apex.frame, 'annotation'), warnings: [] };
  const spot = await spotApex(clip!, { signal: opts.signal, device: opts.device, step: curveStep(frames!.length) });
  const apexFrame = spot.apex.frame as number;
  return {
    onset: e.onset,
    apex: spot.apex.file,
    frames: { ...view(numbers[0], apexFrame, 'spotted'), curve: spot.curve.map((p) => ({ frame: p.frame, magnitude: p.magnitude })) },
    curve: spot.curve.map((p) => ({ frame: p.frame, magnitude: p.magnitude })),
    warnings: [`apex spotted automatically (frame ${apexFrame}): the annotation gives none`, ...spot.warnings],
  };
}

export const curveStep = (frames: number) => Math.max(1, Math.ceil((frames - 1) / MAX_CURVE_POINTS));

/** Identity of a curve: the frame files (path, size, mtime) from the onset on, and the face box averaged over. */
async function curveKey(frames: FrameRef[], region: Box | null): Promise<string> {
  const stats = await Promise.all(frames.map(async (f) => {
    const st = await fs.stat(f.file);
    return [f.file, st.size, st.mtimeMs];
  }));
  return createHash('sha256').update(JSON.stringify({ v: 'apex-curve/1', stats, region, max: MAX_CURVE_POINTS })).digest('hex');
}

/**
 * The apex-spotting curve from `onsetFrame`: read from `cacheDir` when this exact set of frames was seen,
 * else computed with spotApex (TV-L1 onset -> each frame, sampled to MAX_CURVE_POINTS) and stored.
 */
export async function apexCurve(clip: Clip, onsetFrame: number, opts: { cacheDir?: string; region?: Box | null; signal?: AbortSignal; device?: Device } = {}): Promise<ApexCurvePoint[]> {
  const frames = await framesOf(clip);
  if (!frames) return [];
  const from = frames.findIndex((f) => f.frame === onsetFrame);
  if (from < 0) throw new Error(`frame ${onsetFrame} is not a frame of ${clip.dir}`);
  const sub = frames.slice(from);
  if (sub.length < 2) return [];
  const key = opts.cacheDir ? await curveKey(sub, opts.region ?? null) : null;
  const file = key && opts.cacheDir ? path.join(opts.cacheDir, 'curves', `${key}.json`) : null;
  if (file) {
    try {
      const cached = JSON.parse(await fs.readFile(file, 'utf8')) as ApexCurvePoint[];
      if (Array.isArray(cached)) return cached;
    } catch {
      /* not cached */
    }
  }
  const spot = await spotApex({ ...clip, onset: sub[0] }, { signal: opts.signal, device: opts.device, region: opts.region ?? undefined, step: curveStep(sub.length) });
  const curve = spot.curve.map((p) => ({ frame: p.frame, magnitude: p.magnitude }));
  if (file) {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await writeFileAtomic(file, JSON.stringify(curve));
  }
  return curve;
}
