// What the panel shows for one onset/apex pair: MMC-Map, flow-only colours, face landmarks/regions,
// head vector, the measured regional motion the built-in reasoner and the claim check need, and the
// region statistics the region-text lane sends as text.
// Results are cached on disk keyed by the CONTENT of both frames + flow parameters + render version, so a
// re-opened clip shows its map without recomputing. No 'vscode' import: the CLI-free tests use it directly.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { writeFileAtomic } from '../core/atomicWrite';
import { decodeFlo, encodeFlo } from '../core/flo';
import { detectFace, type FaceResult } from '../core/face';
import { decodeImage, encodePng, readImageFile, type LoadedImage } from '../core/image';
import { digestOf, type FileDigest } from '../core/dataset/cache';
import { computeMmc } from '../core/mmc';
import { OPENCV_TVL1_DEFAULTS, renderMmcNative, type Device, type FlowField, type TvL1Params } from '../core/native';
import type { NoseSensitivity } from '../core/noseWindow';
import { measureRegionMotion, type RegionMotionReport } from '../core/reasoning/regionMotion';
import { correctedRegionStats, lightingCorrectedFlow } from '../core/reasoning/lightingFlow';
import { measureMotion } from '../core/reasoning/pairMotion';
import { measureRegionStats, type RegionStatsReport } from '../core/reasoning/regionStats';

/** Bump when anything stored in the cache changes meaning. */
// 2: the raw flow is stored too (the panel's value under the cursor, display gain and nose re-render).
// 3: preprocess.py's arithmetic (int() nose, float32 mean, radians), the nose sensitivity, no-face flag.
// 4: regional motion with the lighting correction, the rigid fit and the clip's noise floor (#15).
export const PANEL_CACHE_VERSION = 'panel-clip/4';

/** The banner over a map made without a face: the panel shows the flow, MELLM would get the grey onset. */
export const NO_FACE_BANNER =
  "No face found on the onset frame: this map shows the flow WITHOUT head-motion compensation. The released MELLM weights would be given the plain grey onset (the authors' preprocess.py), with no motion in it.";

export interface ClipData {
  width: number;
  height: number;
  /** PNG bytes. */
  mapPng: Buffer;
  flowOnlyPng: Buffer;
  /** The raw flow onset -> apex (before head-motion compensation). */
  flow: FlowField;
  /** Display copies of the frames (original bytes for PNG/JPEG, PNG for anything else). */
  onset: { mime: 'image/png' | 'image/jpeg'; bytes: Buffer };
  apex: { mime: 'image/png' | 'image/jpeg'; bytes: Buffer };
  head: { u: number; v: number };
  nose: { x: number; y: number } | null;
  /** How much the map depends on the nose pixel (null when nothing is compensated). */
  noseSensitivity: NoseSensitivity | null;
  /** No face was found: the map is the uncompensated flow (NO_FACE_BANNER says so). */
  noFace: boolean;
  face: Pick<FaceResult, 'points' | 'regions' | 'interOcular' | 'box'> | null;
  motion: RegionMotionReport | null;
  /** Per-region statistics for the region-text lane (null without a face). */
  regionStats: RegionStatsReport | null;
  warnings: string[];
  cached: boolean;
  /** From the call to the data being ready. */
  ms: number;
  key: string;
}

interface CacheMeta {
  version: string;
  width: number;
  height: number;
  head: { u: number; v: number };
  nose: { x: number; y: number } | null;
  noseSensitivity: NoseSensitivity | null;
  noFace: boolean;
  face: ClipData['face'];
  motion: RegionMotionReport | null;
  /** Absent in entries written before the region-text lane: such an entry is recomputed. */
  regionStats?: RegionStatsReport | null;
  warnings: string[];
  /** Size and SHA-256 of the two PNGs: an entry whose files do not match is computed again. */
  files?: { map: FileDigest; flow: FileDigest; flo: FileDigest };
}

const sameDigest = (b: Uint8Array, d: FileDigest | undefined): boolean => {
  const g = digestOf(b);
  return d !== undefined && g.bytes > 0 && g.bytes === d.bytes && g.sha256 === d.sha256;
};

export interface PipelineOptions {
  /** Folder for cached panel data; absent = no cache. */
  cacheDir?: string;
  device?: Device;
  params?: Partial<TvL1Params>;
  signal?: AbortSignal;
  /** Face finder (default: detectFace on this thread; dataset batches pass a worker pool's). */
  detectFace?: (img: LoadedImage, signal?: AbortSignal) => Promise<FaceResult | null>;
}

const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

function sniffMime(b: Buffer): 'image/png' | 'image/jpeg' | null {
  if (b.length > 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'image/png';
  if (b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  return null;
}

async function displayCopy(bytes: Buffer, img: () => Promise<LoadedImage>): Promise<ClipData['onset']> {
  const mime = sniffMime(bytes);
  if (mime) return { mime, bytes };
  const d = await img();
  const rgb = d.channels === 3 ? d : { width: d.width, height: d.height, data: expandGrey(d.data) };
  return { mime: 'image/png', bytes: await encodePng({ width: rgb.width, height: rgb.height, data: rgb.data }) };
}

function expandGrey(g: Uint8Array): Uint8Array {
  const out = new Uint8Array(g.length * 3);
  for (let i = 0; i < g.length; i++) out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = g[i];
  return out;
}

export function cacheKey(onsetBytes: Uint8Array, apexBytes: Uint8Array, params: Partial<TvL1Params>): string {
  const p = { ...OPENCV_TVL1_DEFAULTS, ...params };
  return sha(JSON.stringify({ v: PANEL_CACHE_VERSION, onset: sha(onsetBytes), apex: sha(apexBytes), params: p, window: 11 }));
}

function cacheFiles(dir: string, key: string) {
  const base = path.join(dir, key.slice(0, 2), key);
  return { map: `${base}.map.png`, flow: `${base}.flow.png`, flo: `${base}.flo`, meta: `${base}.json` };
}

/** The panel's data for a pair; cached by content. Rejects with the pipeline's MediaError for bad frames. */
export async function loadClipData(onsetPath: string, apexPath: string, opts: PipelineOptions = {}): Promise<ClipData> {
  const t0 = performance.now();
  const [onsetBytes, apexBytes] = await Promise.all([readImageFile(onsetPath), readImageFile(apexPath)]);
  const key = cacheKey(onsetBytes, apexBytes, opts.params ?? {});
  const files = opts.cacheDir ? cacheFiles(opts.cacheDir, key) : null;
  let onsetImg: LoadedImage | undefined;
  let apexImg: LoadedImage | undefined;
  const onsetDecoded = async () => (onsetImg ??= await decodeImage(onsetBytes, onsetPath));
  const apexDecoded = async () => (apexImg ??= await decodeImage(apexBytes, apexPath));

  if (files) {
    try {
      const [meta, mapPng, flowOnlyPng, flo] = await Promise.all([fs.readFile(files.meta, 'utf8'), fs.readFile(files.map), fs.readFile(files.flow), fs.readFile(files.flo)]);
      const m = JSON.parse(meta) as CacheMeta;
      if (m.version === PANEL_CACHE_VERSION && m.regionStats !== undefined && sameDigest(mapPng, m.files?.map) && sameDigest(flowOnlyPng, m.files?.flow) && sameDigest(flo, m.files?.flo)) {
        const [onset, apex] = await Promise.all([displayCopy(onsetBytes, onsetDecoded), displayCopy(apexBytes, apexDecoded)]);
        return { ...m, regionStats: m.regionStats, mapPng, flowOnlyPng, flow: decodeFlo(flo, files.flo), onset, apex, cached: true, ms: performance.now() - t0, key };
      }
    } catch {
      /* not cached (or unreadable): compute */
    }
  }

  const [onset, apex] = await Promise.all([onsetDecoded(), apexDecoded()]);
  const face = opts.detectFace
    ? await opts.detectFace(onset, opts.signal)
    : await detectFace({ width: onset.width, height: onset.height, channels: onset.channels, data: onset.data });
  // No face: the panel shows the uncompensated flow (with NO_FACE_BANNER), not the grey onset MELLM gets.
  const r = await computeMmc({
    onset,
    apex,
    locateNose: async () => (face ? face.nose : null),
    noFace: 'uncompensated',
    sensitivity: true,
    window: 11,
    params: opts.params,
    device: opts.device,
    signal: opts.signal,
  });
  const warnings = [...r.warnings];
  if (!face) warnings.push(`no face found on ${path.basename(onsetPath)}: no head-motion compensation, no landmarks, and the built-in reasoner cannot measure regions`);
  // Flow colours alone: the same renderer over a black onset (saturating add of 0 + colour = colour).
  const black = { width: r.width, height: r.height, data: new Uint8Array(r.width * r.height) };
  const flowOnly = await renderMmcNative(black, r.flow, { nose: r.nose, window: 11, device: opts.device });
  let motion: RegionMotionReport | null = null;
  let regionStats: RegionStatsReport | null = null;
  if (face) {
    // Measured on the lighting-corrected pair against the clip's noise floor, as in the CLI (pairMotion.ts).
    const o = { onset, apex, face, mmc: r, device: opts.device, signal: opts.signal };
    const measured = await lightingCorrectedFlow(o);
    motion = await measureMotion(face, measured, { device: opts.device, signal: opts.signal });
    regionStats = (await correctedRegionStats(o, measureRegionMotion(r.flow, face, { head: [r.head.u, r.head.v] }).background, measured)).stats;
  }
  const [mapPng, flowOnlyPng, onsetShow, apexShow] = await Promise.all([
    encodePng(r.map),
    encodePng({ width: r.width, height: r.height, data: flowOnly.rgb }),
    displayCopy(onsetBytes, onsetDecoded),
    displayCopy(apexBytes, apexDecoded),
  ]);
  const floBytes = encodeFlo(r.flow);
  const meta: CacheMeta = {
    version: PANEL_CACHE_VERSION,
    width: r.width,
    height: r.height,
    head: r.head,
    nose: r.nose,
    noseSensitivity: r.noseSensitivity ?? null,
    noFace: r.noFace,
    face: face ? { points: face.points, regions: face.regions, interOcular: face.interOcular, box: face.box } : null,
    motion,
    regionStats,
    warnings,
    files: { map: digestOf(mapPng), flow: digestOf(flowOnlyPng), flo: digestOf(floBytes) },
  };
  if (files) {
    await fs.mkdir(path.dirname(files.meta), { recursive: true });
    // PNGs first, meta last: a reader only trusts an entry whose meta exists.
    await writeFileAtomic(files.map, mapPng);
    await writeFileAtomic(files.flow, flowOnlyPng);
    await writeFileAtomic(files.flo, floBytes);
    await writeFileAtomic(files.meta, JSON.stringify(meta));
  }
  return { ...meta, regionStats, mapPng, flowOnlyPng, flow: r.flow, onset: onsetShow, apex: apexShow, cached: false, ms: performance.now() - t0, key };
}

/**
 * The clip's map and regional motion with the head-motion window at `nose` (the user moved it in the
 * panel): the stored flow is re-rendered, no TV-L1. Not cached (a user's point is a one-off look).
 */
export async function renderAtNose(onsetPath: string, data: ClipData, nose: { x: number; y: number }, opts: { device?: Device; signal?: AbortSignal } = {}): Promise<ClipData> {
  const t0 = performance.now();
  const onset = await decodeImage(await fs.readFile(onsetPath), onsetPath);
  const r = await computeMmc({ onset, flowIn: data.flow, nose, window: 11, sensitivity: true, device: opts.device, signal: opts.signal });
  const black = { width: r.width, height: r.height, data: new Uint8Array(r.width * r.height) };
  const flowOnly = await renderMmcNative(black, r.flow, { nose: r.nose, window: 11, device: opts.device });
  // The reasoner's motion has the face's rigid motion fitted and removed, not the nose window's vector:
  // it does not depend on the point, so the clip's measurement (with its noise floor) is kept.
  const motion = data.motion;
  const rawBackground = data.face ? measureRegionMotion(r.flow, data.face as FaceResult, { head: [r.head.u, r.head.v] }).background : 0;
  // Region text follows the new head vector. Statistics measured on a lighting-corrected flow are kept
  // as they were (the stored flow is the raw one, where the lighting reads as motion).
  const regionStats =
    data.face && motion && !data.regionStats?.lighting
      ? measureRegionStats(r.flow, data.face as FaceResult, { head: [r.head.u, r.head.v], background: rawBackground })
      : data.regionStats;
  const [mapPng, flowOnlyPng] = await Promise.all([encodePng(r.map), encodePng({ width: r.width, height: r.height, data: flowOnly.rgb })]);
  // The pipeline's notes about the point (outside the frame) replace those of an earlier point.
  const warnings = [...data.warnings.filter((w) => !w.startsWith('nose point (')), ...r.warnings];
  return { ...data, mapPng, flowOnlyPng, head: r.head, nose: r.nose, noseSensitivity: r.noseSensitivity ?? null, motion, regionStats, warnings, cached: false, ms: performance.now() - t0 };
}

export const dataUrl = (mime: string, bytes: Uint8Array) => `data:${mime};base64,${Buffer.from(bytes).toString('base64')}`;

const IMAGE_EXT = /\.(png|jpe?g|bmp|tiff?|webp)$/i;

/**
 * The onset/apex pair of a clip folder: files named onset.* / apex.*, else exactly two images (sorted by
 * name), else null (the caller then asks the dataset scanner). Throws nothing for a readable folder.
 */
export async function pairInFolder(dir: string): Promise<{ onset: string; apex: string } | null> {
  const names = (await fs.readdir(dir)).filter((n) => IMAGE_EXT.test(n)).sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  const byStem = (stem: string) => names.find((n) => n.toLowerCase().replace(IMAGE_EXT, '') === stem);
  const o = byStem('onset');
  const a = byStem('apex');
  if (o && a) return { onset: path.join(dir, o), apex: path.join(dir, a) };
  if (names.length === 2) return { onset: path.join(dir, names[0]), apex: path.join(dir, names[1]) };
  return null;
}

