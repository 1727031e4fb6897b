// An MMC engine that coalesces the dataset job's concurrent requests into native batches
// (computeBatch): on a GPU every pair of a batch advances through TV-L1 in the same kernel launches and
// is rendered on the device; on the CPU the batch runs one pair per core. Decoding and face detection of
// the next requests go on while a batch computes, so the device is not left waiting on I/O.
import { performance } from 'node:perf_hooks';
import { greyToRgb, loadImage, toGrey, type RgbImage } from '../image';
import { computeBatch, type BatchPair, type Device, type GreyImage, type TvL1Params } from '../native';
import { MIN_FLOW_SIDE, type NoseLocator } from '../mmc';
import { nosePixel } from '../noseWindow';
import type { MmcEngine, MmcEngineRequest, MmcEngineResult } from './batch';
import { locateNoseTip } from '../face/nose';
import { DEFAULT_RENDER } from './engine';

export interface BatchedEngineOptions {
  /** Most pairs in one native batch (GPU: hundreds; CPU: a few per core). */
  maxBatch: number;
  /** How long a partial batch waits for more requests before it runs. */
  maxWaitMs: number;
  device: Device;
  /** Nose-tip locator (default: locateNoseTip on this thread; dataset jobs pass a worker pool's). */
  locateNose?: NoseLocator;
}

interface Pending {
  pair: BatchPair;
  key: string;
  params: TvL1Params;
  resolve: (r: MmcEngineResult) => void;
  reject: (e: unknown) => void;
  started: number;
  warnings: string[];
  nose: { x: number; y: number } | null;
  signal?: AbortSignal;
}

function sameSizeKey(g: GreyImage, p: TvL1Params): string {
  return `${g.width}x${g.height}:${JSON.stringify(p)}`;
}

export function batchedMmcEngine(opts: BatchedEngineOptions): MmcEngine {
  const queue: Pending[] = [];
  let timer: NodeJS.Timeout | undefined;
  let running = 0;

  const flush = (): void => {
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    while (queue.length > 0) {
      // Pairs of one size and parameter set go together.
      const key = queue[0].key;
      const take: Pending[] = [];
      for (let i = 0; i < queue.length && take.length < opts.maxBatch; ) {
        if (queue[i].key === key) take.push(...queue.splice(i, 1));
        else i++;
      }
      void run(take);
    }
  };

  const run = async (items: Pending[]): Promise<void> => {
    running += 1;
    const live = items.filter((it) => !it.signal?.aborted);
    for (const it of items) if (it.signal?.aborted) it.reject(Object.assign(new Error('cancelled'), { name: 'CancelledError' }));
    try {
      if (live.length === 0) return;
      const t = performance.now();
      const results = await computeBatch(
        live.map((it) => it.pair),
        live[0].params,
        { device: opts.device, window: DEFAULT_RENDER.window },
      );
      const ms = performance.now() - t;
      results.forEach((r, i) => {
        const it = live[i];
        const map: RgbImage = { width: r.flow.width, height: r.flow.height, data: r.map!.rgb };
        it.resolve({
          map,
          output: 'mmc',
          head: { u: r.map!.head[0], v: r.map!.head[1] },
          nose: it.nose,
          nosePixel: it.nose ? nosePixel(it.nose) : null,
          warnings: it.warnings,
          timingsMs: { batchFlowAndRender: ms, batchSize: live.length, total: performance.now() - it.started },
        });
      });
    } catch (e) {
      for (const it of live) it.reject(e);
    } finally {
      running -= 1;
    }
  };

  return async (req: MmcEngineRequest): Promise<MmcEngineResult> => {
    const started = performance.now();
    const [onsetImg, apexImg] = await Promise.all([loadImage(req.onsetPath), loadImage(req.apexPath)]);
    const onset = toGrey(onsetImg);
    const apex = toGrey(apexImg);
    if (onset.width !== apex.width || onset.height !== apex.height) {
      throw new Error(`onset ${req.onsetPath} is ${onset.width}x${onset.height} but apex ${req.apexPath} is ${apex.width}x${apex.height}: frames must be the same size`);
    }
    if (onset.width < MIN_FLOW_SIDE || onset.height < MIN_FLOW_SIDE) {
      throw new Error(`onset ${req.onsetPath} is ${onset.width}x${onset.height}: the optical flow needs frames of at least ${MIN_FLOW_SIDE}x${MIN_FLOW_SIDE} pixels`);
    }
    const found = await (opts.locateNose ?? locateNoseTip)(onsetImg, req.signal);
    // The renderer centres the window on int() of the point (preprocess.py); the point is reported as located.
    const nose = found ? { x: found.x, y: found.y } : null;
    if (!nose) {
      // preprocess.py's no-face result, as computeMmc gives it with noFace 'grey': the plain grey onset.
      return {
        map: greyToRgb(onset),
        output: 'grey-onset',
        head: { u: 0, v: 0 },
        nose: null,
        nosePixel: null,
        warnings: [`no face found on onset ${req.onsetPath}: the map is the plain grey onset (no flow colours), as the authors' preprocess.py returns it`],
        timingsMs: { total: performance.now() - started },
      };
    }
    const warnings: string[] = [];
    return new Promise<MmcEngineResult>((resolve, reject) => {
      queue.push({ pair: { onset, apex, render: { nose } }, key: sameSizeKey(onset, req.params), params: req.params, resolve, reject, started, warnings, nose, signal: req.signal });
      if (queue.length >= opts.maxBatch || running === 0) {
        // Full, or the device is idle: go now (small waits only help while a batch is computing).
        if (queue.length >= opts.maxBatch) flush();
        else if (!timer) timer = setTimeout(flush, opts.maxWaitMs);
      } else if (!timer) {
        timer = setTimeout(flush, opts.maxWaitMs);
      }
    });
  };
}
