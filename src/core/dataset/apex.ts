// Apex spotting for clips without an annotated apex: TV-L1 flow onset -> every frame, mean magnitude over
// the face region; the apex is the frame where that curve peaks.
import * as path from 'node:path';
import { detectFace } from '../face';
import { loadGrey, loadImage } from '../image';
import { computeFlow, type Device, type GreyImage, type TvL1Params } from '../native';
import { frameSets, pickFrameSet } from './frames';
import { listDir } from './fsutil';
import type { Clip, FrameRef } from './types';

export interface ApexCurvePoint {
  frame: number;
  file: string;
  /** Mean flow magnitude (pixels) onset -> this frame over the region. */
  magnitude: number;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface ApexSpot {
  apex: FrameRef;
  curve: ApexCurvePoint[];
  /** The region averaged over: the face box on the onset frame, or the whole frame when none was found. */
  region: Box;
  warnings: string[];
}

export interface SpotOptions {
  params?: Partial<TvL1Params>;
  device?: Device;
  signal?: AbortSignal;
  /** Use every `step`-th frame after the onset (1 = all). The last frame before the offset is always used. */
  step?: number;
  /** Face box to average over; found on the onset frame when left out. */
  region?: Box | null;
}

/** Mean of sqrt(u^2 + v^2) inside `box` (clipped to the image). */
export function meanMagnitude(u: Float32Array, v: Float32Array, width: number, height: number, box: Box): number {
  const x0 = Math.max(0, Math.floor(box.x));
  const y0 = Math.max(0, Math.floor(box.y));
  const x1 = Math.min(width, Math.ceil(box.x + box.width));
  const y1 = Math.min(height, Math.ceil(box.y + box.height));
  let sum = 0;
  let n = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = y * width + x;
      sum += Math.hypot(u[i], v[i]);
      n++;
    }
  }
  return n > 0 ? sum / n : 0;
}

async function faceBox(file: string, grey: GreyImage, warnings: string[]): Promise<Box> {
  const whole = { x: 0, y: 0, width: grey.width, height: grey.height };
  try {
    const img = await loadImage(file);
    const face = await detectFace({ width: img.width, height: img.height, channels: img.channels, data: img.data });
    if (face) return face.box;
    warnings.push(`no face found on the onset frame ${file}: the apex was spotted over the whole frame`);
  } catch (e) {
    warnings.push(`face detection failed on ${file} (${(e as Error).message}): the apex was spotted over the whole frame`);
  }
  return whole;
}

/** Frames of the clip after the onset, up to the offset when the clip has one. */
export async function clipFrames(clip: Clip): Promise<FrameRef[]> {
  const listing = await listDir(clip.dir);
  const prefix = path.basename(clip.onset.file).replace(/\d+\.[^.]+$/, '');
  const set = pickFrameSet(frameSets(clip.dir, listing.files), [prefix]);
  if (!set) return [];
  return set.numbers
    .filter((n) => clip.onset.frame === null || n > clip.onset.frame)
    .filter((n) => clip.offset === null || n <= clip.offset)
    .map((n) => ({ frame: n, file: path.join(clip.dir, set.files.get(n) as string) }));
}

/** Spot the apex of a clip: flow onset -> each frame, the frame with the largest mean magnitude wins. */
export async function spotApex(clip: Clip, opts: SpotOptions = {}): Promise<ApexSpot> {
  const warnings: string[] = [];
  const onset = await loadGrey(clip.onset.file);
  const region = opts.region ?? (await faceBox(clip.onset.file, onset, warnings));
  const all = await clipFrames(clip);
  if (all.length === 0) throw new Error(`no frames after the onset in ${clip.dir}: cannot spot an apex`);
  const step = Math.max(1, Math.floor(opts.step ?? 1));
  const frames = all.filter((_, i) => i % step === 0 || i === all.length - 1);
  const curve: ApexCurvePoint[] = [];
  for (const f of frames) {
    const grey = await loadGrey(f.file);
    const flow = await computeFlow(onset, grey, opts.params ?? {}, { device: opts.device, signal: opts.signal });
    curve.push({ frame: f.frame as number, file: f.file, magnitude: meanMagnitude(flow.u, flow.v, flow.width, flow.height, region) });
  }
  const peak = curve.reduce((a, b) => (b.magnitude > a.magnitude ? b : a));
  return { apex: { frame: peak.frame, file: peak.file }, curve, region, warnings };
}
