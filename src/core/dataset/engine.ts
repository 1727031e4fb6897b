// The batch's MMC engine: computeMmc with the nose tip from the 68-point face model on the onset frame
// (the same locator as `mellm mmc`).
import { locateNoseTip } from '../face/nose';
import { createNosePool } from '../face/pool';
import { computeMmc, type NoseLocator } from '../mmc';
import { nativeInfo, type Device } from '../native';
import type { MmcEngine } from './batch';

/**
 * Render options that change the map: part of the batch cache key. No face: the authors' plain grey onset
 * (preprocess.py's result), recorded per clip as output 'grey-onset'.
 */
export const DEFAULT_RENDER = Object.freeze({ nose: 'face68-index30', window: 11, noFace: 'grey' as const });

/**
 * computeMmc for a batch: automatic nose tip (no face: the grey onset, with the pipeline's warning),
 * by `locateNose` (default: on this thread).
 */
export function defaultMmcEngine(opts: { threads?: number; locateNose?: NoseLocator } = {}): MmcEngine {
  const locateNose = opts.locateNose ?? locateNoseTip;
  return async (req) => {
    const r = await computeMmc({
      onset: req.onsetPath,
      apex: req.apexPath,
      params: req.params,
      device: req.device,
      threads: opts.threads,
      window: DEFAULT_RENDER.window,
      locateNose,
      noFace: DEFAULT_RENDER.noFace,
      signal: req.signal,
    });
    return { map: r.map, output: r.output, head: r.head, nose: r.nose, nosePixel: r.nosePixel, warnings: r.warnings, timingsMs: { ...r.timingsMs } };
  };
}

/**
 * The engine and parallelism for a dataset job on `device`: with a usable CUDA device, the batching engine
 * (many clips per kernel launch; enough clips in flight to fill a batch while the next ones decode);
 * otherwise computeMmc per clip with `jobs` clips at a time.
 */
export async function engineForDevice(device: Device, jobs: number): Promise<{ engine: MmcEngine; jobs: number; batched: boolean }> {
  const gpu = device === 'cuda' || (device === 'auto' && nativeInfo().cudaDevices > 0);
  // Face detection on worker threads: in parallel, and off the thread that runs the job (the extension
  // host's, in the editor). Idle workers stop by themselves after the job.
  const { locate } = createNosePool();
  if (!gpu) return { engine: defaultMmcEngine({ locateNose: locate }), jobs, batched: false };
  const { batchedMmcEngine } = await import('./batchedEngine');
  const maxBatch = 256;
  return {
    engine: batchedMmcEngine({ maxBatch, maxWaitMs: 5, device: 'cuda', locateNose: locate }),
    jobs: Math.max(jobs, 2 * maxBatch),
    batched: true,
  };
}

/** The caller's engine when there is one (with its `jobs`), else engineForDevice's for `device`. */
export async function engineOrDefault(
  engine: MmcEngine | undefined,
  device: Device | undefined,
  jobs: number | undefined,
): Promise<{ engine: MmcEngine; jobs: number | undefined }> {
  return engine ? { engine, jobs } : engineForDevice(device ?? 'auto', jobs ?? 1);
}
