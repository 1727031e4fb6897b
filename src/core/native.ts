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
}

export interface NativeInfo {
  cudaCompiled: boolean;
  cudaDevices: number;
  cpuThreads: number;
}

interface CancelTokenHandle {
  cancel(): void;
  readonly cancelled: boolean;
}

interface NativeAddon {
  CancelToken: new () => CancelTokenHandle;
  flow(
    onset: Uint8Array,
    apex: Uint8Array,
    width: number,
    height: number,
    params: Partial<TvL1Params>,
    opts: { device?: Device; deviceIndex?: number; threads?: number },
    cancel?: CancelTokenHandle,
  ): Promise<{ u: Float32Array; v: Float32Array }>;
  renderMmc(
    grey: Uint8Array,
    u: Float32Array,
    v: Float32Array,
    width: number,
    height: number,
    opts: { nose: [number, number] | null; window?: number; device?: Device; deviceIndex?: number },
  ): Promise<RenderResult>;
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
    const { u, v } = await native.flow(
      onset.data,
      apex.data,
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
  /** Nose tip in onset pixel coordinates (rounded to integers); null = no head-motion compensation. */
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
  const nose: [number, number] | null = opts.nose ? [Math.round(opts.nose.x), Math.round(opts.nose.y)] : null;
  return loadNative().renderMmc(onset.data, flow.u, flow.v, flow.width, flow.height, {
    nose,
    window: opts.window ?? 11,
    device: opts.device ?? 'auto',
    deviceIndex: opts.deviceIndex ?? 0,
  });
}

export function nativeInfo(): NativeInfo {
  return loadNative().info();
}
