// The MMC-Map pipeline (DESIGN.md section 2) as one async call: load onset and apex, BT.601 grey, TV-L1 flow
// (or a given flow), nose-tip head-motion compensation, colouring and overlay, following image_preprocess of
// preprocess.py in the authors' repo (zyzhangUstc/mellmv1-base-on-Qwen2.5vl-7B-, commit b7daa0f): the nose
// pixel by truncation, a window clipped to the image (empty: nothing subtracted), and with no face the plain
// grey onset (or, as a named option, the uncompensated map). Everything heavy runs off the JS thread (sharp
// and the native addon), so callers in the extension host stay responsive.
import { performance } from 'node:perf_hooks';
import { readFlo } from './flo';
import { encodeGreyPng, encodePng, greyToRgb, loadImage, toGrey, type LoadedImage, type RgbImage } from './image';
import { MediaError } from './mediaError';
import {
  CancelledError,
  computeFlow,
  renderMmcNative,
  type Device,
  type FlowField,
  type GreyImage,
  type TvL1Params,
} from './native';
import { nosePixel, noseSensitivity, noseWindow, type NosePoint, type NoseSensitivity, type NoseWindow } from './noseWindow';

export type { NosePoint, NoseSensitivity, NoseWindow } from './noseWindow';

/**
 * What the map is when no face is found on the onset frame:
 * - 'grey': the authors' result (preprocess.py returns the plain 1-channel grey onset: no flow colours).
 *   What the released weights are given; the default of the CLI, the benchmark and the export.
 * - 'uncompensated': the flow colours without head-motion compensation (the panel shows this, with a
 *   banner saying it is not what MELLM would be given: a person can still see where the face moved).
 */
export type NoFacePolicy = 'grey' | 'uncompensated';
export const NO_FACE_POLICIES: readonly NoFacePolicy[] = ['grey', 'uncompensated'];

/**
 * Finds the nose tip (68-point index 30) on the onset frame; null when there is no face.
 * Supplied by the face module; without one, `nose: undefined` means no compensation plus a warning.
 */
export type NoseLocator = (onset: LoadedImage, signal?: AbortSignal) => Promise<NosePoint | null>;

export interface MmcOptions {
  /** Onset frame: a file path or an already decoded image. */
  onset: string | LoadedImage;
  /** Apex frame; may be left out when `flowIn` is given. */
  apex?: string | LoadedImage;
  /**
   * Nose tip in onset pixels for head-motion compensation; the window is centred on int(x), int(y)
   * (truncation toward zero, as preprocess.py) and clipped to the image. null: compensation explicitly
   * off. undefined: automatic (locateNose when given, else none + a warning).
   */
  nose?: NosePoint | null;
  locateNose?: NoseLocator;
  /** When locateNose finds no face (default 'grey', the authors' result). */
  noFace?: NoFacePolicy;
  /** Also measure how much the map depends on the nose pixel (four extra renders). */
  sensitivity?: boolean;
  /** Render from this flow (or .flo file) instead of computing TV-L1. */
  flowIn?: FlowField | string;
  /** TV-L1 parameters over OpenCV's defaults. */
  params?: Partial<TvL1Params>;
  device?: Device;
  /** CPU worker threads for the flow; 0 or absent = all cores. */
  threads?: number;
  /** Side of the averaging window around the nose, odd (11 in the reference). */
  window?: number;
  signal?: AbortSignal;
}

export interface MmcTimings {
  load: number;
  grey: number;
  flow: number;
  render: number;
  total: number;
}

export interface MmcResult {
  /**
   * The MMC-Map: grey onset with the flow colours added, RGB. With output 'grey-onset' the grey onset
   * replicated to RGB (mmcPng writes it as the 1-channel PNG the authors' code writes).
   */
  map: RgbImage;
  /** 'mmc': a map; 'grey-onset': no face was found and the policy was 'grey' (no flow colours). */
  output: 'mmc' | 'grey-onset';
  /** No face was found on the onset frame (by locateNose). */
  noFace: boolean;
  /** The onset's 8-bit grey (for re-rendering at another nose point). */
  grey: GreyImage;
  /** The raw flow onset -> apex, before head-motion compensation. */
  flow: FlowField;
  /** Where the flow came from. */
  flowSource: 'computed' | 'given';
  /** The head-motion vector subtracted from every pixel; {0, 0} without compensation. */
  head: { u: number; v: number };
  /** The nose point used, as given or located (may be fractional), or null when nothing was compensated. */
  nose: NosePoint | null;
  /** int() of the nose point: the window's centre. */
  nosePixel: NosePoint | null;
  /** The clipped window averaged for the head motion; null when empty or without compensation. */
  noseWindow: NoseWindow | null;
  /** How much the map depends on the nose pixel (with the `sensitivity` option and a non-empty window). */
  noseSensitivity?: NoseSensitivity;
  width: number;
  height: number;
  timingsMs: MmcTimings;
  /** Things the user should know (e.g. no compensation because no face was located). */
  warnings: string[];
}

export const NO_NOSE_WARNING =
  'no nose point given and no face locator available: no head-motion compensation (pass a nose point to compensate)';

/** The file an input came from, if any. */
function pathOf(src: string | LoadedImage | FlowField | undefined): string | undefined {
  if (typeof src === 'string') return src;
  return src && 'file' in src && typeof src.file === 'string' ? src.file : undefined;
}

/** The path of a file input, else its label (MediaError.file). */
function fileOf(src: string | LoadedImage | FlowField | undefined, unnamed: string): string {
  return pathOf(src) ?? unnamed;
}

/** How messages name an input: "onset a.png" for a file, "the onset frame" for a decoded image. */
function label(src: string | LoadedImage | FlowField | undefined, role: string, unnamed: string): string {
  const file = pathOf(src);
  return file !== undefined ? `${role} ${file}` : unnamed;
}

/** The native TV-L1 needs this many pixels each way (its pyramid and its 3x3 stencils). */
export const MIN_FLOW_SIDE = 3;

function checkFlowSize(img: LoadedImage, name: string, file: string): void {
  if (img.width < MIN_FLOW_SIDE || img.height < MIN_FLOW_SIDE) {
    throw new MediaError(file, `${name} is ${img.width}x${img.height}: the optical flow needs frames of at least ${MIN_FLOW_SIDE}x${MIN_FLOW_SIDE} pixels; give the full frames, not a thumbnail`);
  }
}

async function load(src: string | LoadedImage): Promise<LoadedImage> {
  return typeof src === 'string' ? loadImage(src) : src;
}

function checkFlowValues(flow: FlowField, name: string, file: string): void {
  for (let i = 0; i < flow.u.length; i++) {
    const u = flow.u[i];
    const v = flow.v[i];
    // Middlebury marks unknown flow with values >= 1e9; they would swamp the min-max normalisation.
    if (!Number.isFinite(u) || !Number.isFinite(v) || Math.abs(u) >= 1e9 || Math.abs(v) >= 1e9) {
      const x = i % flow.width;
      const y = Math.floor(i / flow.width);
      throw new MediaError(file, `${name} has an unknown or non-finite flow value at pixel (${x}, ${y}): give a dense, finite flow`);
    }
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError('MMC-Map');
}

export interface PairFlowOptions {
  onset: string | LoadedImage;
  apex: string | LoadedImage;
  params?: Partial<TvL1Params>;
  device?: Device;
  threads?: number;
  signal?: AbortSignal;
}

export interface PairFlowResult {
  flow: FlowField;
  width: number;
  height: number;
  timingsMs: { load: number; grey: number; flow: number; total: number };
}

function checkSameSize(onset: LoadedImage, apex: LoadedImage, onsetName: string, apexName: string, apexFile: string): void {
  if (apex.width !== onset.width || apex.height !== onset.height) {
    throw new MediaError(
      apexFile,
      `${onsetName} is ${onset.width}x${onset.height} but ${apexName} is ${apex.width}x${apex.height}: the frames must be the same size`,
    );
  }
}

/** TV-L1 flow onset -> apex from files or decoded images (the first half of computeMmc). */
export async function computePairFlow(opts: PairFlowOptions): Promise<PairFlowResult> {
  const t0 = performance.now();
  const onsetName = label(opts.onset, 'onset', 'the onset frame');
  const apexName = label(opts.apex, 'apex', 'the apex frame');
  const [onset, apex] = await Promise.all([load(opts.onset), load(opts.apex)]);
  checkSameSize(onset, apex, onsetName, apexName, fileOf(opts.apex, apexName));
  checkFlowSize(onset, onsetName, fileOf(opts.onset, onsetName));
  const t1 = performance.now();
  throwIfAborted(opts.signal);
  const g0 = toGrey(onset);
  const g1 = toGrey(apex);
  const t2 = performance.now();
  const flow = await computeFlow(g0, g1, opts.params ?? {}, { device: opts.device, threads: opts.threads, signal: opts.signal });
  const t3 = performance.now();
  return {
    flow,
    width: onset.width,
    height: onset.height,
    timingsMs: { load: t1 - t0, grey: t2 - t1, flow: t3 - t2, total: t3 - t0 },
  };
}

/** Computes the MMC-Map of an onset/apex pair. Rejects with MediaError for bad inputs, CancelledError on abort. */
export async function computeMmc(opts: MmcOptions): Promise<MmcResult> {
  const t0 = performance.now();
  const onsetName = label(opts.onset, 'onset', 'the onset frame');
  const apexName = label(opts.apex, 'apex', 'the apex frame');
  if (opts.apex === undefined && opts.flowIn === undefined) {
    throw new RangeError('computeMmc needs an apex frame or a flow (flowIn)');
  }
  const warnings: string[] = [];

  // Load: frames (and a flow file) in parallel; sharp decodes on libuv's pool.
  const flowName = label(opts.flowIn, 'flow', 'the given flow');
  const [onset, apex, given] = await Promise.all([
    load(opts.onset),
    opts.apex === undefined ? Promise.resolve(undefined) : load(opts.apex),
    typeof opts.flowIn === 'string' ? readFlo(opts.flowIn) : Promise.resolve(opts.flowIn),
  ]);
  const { width, height } = onset;
  if (apex) checkSameSize(onset, apex, onsetName, apexName, fileOf(opts.apex, apexName));
  if (!given) checkFlowSize(onset, onsetName, fileOf(opts.onset, onsetName));
  if (given) {
    if (given.width !== width || given.height !== height) {
      throw new MediaError(
        fileOf(opts.flowIn, flowName),
        `${flowName} is ${given.width}x${given.height} but ${onsetName} is ${width}x${height}: give the flow of this pair`,
      );
    }
    checkFlowValues(given, flowName, fileOf(opts.flowIn, flowName));
  }
  const t1 = performance.now();
  throwIfAborted(opts.signal);

  const onsetGrey: GreyImage = toGrey(onset);
  const apexGrey: GreyImage | undefined = apex && !given ? toGrey(apex) : undefined;
  const t2 = performance.now();

  let flow: FlowField;
  if (given) {
    flow = given;
  } else {
    flow = await computeFlow(onsetGrey, apexGrey as GreyImage, opts.params ?? {}, {
      device: opts.device,
      threads: opts.threads,
      signal: opts.signal,
    });
  }
  const t3 = performance.now();
  throwIfAborted(opts.signal);

  // Nose: explicit point, explicitly none, or automatic.
  let nose: NosePoint | null;
  let noFace = false;
  if (opts.nose === undefined) {
    if (opts.locateNose) {
      nose = await opts.locateNose(onset, opts.signal);
      if (!nose) {
        noFace = true;
        warnings.push(
          (opts.noFace ?? 'grey') === 'grey'
            ? `no face found on ${onsetName}: the map is the plain grey onset (no flow colours), as the authors' preprocess.py returns it`
            : `no face found on ${onsetName}: no head-motion compensation (the released weights would be given the plain grey onset)`,
        );
      }
    } else {
      nose = null;
      warnings.push(NO_NOSE_WARNING);
    }
  } else {
    nose = opts.nose;
  }
  if (nose && (!Number.isFinite(nose.x) || !Number.isFinite(nose.y))) {
    throw new RangeError(`nose point (${nose.x}, ${nose.y}) is not a pair of finite numbers`);
  }
  const pixel = nose ? nosePixel(nose) : null;
  const win = pixel ? noseWindow(pixel, width, height, opts.window ?? 11) : null;
  if (pixel && (pixel.x < 0 || pixel.y < 0 || pixel.x >= width || pixel.y >= height)) {
    warnings.push(
      win
        ? `nose point (${nose!.x}, ${nose!.y}) is outside the ${width}x${height} onset frame: the head motion is the mean of the ${win.x1 - win.x0 + 1}x${win.y1 - win.y0 + 1} pixels of its window inside the frame`
        : `nose point (${nose!.x}, ${nose!.y}) is 6 or more pixels outside the ${width}x${height} onset frame: no head motion subtracted (as preprocess.py: its window is empty)`,
    );
  }

  if (noFace && (opts.noFace ?? 'grey') === 'grey') {
    const t4 = performance.now();
    return {
      map: greyToRgb(onsetGrey),
      output: 'grey-onset',
      noFace,
      grey: onsetGrey,
      flow,
      flowSource: given ? 'given' : 'computed',
      head: { u: 0, v: 0 },
      nose: null,
      nosePixel: null,
      noseWindow: null,
      width,
      height,
      timingsMs: { load: t1 - t0, grey: t2 - t1, flow: t3 - t2, render: t4 - t3, total: t4 - t0 },
      warnings,
    };
  }

  const window = opts.window ?? 11;
  const rendered = await renderMmcNative(onsetGrey, flow, { nose: pixel, window, device: opts.device });
  const sensitivity =
    opts.sensitivity && pixel && win
      ? await noseSensitivity(pixel, rendered.rgb, async (p) => (await renderMmcNative(onsetGrey, flow, { nose: p, window, device: opts.device })).rgb)
      : undefined;
  const t4 = performance.now();

  return {
    map: { width, height, data: rendered.rgb },
    output: 'mmc',
    noFace,
    grey: onsetGrey,
    flow,
    flowSource: given ? 'given' : 'computed',
    head: { u: rendered.head[0], v: rendered.head[1] },
    nose: nose ? { x: nose.x, y: nose.y } : null,
    nosePixel: pixel,
    noseWindow: win,
    ...(sensitivity ? { noseSensitivity: sensitivity } : {}),
    width,
    height,
    timingsMs: { load: t1 - t0, grey: t2 - t1, flow: t3 - t2, render: t4 - t3, total: t4 - t0 },
    warnings,
  };
}

/** The map as PNG bytes: RGB, or for 'grey-onset' the 1-channel grey PNG the authors' cv2.imwrite writes. */
export function mmcPng(r: Pick<MmcResult, 'map' | 'output' | 'grey'>): Promise<Buffer> {
  return r.output === 'grey-onset' ? encodeGreyPng(r.grey) : encodePng(r.map);
}
