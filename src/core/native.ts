// The only module that loads the native addon (native/build/Release/mellm_native.node).
// Everything else calls these typed wrappers.
import * as path from 'node:path';
import * as fs from 'node:fs';

export type Device = 'auto' | 'cpu' | 'cuda';

/** TV-L1 parameters; defaults are OpenCV's DualTVL1OpticalFlow defaults (DESIGN.md section 2). */
export interface TvL1Params {
  tau: number;
  lambda: number;
  theta: number;
  nscales: number;
  warps: number;
  epsilon: number;
  innerIterations: number;
  outerIterations: number;
  scaleStep: number;
  gamma: number;
  medianFiltering: number;
}

export const OPENCV_TVL1_DEFAULTS: Readonly<TvL1Params> = Object.freeze({
  tau: 0.25,
  lambda: 0.15,
  theta: 0.3,
  nscales: 5,
  warps: 5,
  epsilon: 0.01,
  innerIterations: 30,
  outerIterations: 10,
  scaleStep: 0.8,
  gamma: 0,
  medianFiltering: 5,
});

/** 8-bit single-channel image, row-major, no padding. */
export interface GreyImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Dense flow in pixels, x to the right, y downwards. */
export interface FlowField {
  width: number;
  height: number;
  u: Float32Array;
  v: Float32Array;
}

export interface ComputeOptions {
  device?: Device;
  deviceIndex?: number;
  /** Worker threads for the CPU backend; 0 or absent = all cores. */
  threads?: number;
  signal?: AbortSignal;
}

export interface RenderResult {
  /** width*height*3, RGB. */
  rgb: Uint8Array;
  /** The head-motion vector that was subtracted; [0, 0] without compensation. */
  head: [number, number];
  magMin: number;
  magMax: number;
  /**
   * The clipped nose window was empty (nose 6+ px outside the image): nothing was subtracted and the map
   * was made in float64, as preprocess.py does then (its mean is the float64 array [0.0, 0.0]).
   */
  emptyWindow: boolean;
}

export interface NativeInfo {
  cudaCompiled: boolean;
  cudaDevices: number;
  /** Why no CUDA device is usable (no driver, no GPU, CPU-only build); empty when one is. */
  cudaStatus: string;
  cpuThreads: number;
}

/** One pair of a batch: grey frames of one size, optionally rendered to an MMC-Map. */
export interface BatchPair {
  onset: GreyImage;
  apex: GreyImage;
  /** Render the map too; `nose` null = no head-motion compensation. */
  render?: { nose: { x: number; y: number } | null };
}

/**
 * The nose pixel the native renderer takes: Python's int() of each coordinate (toward zero), as
 * preprocess.py does, kept inside int32 (a point that far out has an empty window either way).
 */
export function nativeNosePixel(nose: { x: number; y: number } | null): [number, number] | null {
  if (!nose) return null;
  if (!Number.isFinite(nose.x) || !Number.isFinite(nose.y)) throw new RangeError(`nose point (${nose.x}, ${nose.y}) is not a pair of finite numbers`);
  const clamp = (v: number) => Math.max(-1e9, Math.min(1e9, Math.trunc(v))) + 0;
  return [clamp(nose.x), clamp(nose.y)];
}

export interface BatchResult {
  flow: FlowField;
  /** Present when the pair asked for rendering. */
  map?: RenderResult;
}

interface NativeBatchItem {
  onset: Uint8Array;
  apex: Uint8Array;
  render: boolean;
  nose: [number, number] | null;
}

interface NativeBatchResult {
  u: Float32Array;
  v: Float32Array;
  rgb?: Uint8Array;
  head?: [number, number];
  magMin?: number;
  magMax?: number;
  emptyWindow?: boolean;
}

interface CancelTokenHandle {
  cancel(): void;
  readonly cancelled: boolean;
}

interface NativeAddon {
  CancelToken: new () => CancelTokenHandle;
  renderMmc(
    grey: Uint8Array,
    u: Float32Array,
    v: Float32Array,
    width: number,
    height: number,
    opts: { nose: [number, number] | null; window?: number; device?: Device; deviceIndex?: number },
  ): Promise<RenderResult>;
  batch(
    pairs: NativeBatchItem[],
    width: number,
    height: number,
    params: Partial<TvL1Params>,
    opts: { device?: Device; deviceIndex?: number; threads?: number; window?: number },
    cancel?: CancelTokenHandle,
  ): Promise<NativeBatchResult[]>;
  info(): NativeInfo;
}

let addon: NativeAddon | undefined;

/** Candidate locations: next to the bundle (dist/ -> ../native) and next to the sources (src/core -> ../../native). */
function addonPath(): string {
  const rel = path.join('native', 'build', 'Release', 'mellm_native.node');
  const candidates = [path.resolve(__dirname, '..', rel), path.resolve(__dirname, '..', '..', rel)];
  for (const c of candidates) if (fs.existsSync(c)) return c;
  throw new Error(
    `the native addon is not built (looked for ${candidates.join(' and ')}): run 'npm ci' (or 'npm run install') in the extension folder`,
  );
}

export function loadNative(): NativeAddon {
  if (!addon) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    addon = require(addonPath()) as NativeAddon;
  }
  return addon;
}

export class CancelledError extends Error {
  readonly code = 'ECANCELLED';
  constructor(what = 'operation') {
    super(`${what} cancelled`);
    this.name = 'CancelledError';
  }
}

function sameSize(a: GreyImage, b: GreyImage): void {
  if (a.width !== b.width || a.height !== b.height) {
    throw new RangeError(`onset is ${a.width}x${a.height} but apex is ${b.width}x${b.height}: frames must be the same size`);
  }
}

/** TV-L1 flow onset -> apex, off the JS thread; rejects with CancelledError when the signal aborts. */
export async function computeFlow(
  onset: GreyImage,
  apex: GreyImage,
  params: Partial<TvL1Params> = {},
  opts: ComputeOptions = {},
): Promise<FlowField> {
  sameSize(onset, apex);
  const native = loadNative();
  if (opts.signal?.aborted) throw new CancelledError('optical flow');
  const token = new native.CancelToken();
  const onAbort = (): void => token.cancel();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    // One pair through the batch entry point (on the CPU it uses all `threads` for that pair).
    const [{ u, v }] = await native.batch(
      [{ onset: onset.data, apex: apex.data, render: false, nose: null }],
      onset.width,
      onset.height,
      { ...OPENCV_TVL1_DEFAULTS, ...params },
      { device: opts.device ?? 'auto', deviceIndex: opts.deviceIndex ?? 0, threads: opts.threads ?? 0 },
      token,
    );
    return { width: onset.width, height: onset.height, u, v };
  } catch (e) {
    if ((e as { code?: string }).code === 'ECANCELLED') throw new CancelledError('optical flow');
    throw e;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

export interface RenderOptions {
  /**
   * Nose tip in onset pixel coordinates; the window is centred on int(x), int(y) (truncation, as
   * preprocess.py) and may lie partly or wholly outside the image. null = no head-motion compensation.
   */
  nose: { x: number; y: number } | null;
  /** Side of the square averaging window, odd; 11 by default (DESIGN.md step 4). */
  window?: number;
  device?: Device;
  deviceIndex?: number;
}

/** MMC-Map steps 4-8 (compensation, HSV colouring, overlay) in native code. */
export async function renderMmcNative(onset: GreyImage, flow: FlowField, opts: RenderOptions): Promise<RenderResult> {
  if (onset.width !== flow.width || onset.height !== flow.height) {
    throw new RangeError(`flow is ${flow.width}x${flow.height} but the onset frame is ${onset.width}x${onset.height}`);
  }
  const nose = nativeNosePixel(opts.nose);
  return loadNative().renderMmc(onset.data, flow.u, flow.v, flow.width, flow.height, {
    nose,
    window: opts.window ?? 11,
    device: opts.device ?? 'auto',
    deviceIndex: opts.deviceIndex ?? 0,
  });
}

/**
 * Many pairs at once (a dataset job): on the GPU all same-size pairs advance together; on the CPU one
 * pair per core. Pairs of different sizes are grouped by size; results come back in input order.
 */
export async function computeBatch(
  pairs: BatchPair[],
  params: Partial<TvL1Params> = {},
  opts: ComputeOptions & { window?: number } = {},
): Promise<BatchResult[]> {
  const native = loadNative();
  for (const p of pairs) sameSize(p.onset, p.apex);
  if (opts.signal?.aborted) throw new CancelledError('optical flow');
  const groups = new Map<string, number[]>();
  pairs.forEach((p, i) => {
    const key = `${p.onset.width}x${p.onset.height}`;
    const g = groups.get(key);
    if (g) g.push(i);
    else groups.set(key, [i]);
  });
  const token = new native.CancelToken();
  const onAbort = (): void => token.cancel();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const out: BatchResult[] = new Array(pairs.length);
  try {
    for (const idx of groups.values()) {
      const { width, height } = pairs[idx[0]].onset;
      const items: NativeBatchItem[] = idx.map((i) => {
        const p = pairs[i];
        const nose = p.render?.nose;
        return { onset: p.onset.data, apex: p.apex.data, render: p.render !== undefined, nose: nativeNosePixel(nose ?? null) };
      });
      const res = await native.batch(
        items,
        width,
        height,
        { ...OPENCV_TVL1_DEFAULTS, ...params },
        { device: opts.device ?? 'auto', deviceIndex: opts.deviceIndex ?? 0, threads: opts.threads ?? 0, window: opts.window ?? 11 },
        token,
      );
      res.forEach((r, k) => {
        const flow: FlowField = { width, height, u: r.u, v: r.v };
        out[idx[k]] = r.rgb
          ? { flow, map: { rgb: r.rgb, head: r.head ?? [0, 0], magMin: r.magMin ?? 0, magMax: r.magMax ?? 0, emptyWindow: r.emptyWindow ?? false } }
          : { flow };
      });
    }
    return out;
  } catch (e) {
    if ((e as { code?: string }).code === 'ECANCELLED') throw new CancelledError('optical flow');
    throw e;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

export function nativeInfo(): NativeInfo {
  return loadNative().info();
}
