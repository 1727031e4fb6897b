// Public face of the dataset module: scanning, protocol subsets, apex spotting and the batch MMC job.
import { type BatchOptions, type BatchSummary, runDatasetMmc } from './batch';
import { DEFAULT_RENDER, engineOrDefault } from './engine';
import { scanDataset } from './scan';
import type { ScanResult } from './types';

export * from './types';
export { scanDataset, type ScanOptions } from './scan';
export { protocolSubset } from './protocol';
export { spotApex, type ApexSpot, type ApexCurvePoint, type SpotOptions } from './apex';
export { parseAus, normaliseDatasetEmotion } from './normalise';
export { MAPPING_FILE, type DatasetMapping } from './mapping';
export {
  runDatasetMmc,
  type BatchOptions,
  type BatchProgress,
  type BatchSummary,
  type BatchFailure,
  type Manifest,
  type ManifestEntry,
  type MmcEngine,
} from './batch';
export { defaultMmcEngine, engineForDevice, DEFAULT_RENDER } from './engine';

export type DatasetMapsOptions = Omit<BatchOptions, 'engine' | 'render'> & Partial<Pick<BatchOptions, 'engine' | 'render'>>;

/**
 * Scan `dir` and compute every clip's MMC-Map into `opts.out` (the VS Code command and the CLI both use this).
 * Throws DatasetError when the folder cannot be read as a dataset; per-clip failures are in the summary.
 */
export async function computeDatasetMaps(dir: string, opts: DatasetMapsOptions): Promise<{ scan: ScanResult; summary: BatchSummary }> {
  const scan = await scanDataset(dir);
  const chosen = await engineOrDefault(opts.engine, opts.device, opts.jobs);
  const summary = await runDatasetMmc(scan, { ...opts, jobs: chosen.jobs, engine: chosen.engine, render: opts.render ?? DEFAULT_RENDER });
  return { scan, summary };
}
