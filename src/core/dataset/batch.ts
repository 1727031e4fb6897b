// Batch MMC-Maps for a whole dataset: bounded parallelism, progress with rate and ETA, cancellable,
// resumable through a content-hash + parameter keyed cache, per-clip failures collected as it goes,
// atomic writes only.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { writeFileAtomic } from '../atomicWrite';
import { encodeGreyPng, encodePng, toGrey, type RgbImage } from '../image';
import { CancelledError, type Device, OPENCV_TVL1_DEFAULTS, type TvL1Params } from '../native';
import { type ApexSpot, clipFrames, spotApex } from './apex';
import { cachePaths, canonicalJson, DATASET_MMC_VERSION, fileSha, mapKey, readCached, removeStaleTemps, sha256, writeCached, type FileDigest } from './cache';
import { runPool } from './pool';
import type { Clip, FrameRef, ScanResult } from './types';

/** What the batch needs from the MMC pipeline (src/core/mmc.ts computeMmc fits it). */
export interface MmcEngineRequest {
  onsetPath: string;
  apexPath: string;
  params: TvL1Params;
  device: Device;
  signal?: AbortSignal;
}

export interface MmcEngineResult {
  map: RgbImage;
  /** 'grey-onset': no face, the authors' plain grey onset (written as a 1-channel PNG); default 'mmc'. */
  output?: 'mmc' | 'grey-onset';
  head?: unknown;
  nose?: unknown;
  nosePixel?: unknown;
  warnings?: string[];
  timingsMs?: Record<string, number>;
  /** The engine answered from its own cache (e.g. the panel's, for a clip already opened there): counted as cached. */
  cached?: boolean;
}

export type MmcEngine = (req: MmcEngineRequest) => Promise<MmcEngineResult>;

export interface BatchProgress {
  total: number;
  /** Clips finished in this run: cached + computed + failed. */
  done: number;
  cached: number;
  computed: number;
  failed: number;
  running: number;
  /** Computed clips per second over the last completions (cache hits excluded); 0 until one is computed. */
  rate: number;
  /** Seconds left at that rate; null until a rate is known. */
  etaS: number | null;
  /** The clip that just finished. */
  clipId?: string;
}

export interface BatchOptions {
  /** Cache folder: maps/, spots/, manifest.json, summary.json. */
  out: string;
  jobs?: number;
  device?: Device;
  params?: Partial<TvL1Params>;
  /** Render options that change the map (part of the cache key). */
  render?: Record<string, unknown>;
  signal?: AbortSignal;
  onProgress?: (p: BatchProgress) => void;
  /** Only these clip ids. */
  only?: readonly string[];
  /** The MMC pipeline; the default is computeMmc from src/core/mmc. */
  engine: MmcEngine;
  /** Apex spotting for clips without an apex (default on); off = such clips fail with a reason. */
  spotApex?: boolean;
  /** Test hook: called after each map is written, before the manifest knows it. */
  afterWrite?: (clipId: string) => void;
}

export interface BatchFailure {
  id: string;
  message: string;
  source?: { file: string; sheet?: string; row?: number };
}

export interface ManifestEntry {
  key: string;
  /** Relative to the cache folder. */
  map: string;
  meta: string;
  /** Size and SHA-256 of the map file: readers check them before using it. */
  png: FileDigest;
  onset: FrameRef;
  apex: FrameRef;
  /** Present when the apex was spotted: where its curve is stored. */
  spot?: string;
  /** 'grey-onset' when no face was found (the map is the plain grey onset, as preprocess.py). */
  output: 'mmc' | 'grey-onset';
  warnings: string[];
}

export interface Manifest {
  version: string;
  root: string;
  dataset: string;
  kind: string;
  params: TvL1Params;
  render: Record<string, unknown>;
  updated: string;
  clips: Record<string, ManifestEntry>;
}

export interface BatchSummary {
  status: 'running' | 'done' | 'cancelled';
  root: string;
  out: string;
  total: number;
  cached: number;
  computed: number;
  failed: number;
  /** Clips not reached because the batch was cancelled. */
  skipped: number;
  elapsedMs: number;
  /** Computed clips per second over the run. */
  rate: number;
  failures: BatchFailure[];
  /** Rows the scan could not turn into clips. */
  scanErrors: BatchFailure[];
  manifest: string;
  summary: string;
}

interface MapMeta {
  key: string;
  version: string;
  clipId: string;
  width: number;
  height: number;
  output?: 'mmc' | 'grey-onset';
  head?: unknown;
  nose?: unknown;
  nosePixel?: unknown;
  warnings: string[];
  timingsMs?: Record<string, number>;
  png?: FileDigest;
}

const FLUSH_MS = 1000;

async function readManifest(file: string): Promise<Manifest | null> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as Manifest;
  } catch {
    return null;
  }
}

/** Spot the apex, or reuse a spot stored under the same content key (onset + every frame + params). */
async function spotCached(clip: Clip, out: string, params: TvL1Params, opts: BatchOptions): Promise<{ spot: ApexSpot; rel: string }> {
  const frames = await clipFrames(clip);
  const shas = await Promise.all([clip.onset, ...frames].map(async (f) => `${f.frame}:${await fileSha(f.file)}`));
  const key = sha256(canonicalJson({ v: `${DATASET_MMC_VERSION}/spot`, frames: shas, params }));
  const rel = `spots/${key.slice(0, 2)}/${key}.json`;
  const file = path.join(out, rel);
  try {
    return { spot: JSON.parse(await fs.readFile(file, 'utf8')) as ApexSpot, rel };
  } catch {
    /* not cached */
  }
  const spot = await spotApex(clip, { params, device: opts.device, signal: opts.signal });
  await fs.mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, JSON.stringify(spot));
  return { spot, rel };
}

/**
 * MMC-Maps for every clip of a scan (or `only` those ids). A rerun does only clips whose map is missing or
 * whose inputs/parameters changed. Per-clip failures are recorded and the batch goes on; cancelling stops
 * new work, lets running clips settle, and still writes the manifest and the summary.
 */
export async function runDatasetMmc(scan: ScanResult, opts: BatchOptions): Promise<BatchSummary> {
  const out = path.resolve(opts.out);
  const jobs = Math.max(1, Math.floor(opts.jobs ?? 1));
  const params: TvL1Params = { ...OPENCV_TVL1_DEFAULTS, ...(opts.params ?? {}) };
  const render = opts.render ?? {};
  const device = opts.device ?? 'auto';
  const manifestFile = path.join(out, 'manifest.json');
  const summaryFile = path.join(out, 'summary.json');
  await fs.mkdir(out, { recursive: true });
  await removeStaleTemps(out);

  const only = opts.only ? new Set(opts.only) : null;
  const clips = scan.clips.filter((c) => !only || only.has(c.id));
  const previous = await readManifest(manifestFile);
  const manifest: Manifest = {
    version: DATASET_MMC_VERSION,
    root: scan.root,
    dataset: scan.dataset,
    kind: scan.kind,
    params,
    render,
    updated: new Date().toISOString(),
    clips: {},
  };
  // Earlier entries are kept (a cancelled rerun must not shrink the index; `only` runs build one index),
  // except for clips the dataset no longer has; none are kept when the parameters changed (one manifest, one setting).
  const sameSettings = previous && canonicalJson([previous.version, previous.params, previous.render]) === canonicalJson([manifest.version, params, render]);
  if (previous && sameSettings && previous.root === scan.root && previous.clips) {
    const current = new Set(scan.clips.map((c) => c.id));
    for (const [id, e] of Object.entries(previous.clips)) if (current.has(id)) manifest.clips[id] = e;
  }
  const started = Date.now();
  const failures: BatchFailure[] = [];
  const scanErrors: BatchFailure[] = scan.errors
    .filter((e) => !only || only.has(e.id))
    .map((e) => ({ id: e.id, message: e.message, ...(e.source ? { source: e.source } : {}) }));
  const counts = { cached: 0, computed: 0, failed: 0, running: 0 };
  const recent: number[] = [];

  const summary = (status: BatchSummary['status']): BatchSummary => {
    const elapsedMs = Date.now() - started;
    const done = counts.cached + counts.computed + counts.failed;
    return {
      status,
      root: scan.root,
      out,
      total: clips.length,
      cached: counts.cached,
      computed: counts.computed,
      failed: counts.failed,
      skipped: status === 'cancelled' ? clips.length - done : 0,
      elapsedMs,
      rate: elapsedMs > 0 ? (counts.computed * 1000) / elapsedMs : 0,
      failures,
      scanErrors,
      manifest: manifestFile,
      summary: summaryFile,
    };
  };

  // Manifest and summary are rewritten whole (atomically) at most once a second, and at the end.
  let lastFlush = 0;
  let flushing: Promise<void> = Promise.resolve();
  let flushError: unknown = null;
  const flush = (status: BatchSummary['status'], force = false): Promise<void> => {
    const now = Date.now();
    if (!force && now - lastFlush < FLUSH_MS) return flushing;
    lastFlush = now;
    flushing = flushing.then(async () => {
      manifest.updated = new Date().toISOString();
      await writeFileAtomic(manifestFile, JSON.stringify(manifest));
      await writeFileAtomic(summaryFile, JSON.stringify(summary(status), null, 1));
    }).catch((e: unknown) => {
      // Kept for the end: the final flush reports it; clips already cached stay valid meanwhile.
      flushError = e;
    });
    return flushing;
  };

  const progress = (clipId?: string): void => {
    if (!opts.onProgress) return;
    const done = counts.cached + counts.computed + counts.failed;
    // Rate over the last (up to) 20 computed clips; the window starts at the first of them.
    let rate = 0;
    if (recent.length >= 2) rate = ((recent.length - 1) * 1000) / Math.max(1, recent[recent.length - 1] - recent[0]);
    else if (recent.length === 1) rate = 1000 / Math.max(1, recent[0] - started);
    const left = clips.length - done;
    opts.onProgress({ total: clips.length, done, ...counts, rate, etaS: rate > 0 ? left / rate : left === 0 ? 0 : null, clipId });
  };

  const fail = (clip: Clip, e: unknown): void => {
    if (e instanceof CancelledError || (opts.signal?.aborted && (e as { name?: string }).name === 'CancelledError')) return;
    counts.failed++;
    failures.push({ id: clip.id, message: (e as Error).message ?? String(e), ...(clip.source ? { source: clip.source } : {}) });
    delete manifest.clips[clip.id];
  };
  const settle = (clip: Clip): void => {
    counts.running--;
    progress(clip.id);
    void flush('running');
  };

  // Encoding and writing a finished map overlap the next clip's flow, so the cores never wait on fsync.
  // At most `maxPending` maps wait to be written (bounded memory).
  const pending = new Set<Promise<void>>();
  const maxPending = jobs * 2;

  const doClip = async (clip: Clip): Promise<void> => {
    counts.running++;
    let handedOff = false;
    try {
      const warnings = [...clip.warnings];
      let apex = clip.apex;
      let spotRel: string | undefined;
      if (!apex) {
        if (opts.spotApex === false) throw new Error('no apex frame annotated and apex spotting is off');
        const s = await spotCached(clip, out, params, opts);
        apex = s.spot.apex;
        spotRel = s.rel;
        warnings.push(...s.spot.warnings, `apex spotted at frame ${apex.frame} (peak of the flow magnitude curve)`);
      }
      const [onsetSha, apexSha] = await Promise.all([fileSha(clip.onset.file), fileSha(apex.file)]);
      const key = mapKey({ version: DATASET_MMC_VERSION, onsetSha, apexSha, params, render });
      const paths = cachePaths(out, key);
      const hit = await readCached<MapMeta>(paths);
      const entry = (meta: MapMeta & { png: FileDigest }): ManifestEntry => ({
        key,
        map: paths.relPng,
        meta: paths.relMeta,
        png: meta.png,
        onset: clip.onset,
        apex: apex as FrameRef,
        ...(spotRel ? { spot: spotRel } : {}),
        output: meta.output ?? 'mmc',
        warnings: [...warnings, ...meta.warnings],
      });
      if (hit?.png) {
        manifest.clips[clip.id] = entry({ ...hit, png: hit.png });
        counts.cached++;
        return;
      }
      const res = await opts.engine({ onsetPath: clip.onset.file, apexPath: apex.file, params, device, signal: opts.signal });
      const meta: MapMeta = {
        key,
        version: DATASET_MMC_VERSION,
        clipId: clip.id,
        width: res.map.width,
        height: res.map.height,
        output: res.output ?? 'mmc',
        head: res.head,
        nose: res.nose,
        nosePixel: res.nosePixel,
        warnings: res.warnings ?? [],
        timingsMs: res.timingsMs,
      };
      handedOff = true;
      const write = (async (): Promise<void> => {
        try {
          const png = res.output === 'grey-onset' ? await encodeGreyPng(toGrey(res.map)) : await encodePng(res.map);
          const written = await writeCached(paths, png, meta);
          opts.afterWrite?.(clip.id);
          manifest.clips[clip.id] = entry(written);
          if (res.cached) counts.cached++;
          else {
            counts.computed++;
            recent.push(Date.now());
            if (recent.length > 20) recent.shift();
          }
        } catch (e) {
          fail(clip, e);
        } finally {
          settle(clip);
        }
      })();
      pending.add(write);
      void write.finally(() => pending.delete(write));
      if (pending.size >= maxPending) await Promise.race(pending);
    } catch (e) {
      fail(clip, e);
    } finally {
      if (!handedOff) settle(clip);
    }
  };

  await flush('running', true);
  progress();
  await runPool(clips, jobs, doClip, opts.signal);
  // Maps already computed are written even when cancelled: finished work is never thrown away.
  await Promise.all(pending);
  const status = opts.signal?.aborted ? 'cancelled' : 'done';
  flushError = null;
  await flush(status, true);
  if (flushError) throw flushError;
  return summary(status);
}
