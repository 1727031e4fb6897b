// Accuracy of the built-in reasoner, end to end: photo -> synthetic expression and camera -> JPEG frames
// -> the product's pipeline (face, flow, lighting, regional motion, evidence) -> the reasoner's answer text
// -> the answer parser -> AUs and emotion, scored against what the generator applied.
//
// The expressions come from _facsActions.ts (FACS appearance descriptions, written apart from the rules),
// the camera from _camera.ts; the pairs and splits from _accuracyPairs.ts. `npm run bench --
// reasoner-accuracy` scores the REPORT split (held-out faces and seeds). Run alone:
//   node --import tsx scripts/bench/reasoner-accuracy.ts [--split report|dev|calibration] [--limit N] [--out FILE.json]
//   node --import tsx scripts/bench/reasoner-accuracy.ts --calibrate [--cache FILE.json]   (rewrites src/core/reasoning/evidenceCalibration.ts)
// --cache FILE keeps the measurements of a split for trying rules again on them; a figure for the README
// comes from a run without it.
// Prints: per-AU F1 at >= 0.6 px and below (camera-only pairs included, so a false AU costs precision),
// laterality, emotion UF1/UAR over EMFACS prototypes, the false-emotion rate on camera-only pairs and the
// abstention rate.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { LoadedImage } from '../../src/core/image';
import { computeMetrics, normalizeAu, type Outcome } from '../../src/core/bench/metrics';
import { EMOTIONS } from '../../src/core/emotions';
import { measurePairMotion } from '../../src/core/reasoning/pairMotion';
import { parseAnswer } from '../../src/core/reasoning/parse';
import { buildPrompt } from '../../src/core/reasoning/prompts';
import { BuiltinReasoner } from '../../src/core/reasoning/reasoner';
import { inferAus } from '../../src/core/reasoning/facsRules';
import { rejudge, withThreshold, type RegionMotionReport } from '../../src/core/reasoning/regionMotion';
import { REGION_NAMES } from '../../src/core/face/types';
import { writeFileAtomic } from '../../src/core/atomicWrite';
import { rng } from '../../test/support/rng';
import { runAlone, type BenchRow } from './_common';
import { jpegRoundTrip, renderApex, renderOnset } from './_camera';
import { SCORED_AUS, placeActions, type Pt } from './_facsActions';
import { pairsOf, SIZES, type PairSpec, type Split } from './_accuracyPairs';
import { FRESH_REPORT_FACES, loadBenchFace, type BenchFace } from './_benchFaces';

export interface PairRecord {
  id: string;
  /** The face (fixture path or face-set:ID). */
  face: string;
  kind: PairSpec['kind'];
  amplitude: number;
  truthAus: string[];
  truthEmotion?: string;
  /** Parse status of the reasoner's answer ('parsed', 'none', 'undetermined', 'unparsed'), or 'no-face'. */
  status: string;
  emotion: string | null;
  /** Canonical AU codes parsed from the answer ('AU12', 'R12'). */
  aus: string[];
  lighting?: string;
  ms: number;
  /** Per region (when kept): z, magnitude px, whether it passed. */
  regions?: Record<string, [number, number, boolean]>;
}

const reasoner = new BuiltinReasoner();

/** Renders the pair and measures it with the product's pipeline; null when no face was found. */
export async function measureSpec(spec: PairSpec, photo: LoadedImage, points: Pt[]): Promise<RegionMotionReport | null> {
  const r = rng(spec.seed);
  const onset = await jpegRoundTrip(renderOnset(photo, spec.cam, r), spec.cam.jpeg);
  const apex = await jpegRoundTrip(renderApex(photo, placeActions(points, spec.actions), spec.cam, r), spec.cam.jpeg);
  return (await measurePairMotion({ onset, apex, threads: 2 })).motion;
}

/** The reasoner's answer on a measured pair, parsed back (half the pairs in zh, half in en). */
export function answerSpec(spec: PairSpec, motion: RegionMotionReport | null, index: number, ms: number): PairRecord {
  const base = { id: spec.id, face: spec.face, kind: spec.kind, amplitude: spec.amplitude, truthAus: spec.truthAus, truthEmotion: spec.truthEmotion };
  if (!motion) return { ...base, status: 'no-face', emotion: null, aus: [], ms };
  const lang = index % 2 === 0 ? 'zh' : 'en';
  const { text } = reasoner.answer({ mapPng: new Uint8Array(0), prompt: buildPrompt({ lang, protocol: 'dfme' }), lang, task: 'meu', motion });
  const parsed = parseAnswer(text);
  const aus = [...new Set(parsed.aus.map((a) => normalizeAu(a.code)).filter((c): c is string => c !== null))];
  const lighting = motion.lighting?.significant ? motion.lighting.sentence.en : undefined;
  return { ...base, status: parsed.status, emotion: parsed.emotion, aus, ...(lighting ? { lighting } : {}), ms };
}

const num = (code: string) => `AU${code.replace(/^(AU|L|R)/, '')}`;

interface F1 {
  tp: number;
  fp: number;
  fn: number;
  f1: number;
  support: number;
}

function f1Of(tp: number, fp: number, fn: number): number {
  return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
}

/** Per-AU F1 (side ignored) over `records`. */
export function perAuF1(records: readonly PairRecord[]): Map<number, F1> {
  const out = new Map<number, F1>();
  for (const au of SCORED_AUS) {
    const key = `AU${au}`;
    let tp = 0;
    let fp = 0;
    let fn = 0;
    let support = 0;
    for (const rec of records) {
      const truth = rec.truthAus.map(num).includes(key);
      const pred = rec.aus.map(num).includes(key);
      if (truth) support++;
      if (truth && pred) tp++;
      else if (truth) fn++;
      else if (pred) fp++;
    }
    out.set(au, { tp, fp, fn, f1: f1Of(tp, fp, fn), support });
  }
  return out;
}

export function summarise(records: readonly PairRecord[]): BenchRow[] {
  const rows: BenchRow[] = [];
  const B = 'reasoner-accuracy';
  const nulls = records.filter((r) => r.kind === 'null');
  const singles = records.filter((r) => r.kind === 'au');
  const protos = records.filter((r) => r.kind === 'prototype');
  const positives = records.filter((r) => r.kind !== 'null');
  const big = perAuF1([...singles.filter((r) => r.amplitude >= 0.6), ...nulls]);
  const small = perAuF1([...singles.filter((r) => r.amplitude < 0.6), ...nulls]);
  for (const au of SCORED_AUS) {
    const b = big.get(au)!;
    const s = small.get(au)!;
    rows.push({ bench: B, metric: `AU${au} F1, >= 0.6 px`, value: b.f1, unit: '', note: `tp ${b.tp} fp ${b.fp} fn ${b.fn}; < 0.6 px: F1 ${s.f1.toFixed(2)} (tp ${s.tp} fn ${s.fn})` });
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  rows.push({ bench: B, metric: 'AU F1 macro, >= 0.6 px', value: mean([...big.values()].map((x) => x.f1)), unit: '', note: `${SCORED_AUS.filter((a) => big.get(a)!.f1 >= 0.8).length}/${SCORED_AUS.length} AUs >= 0.8; single-AU pairs >= 0.6 px + camera-only pairs` });
  rows.push({ bench: B, metric: 'AU F1 macro, < 0.6 px', value: mean([...small.values()].map((x) => x.f1)), unit: '' });
  // Laterality: one-sided single-AU pairs whose AU was found: was it given the right side (and only it)?
  const oneSided = singles.filter((r) => /^[LR]/.test(r.truthAus[0] ?? ''));
  const found = oneSided.filter((r) => r.aus.some((c) => num(c) === num(r.truthAus[0])));
  const sideRight = found.filter((r) => r.aus.filter((c) => num(c) === num(r.truthAus[0])).every((c) => c === r.truthAus[0]));
  rows.push({ bench: B, metric: 'laterality: one-sided AU found with its side', value: sideRight.length / Math.max(1, found.length), unit: '', note: `${sideRight.length}/${found.length} (subject's side)` });

  const outcome = (r: PairRecord): Outcome['predicted'] => (r.emotion ? r.emotion : { kind: 'unparsed' });
  const m = computeMetrics(protos.map((r) => ({ id: r.id, truth: r.truthEmotion!, predicted: outcome(r) })), [...EMOTIONS]);
  rows.push({ bench: B, metric: 'emotion UF1 (EMFACS prototypes, 7 classes)', value: m.uf1, unit: '', note: `n ${m.n}; abstentions and undetermined count as wrong` });
  rows.push({ bench: B, metric: 'emotion UAR (EMFACS prototypes, 7 classes)', value: m.uar, unit: '', note: `ACC ${m.acc.toFixed(3)}` });
  for (const c of m.perClass) rows.push({ bench: B, metric: `  ${c.label} recall`, value: c.recall ?? 0, unit: '', note: `${c.tp}/${c.support}, precision ${c.precision.toFixed(2)}` });

  const falseEmotion = nulls.filter((r) => r.emotion !== null);
  rows.push({ bench: B, metric: 'false emotions on camera-only pairs', value: falseEmotion.length / Math.max(1, nulls.length), unit: 'rate', note: `${falseEmotion.length}/${nulls.length}; target <= 0.02` });
  const falseAu = nulls.filter((r) => r.aus.length > 0);
  rows.push({ bench: B, metric: 'camera-only pairs with any AU', value: falseAu.length / Math.max(1, nulls.length), unit: 'rate', note: `${falseAu.length}/${nulls.length}` });
  const nullNone = nulls.filter((r) => r.status === 'none');
  rows.push({ bench: B, metric: 'camera-only pairs answered "no micro-expression found"', value: nullNone.length / Math.max(1, nulls.length), unit: 'rate', note: `${nullNone.length}/${nulls.length}` });
  const abstain = positives.filter((r) => r.status === 'none' || (r.emotion === null && r.status !== 'undetermined' && r.aus.length === 0));
  rows.push({ bench: B, metric: 'abstention rate on expression pairs', value: abstain.length / Math.max(1, positives.length), unit: 'rate', note: `${abstain.length}/${positives.length}; >= 0.6 px: ${positives.filter((r) => r.amplitude >= 0.6 && abstain.includes(r)).length}/${positives.filter((r) => r.amplitude >= 0.6).length}` });
  const und = positives.filter((r) => r.status === 'undetermined');
  rows.push({ bench: B, metric: 'undetermined (tie or no class fits) on expression pairs', value: und.length / Math.max(1, positives.length), unit: 'rate', note: `${und.length}/${positives.length}` });
  const statuses = new Map<string, number>();
  for (const r of records) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
  rows.push({ bench: B, metric: 'pairs', value: records.length, unit: '', note: [...statuses].map(([k, v]) => `${k} ${v}`).join(', ') });
  return rows;
}

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

export interface SplitRun {
  specs: PairSpec[];
  /** Faces left out, and why. */
  skipped: { face: string; reason: string }[];
  reports: (RegionMotionReport | null)[];
  ms: number[];
}

/**
 * Measures every pair of a split (the expensive part: three TV-L1 flows per pair). With `cache`, reports
 * are read from that JSON file when it exists and written to it otherwise (for trying rules on the same
 * measurements; the figures the README shows come from a fresh run).
 */
export async function measureSplit(split: Split, opts: { limit?: number; log?: (s: string) => void; cache?: string } = {}): Promise<SplitRun> {
  let specs = pairsOf(split, SIZES[split]);
  if (opts.limit) specs = specs.filter((_, i) => i % Math.ceil(specs.length / opts.limit!) === 0);
  if (opts.cache && existsSync(opts.cache)) {
    const run = JSON.parse(readFileSync(opts.cache, 'utf8')) as SplitRun;
    // Kept measurements are judged with the calibration as it is now.
    const left = new Set((run.skipped ?? []).map((k) => k.face));
    const kept = specs.filter((s) => !left.has(s.face));
    if (run.specs.length === kept.length && run.specs.every((s, i) => s.id === kept[i].id)) return { ...run, reports: run.reports.map((r) => (r ? rejudge(r) : r)) };
  }
  const photos = new Map<string, BenchFace>();
  const skipped: SplitRun['skipped'] = [];
  for (const face of new Set(specs.map((s) => s.face))) {
    const p = await loadBenchFace(face);
    if ('skipped' in p) skipped.push({ face, reason: p.skipped });
    else photos.set(face, p);
  }
  for (const s of skipped) opts.log?.(`reasoner-accuracy: skipped ${s.reason}`);
  specs = specs.filter((s) => photos.has(s.face));
  const reports: (RegionMotionReport | null)[] = [];
  const ms: number[] = [];
  const t0 = performance.now();
  for (const [i, spec] of specs.entries()) {
    const p = photos.get(spec.face)!;
    const t = performance.now();
    reports.push(await measureSpec(spec, p.photo, p.points));
    ms.push(performance.now() - t);
    if ((i + 1) % 25 === 0) opts.log?.(`reasoner-accuracy: ${split} ${i + 1}/${specs.length} pairs, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  const run = { specs, reports, ms, skipped };
  if (opts.cache) writeFileSync(opts.cache, JSON.stringify(run));
  return run;
}

export function answerSplit(run: SplitRun): PairRecord[] {
  return run.specs.map((spec, i) => answerSpec(spec, run.reports[i], i, run.ms[i]));
}

/** Share of calibration pairs above which tau is not allowed to let an expressive AU through. */
const CALIBRATION_TARGET = 0.01;

/**
 * Calibration: on the camera-only pairs of the calibration split, the smallest tau at which at most
 * CALIBRATION_TARGET of the pairs yield an expressive AU (the rules run on each candidate tau), and the
 * quantiles of all their region z scores (for the confidence). Writes evidenceCalibration.ts.
 */
export async function calibrate(log: (s: string) => void): Promise<BenchRow[]> {
  const run = await measureSplit('calibration', { log, cache: option('cache') });
  const reports = run.reports.filter((r): r is RegionMotionReport => r !== null);
  // Per region: the 99.5th percentile of its own z (regions whose null motion runs higher get a higher bar).
  const regionTau: Record<string, number> = {};
  for (const name of REGION_NAMES) {
    const zs = reports.map((r) => r.regions[name].evidence.z).sort((a, b) => a - b);
    if (zs.length > 0) regionTau[name] = Math.round(zs[Math.min(zs.length - 1, Math.floor(0.995 * zs.length))] * 100) / 100;
  }
  const falseRate = (tau: number) => reports.filter((r) => inferAus(withThreshold(r, tau, regionTau)).aus.length > 0).length / reports.length;
  let tau = 1;
  while (tau < 50 && falseRate(tau) > CALIBRATION_TARGET) tau = Math.round((tau + 0.05) * 100) / 100;
  const zs = reports.flatMap((r) => Object.values(r.regions).filter((m) => m.pixels > 0).map((m) => m.evidence.z)).sort((a, b) => a - b);
  const Q = 200;
  const nullZ = Array.from({ length: Q + 1 }, (_, k) => Math.round(zs[Math.min(zs.length - 1, Math.round((k / Q) * (zs.length - 1)))] * 1e4) / 1e4);
  const file = join(__dirname, '..', '..', 'src', 'core', 'reasoning', 'evidenceCalibration.ts');
  const text = `// Generated by \`node --import tsx scripts/bench/reasoner-accuracy.ts --calibrate\` from camera-only pairs
// (the calibration split: development faces, their own seeds). Do not edit by hand.
import type { EvidenceCalibration } from './calibrationTypes';

export const EVIDENCE_CALIBRATION: EvidenceCalibration = {
  tau: ${tau},
  regionTau: { ${Object.entries(regionTau).map(([k, v]) => `${k}: ${v}`).join(', ')} },
  nullZ: [${nullZ.join(', ')}],
  pairs: ${reports.length},
  regions: ${zs.length},
  target: 'smallest tau with at most ${CALIBRATION_TARGET * 100}% of calibration pairs giving an expressive AU (${(falseRate(tau) * 100).toFixed(1)}% at this tau)',
};
`;
  await writeFileAtomic(file, text);
  return [
    { bench: 'reasoner-accuracy', metric: 'calibrated tau', value: tau, unit: '', note: `${reports.length} camera-only pairs, ${zs.length} regions; expressive-AU pairs at tau: ${(falseRate(tau) * 100).toFixed(1)}%` },
    { bench: 'reasoner-accuracy', metric: 'null region z, 99th percentile', value: nullZ[Math.round(0.99 * Q)], unit: '' },
  ];
}

export async function reasonerAccuracy(): Promise<BenchRow[]> {
  if (process.argv.includes('--calibrate')) return calibrate((s) => process.stderr.write(`${s}\n`));
  const split = (option('split') ?? 'report') as Split;
  const limit = option('limit') ? Number(option('limit')) : undefined;
  const records = answerSplit(await measureSplit(split, { limit, log: (s) => process.stderr.write(`${s}\n`), cache: option('cache') }));
  const out = option('out');
  if (out) writeFileSync(out, JSON.stringify({ split, records }, null, 1));
  const rows = summarise(records).map((r) => (r.metric === 'pairs' ? { ...r, note: `${split} split; ${r.note}` } : r));
  if (split !== 'report') return rows;
  // The held-out faces first measured in stop 22 (the fixture crops had been measured in two earlier runs).
  const fresh = summarise(records.filter((r) => FRESH_REPORT_FACES.has(r.face)));
  const pick = ['AU F1 macro, >= 0.6 px', 'false emotions on camera-only pairs', 'emotion UF1 (EMFACS prototypes, 7 classes)', 'pairs'];
  return [...rows, ...fresh.filter((r) => pick.includes(r.metric)).map((r) => ({ ...r, metric: `fresh faces only: ${r.metric}` }))];
}

export default reasonerAccuracy;

if (require.main === module) runAlone('reasoner-accuracy', reasonerAccuracy);
