// The batch's MMC engine: computeMmc with the nose tip from the 68-point face model on the onset frame
// (the same locator as `mellm mmc`).
import { locateNoseTip } from '../face/nose';
import { computeMmc } from '../mmc';
import type { MmcEngine } from './batch';

/** Render options that change the map: part of the batch cache key. */
export const DEFAULT_RENDER = Object.freeze({ nose: 'face68-index30', window: 11 });

/** computeMmc for a batch: automatic nose tip (no face: no compensation, with the pipeline's warning). */
export function defaultMmcEngine(opts: { threads?: number } = {}): MmcEngine {
  return async (req) => {
    const r = await computeMmc({
      onset: req.onsetPath,
      apex: req.apexPath,
      params: req.params,
      device: req.device,
      threads: opts.threads,
      window: DEFAULT_RENDER.window,
      locateNose: locateNoseTip,
      signal: req.signal,
    });
    return { map: r.map, head: r.head, nose: r.nose, warnings: r.warnings, timingsMs: { ...r.timingsMs } };
  };
}
