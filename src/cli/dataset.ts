// `mellm dataset scan DIR` and `mellm dataset mmc DIR --out CACHE`: read a dataset folder, and turn it into
// MMC-Maps with a resumable cache.
import { parseCommandArgs, type OptionSpec } from './args';
import { type BatchProgress, type BatchSummary, runDatasetMmc } from '../core/dataset/batch';
import { DEFAULT_RENDER, engineForDevice } from '../core/dataset/engine';
import { scanDataset } from '../core/dataset/scan';
import { DatasetError, type ScanResult } from '../core/dataset/types';
import { MediaError } from '../core/mediaError';
import { nativeInfo, type Device } from '../core/native';
import { UsageError, UserError, type CliCommand, type CliIO } from './types';
import { BATCH_EXIT_HELP, EXIT, batchExit } from './exitCodes';

function parse<T extends OptionSpec>(argv: string[], options: T): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  const r = parseCommandArgs(argv, options);
  return { values: r.values as Record<string, string | boolean | undefined>, positionals: r.positionals };
}

async function scanOrFail(dir: string): Promise<ScanResult> {
  try {
    return await scanDataset(dir);
  } catch (e) {
    if (e instanceof DatasetError || e instanceof MediaError) throw new UserError(e.message);
    throw e;
  }
}

export function formatScan(s: ScanResult): string {
  const lines = [`${s.root}: ${s.kind} (${s.dataset}), ${s.clips.length} clip(s), ${s.errors.length} unusable`];
  if (s.annotation) {
    const cols = Object.entries(s.annotation.columns).map(([f, h]) => `${f}='${h}'`).join(', ');
    lines.push(`annotation: ${s.annotation.file}${s.annotation.sheet !== undefined ? ` (sheet '${s.annotation.sheet}')` : ''}, header row ${s.annotation.headerRow}: ${cols}`);
  }
  const noApex = s.clips.filter((c) => c.apex === null).length;
  if (noApex) lines.push(`${noApex} clip(s) have no apex frame: it will be spotted from the flow magnitude`);
  const warned = s.clips.filter((c) => c.warnings.length > 0 && c.apex !== null);
  for (const c of warned.slice(0, 20)) lines.push(`warning: ${c.id}: ${c.warnings.join('; ')}`);
  if (warned.length > 20) lines.push(`... and ${warned.length - 20} more clip warning(s) (--json lists all)`);
  for (const e of s.errors) lines.push(`error: ${e.id}: ${e.message}`);
  for (const w of s.warnings) lines.push(`note: ${w}`);
  if (s.protocol) {
    const p = s.protocol;
    lines.push(`protocol ${p.protocol} (${p.classes.join(', ')}): ${p.included.length} clip(s) in, ${p.excluded.length} excluded`);
    const reasons = new Map<string, number>();
    for (const x of p.excluded) {
      const r = x.reason.startsWith('unusable') ? 'unusable' : x.emotion === null ? 'no emotion label' : `label '${x.emotion}'`;
      reasons.set(r, (reasons.get(r) ?? 0) + 1);
    }
    for (const [r, n] of reasons) lines.push(`  excluded: ${n} x ${r}`);
  }
  return lines.join('\n') + '\n';
}

export const datasetScanCommand: CliCommand = {
  name: ['dataset', 'scan'],
  usage: 'dataset scan DIR [--json]',
  summary: 'Detect a dataset layout (CASME II, SAMM, CAS(ME)^3, mellm-dataset.json, generic) and list its clips, problems and protocol subset.',
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parse(argv, { json: { type: 'boolean' } });
    if (positionals.length !== 1) throw new UsageError('give exactly one dataset folder');
    const s = await scanOrFail(positionals[0]);
    io.stdout(values.json ? JSON.stringify(s, null, 1) + '\n' : formatScan(s));
    return 0;
  },
};

function fmtEta(s: number | null): string {
  if (s === null) return '--';
  const t = Math.round(s);
  return t >= 3600 ? `${Math.floor(t / 3600)}h${String(Math.floor((t % 3600) / 60)).padStart(2, '0')}m` : `${Math.floor(t / 60)}m${String(t % 60).padStart(2, '0')}s`;
}

export function formatProgress(p: BatchProgress): string {
  return `${p.done}/${p.total} (${p.computed} computed, ${p.cached} cached, ${p.failed} failed) ${p.rate.toFixed(2)} clips/s, ETA ${fmtEta(p.etaS)}`;
}

function formatSummary(s: BatchSummary): string {
  const lines = [
    `${s.status === 'cancelled' ? 'cancelled' : 'done'}: ${s.total} clip(s): ${s.computed} computed, ${s.cached} already cached, ${s.failed} failed` +
      (s.skipped ? `, ${s.skipped} not reached` : '') +
      ` in ${(s.elapsedMs / 1000).toFixed(1)} s (${s.rate.toFixed(2)} clips/s)`,
  ];
  for (const f of s.failures.slice(0, 20)) lines.push(`failed: ${f.id}: ${f.message}`);
  if (s.failures.length > 20) lines.push(`... ${s.failures.length - 20} more failure(s) in ${s.summary}`);
  if (s.scanErrors.length) lines.push(`${s.scanErrors.length} clip(s) unusable in the annotation (listed in ${s.summary})`);
  lines.push(`manifest: ${s.manifest}`, `summary: ${s.summary}`);
  if (s.status === 'cancelled') lines.push('rerun the same command to finish: finished maps are kept');
  return lines.join('\n') + '\n';
}

export const datasetMmcCommand: CliCommand = {
  name: ['dataset', 'mmc'],
  usage: 'dataset mmc DIR --out CACHE [--jobs N] [--device auto|cpu|cuda] [--json]',
  summary: 'MMC-Maps for every clip of a dataset into CACHE (resumable: a rerun does only missing or changed clips); failures in CACHE/summary.json.',
  help: [
    '--jobs N     clips computed at once (default 1: the flow already uses every core; on a GPU, clips are batched)',
    '--device     where TV-L1 runs (auto: a usable CUDA device, else the CPU)',
    'Cached maps are checked against the size and SHA-256 their manifest records; a bad one is computed again.',
    BATCH_EXIT_HELP,
  ].join('\n'),
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parse(argv, {
      out: { type: 'string' },
      jobs: { type: 'string' },
      device: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (positionals.length !== 1) throw new UsageError('give exactly one dataset folder');
    const out = values.out;
    if (typeof out !== 'string' || out === '') throw new UsageError('--out CACHE is required (the cache folder; rerun with the same one to resume)');
    const jobs = values.jobs === undefined ? 1 : Number(values.jobs);
    if (!Number.isInteger(jobs) || jobs < 1 || jobs > 256) throw new UsageError(`--jobs must be a whole number from 1 to 256 (got '${String(values.jobs)}')`);
    const device = (values.device ?? 'auto') as Device;
    if (!['auto', 'cpu', 'cuda'].includes(device)) throw new UsageError(`--device must be auto, cpu or cuda (got '${device}')`);
    if (device === 'cuda') {
      // Fail once, up front, rather than once per clip.
      const info = nativeInfo();
      if (info.cudaDevices === 0) throw new UserError(`--device cuda: no usable CUDA device (${info.cudaStatus}); use --device auto or cpu`);
    }
    const scan = await scanOrFail(positionals[0]);
    io.stderr(`${scan.root}: ${scan.kind}, ${scan.clips.length} clip(s), ${scan.errors.length} unusable\n`);
    let last = 0;
    const onProgress = (p: BatchProgress): void => {
      const now = Date.now();
      if (now - last < 500 && p.done !== p.total) return;
      last = now;
      io.stderr(`${formatProgress(p)}\n`);
    };
    let summary: BatchSummary;
    try {
      const chosen = await engineForDevice(device, jobs);
      if (chosen.batched) io.stderr(`dataset mmc: CUDA device: clips computed in batches, ${chosen.jobs} in flight\n`);
      summary = await runDatasetMmc(scan, { out, jobs: chosen.jobs, device, signal: io.signal, onProgress, engine: chosen.engine, render: DEFAULT_RENDER });
    } catch (e) {
      if (e instanceof MediaError) throw new UserError(e.message);
      throw e;
    }
    io.stdout(values.json ? JSON.stringify(summary, null, 1) + '\n' : formatSummary(summary));
    if (summary.status === 'cancelled') return EXIT.cancelled;
    return batchExit(summary.failed, summary.total);
  },
};
