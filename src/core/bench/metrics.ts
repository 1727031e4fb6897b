// Benchmark metrics exactly as the paper defines them (IV-C, eqs. 1-3; DESIGN.md §4):
//   ACC = sum_i TP_i / sum_i N_i,  UAR = mean_i TP_i / (TP_i + FN_i),  UF1 = mean_i 2 P_i R_i / (P_i + R_i)
// over the protocol's classes. Everything here is pure: records in, numbers out.
//
// Conventions (the paper leaves these open; chosen so that nothing is silently dropped or defaulted):
//  - A sample whose ground truth is outside the protocol's classes is not evaluated (the protocol selects
//    its subset); it is counted in `excludedOutsideProtocol`.
//  - A prediction that is an emotion outside the protocol (e.g. contempt under the 5-class CASME II
//    protocol) is wrong: a false negative for the true class, a false positive for no protocol class,
//    and it lands in the confusion matrix's OTHER column.
//  - An answer from which no emotion was parsed is wrong and lands in the UNPARSED column; a clip whose
//    request failed for good (no answer at all) is wrong and lands in the FAILED column. Both are counted.
//  - An answer that concludes "no micro-expression found" (parse status 'none') is a valid answer, but
//    every evaluated clip holds a micro-expression, so it is a miss: wrong for ACC/UAR/UF1 (a false negative
//    of the true class, no class's false positive), in the NONE column, counted as an abstention
//    (abstentionRate = none / n). An answer that leaves the class open (a tie, 'undetermined') is wrong the
//    same way, in the UNDETERMINED column. Their AUs still count for the AU scores (none has no AUs).
//  - P_i = 0 when class i was never predicted (TP_i + FP_i = 0); F1_i = 0 when P_i + R_i = 0
//    (scikit-learn's zero_division=0, the usual reading of eq. 3).
//  - A class with no ground-truth samples (N_i = 0) has an undefined recall: it is left out of the UAR and
//    UF1 means (C counts only classes with N_i > 0) and listed in `classesWithoutSamples` with its false
//    positives, so the report can say so. Its predictions still count as wrong for ACC.

/** Confusion-matrix columns beyond the protocol's classes. */
export const OTHER = '(other)';
export const UNPARSED = '(unparsed)';
export const FAILED = '(failed)';
export const NONE = '(none)';
export const UNDETERMINED = '(undetermined)';

/** One evaluated clip: ground truth and what the model said. */
export interface Outcome {
  id: string;
  /** Canonical ground-truth emotion. */
  truth: string;
  /**
   * Canonical predicted emotion; 'unparsed' (answer without an emotion), 'none' (no micro-expression found),
   * 'undetermined' (a tie or an open class) or 'failed' (no answer).
   */
  predicted: string | { kind: 'unparsed' } | { kind: 'none' } | { kind: 'undetermined' } | { kind: 'failed' };
  /** Ground-truth AU codes when the dataset has them (e.g. ['AU4', 'L10', 'R12']). */
  truthAus?: readonly string[];
  /** AU codes parsed from the answer's conclusion. */
  predictedAus?: readonly string[];
}

/** Counts and scores of one class or one AU. */
export interface PrfStats {
  /** Ground-truth samples (N_i for a class). */
  support: number;
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  /** null when there are no ground-truth samples. */
  recall: number | null;
  /** null when there are no ground-truth samples. */
  f1: number | null;
}

export interface ClassStats extends PrfStats {
  label: string;
}

export interface ConfusionMatrix {
  /** Row labels: the protocol's classes (ground truth). */
  rows: string[];
  /** Column labels: the protocol's classes, then OTHER, UNPARSED, FAILED, NONE, UNDETERMINED. */
  cols: string[];
  /** counts[r][c]. */
  counts: number[][];
}

export interface AuStats extends PrfStats {
  au: string;
}

export interface AuMetrics {
  /** 'ignored': L12 = R12 = AU12. 'respected': side-specific codes must match exactly (AU12 is its own label). */
  laterality: 'ignored' | 'respected';
  /** Clips with ground-truth AU labels that were scored. */
  clips: number;
  micro: { tp: number; fp: number; fn: number; precision: number; recall: number; f1: number };
  /** Mean F1 over AUs that occur in the ground truth. */
  macroF1: number;
  perAu: AuStats[];
}

export interface EmotionMetrics {
  classes: string[];
  /** Evaluated samples (ground truth inside the protocol). */
  n: number;
  correct: number;
  acc: number;
  uar: number;
  uf1: number;
  perClass: ClassStats[];
  confusion: ConfusionMatrix;
  unparsed: number;
  failed: number;
  /** Answers "no micro-expression found". */
  none: number;
  /** Answers that leave the class open (ties). */
  undetermined: number;
  /** none / n. */
  abstentionRate: number;
  /** Predictions of an emotion outside the protocol's classes. */
  outsideProtocolPredictions: number;
  /** unparsed / n. */
  parseFailureRate: number;
  /** Classes left out of the UAR / UF1 means because they have no ground-truth samples. */
  classesWithoutSamples: Array<{ label: string; falsePositives: number }>;
  /** Samples whose ground truth is not one of the protocol's classes (not evaluated). */
  excludedOutsideProtocol: number;
  /** AU scores, when at least one evaluated clip has ground-truth AU labels. */
  au?: { ignored: AuMetrics; respected: AuMetrics };
}

function ratio(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}

function f1Of(p: number, r: number): number {
  return p + r === 0 ? 0 : (2 * p * r) / (p + r);
}

function mean(xs: number[]): number {
  return xs.length === 0 ? 0 : xs.reduce((s, x) => s + x, 0) / xs.length;
}

/** Computes ACC / UAR / UF1, per-class scores, the confusion matrix and AU scores over `classes`. */
export function computeMetrics(outcomes: readonly Outcome[], classes: readonly string[]): EmotionMetrics {
  if (classes.length === 0) throw new Error('computeMetrics: the protocol has no classes');
  if (new Set(classes).size !== classes.length) throw new Error(`computeMetrics: duplicate class in [${classes.join(', ')}]`);
  const index = new Map(classes.map((c, i) => [c, i] as const));
  const cols = [...classes, OTHER, UNPARSED, FAILED, NONE, UNDETERMINED];
  const counts = classes.map(() => cols.map(() => 0));
  let excluded = 0;
  let unparsed = 0;
  let failed = 0;
  let none = 0;
  let undetermined = 0;
  let outside = 0;
  const evaluated: Outcome[] = [];
  for (const o of outcomes) {
    const r = index.get(o.truth);
    if (r === undefined) {
      excluded += 1;
      continue;
    }
    evaluated.push(o);
    let c: number;
    if (typeof o.predicted === 'string') {
      const pi = index.get(o.predicted);
      if (pi === undefined) {
        c = classes.length; // OTHER
        outside += 1;
      } else c = pi;
    } else if (o.predicted.kind === 'unparsed') {
      c = classes.length + 1;
      unparsed += 1;
    } else if (o.predicted.kind === 'none') {
      c = classes.length + 3;
      none += 1;
    } else if (o.predicted.kind === 'undetermined') {
      c = classes.length + 4;
      undetermined += 1;
    } else {
      c = classes.length + 2;
      failed += 1;
    }
    counts[r][c] += 1;
  }
  const n = evaluated.length;
  const perClass: ClassStats[] = classes.map((label, i) => {
    const support = counts[i].reduce((s, x) => s + x, 0);
    const tp = counts[i][i];
    let fp = 0;
    for (let r = 0; r < classes.length; r++) if (r !== i) fp += counts[r][i];
    const fn = support - tp;
    const precision = ratio(tp, tp + fp);
    const recall = support === 0 ? null : tp / support;
    return { label, support, tp, fp, fn, precision, recall, f1: recall === null ? null : f1Of(precision, recall) };
  });
  const scored = perClass.filter((c) => c.support > 0);
  const correct = perClass.reduce((s, c) => s + c.tp, 0);
  const result: EmotionMetrics = {
    classes: [...classes],
    n,
    correct,
    acc: ratio(correct, n),
    uar: mean(scored.map((c) => c.recall as number)),
    uf1: mean(scored.map((c) => c.f1 as number)),
    perClass,
    confusion: { rows: [...classes], cols, counts },
    unparsed,
    failed,
    none,
    undetermined,
    abstentionRate: ratio(none, n),
    outsideProtocolPredictions: outside,
    parseFailureRate: ratio(unparsed, n),
    classesWithoutSamples: perClass.filter((c) => c.support === 0).map((c) => ({ label: c.label, falsePositives: c.fp })),
    excludedOutsideProtocol: excluded,
  };
  const withAus = evaluated.filter((o) => o.truthAus !== undefined);
  if (withAus.length > 0) {
    result.au = { ignored: computeAuMetrics(withAus, 'ignored'), respected: computeAuMetrics(withAus, 'respected') };
  }
  return result;
}

/**
 * Canonical AU code: 'AU12' (bilateral or side not stated), 'L12' / 'R12' (subject's left / right), or null
 * when the text is not an AU. Accepts 'AU6', 'AU06', 'AU 12', 'au12', '12', 'R12', 'L AU12', 'Right AU12',
 * 'RAU12', intensity suffixes ('AU12B') and sub-codes are dropped ('AU12a' -> 'AU12').
 */
export function normalizeAu(text: string): string | null {
  const t = text.trim().toUpperCase().replace(/\s+/g, ' ');
  const m = /^(LEFT|RIGHT|L|R)?\s*(?:AU)?\s*0*(\d{1,2})\s*[A-E]?$/.exec(t);
  if (!m) return null;
  const num = Number(m[2]);
  if (num === 0) return null;
  const side = m[1] === undefined ? '' : m[1].startsWith('L') ? 'L' : 'R';
  return side === '' ? `AU${num}` : `${side}${num}`;
}

/** The AU number of a canonical code, side dropped ('L12' -> 'AU12'). */
function withoutSide(code: string): string {
  return code.startsWith('AU') ? code : `AU${code.slice(1)}`;
}

function auSet(codes: readonly string[] | undefined, laterality: 'ignored' | 'respected'): Set<string> {
  const out = new Set<string>();
  // Dataset labels often join AUs with '+' ('4+L10'): split before normalising.
  for (const c of (codes ?? []).flatMap((x) => x.split(/[+,;]/))) {
    const n = normalizeAu(c);
    if (n !== null) out.add(laterality === 'ignored' ? withoutSide(n) : n);
  }
  return out;
}

function auOrder(a: string, b: string): number {
  const num = (s: string): number => Number(s.replace(/^(AU|L|R)/, ''));
  return num(a) - num(b) || a.localeCompare(b);
}

/**
 * AU-level precision / recall / F1 over clips with ground-truth AU labels: each clip contributes the sets
 * of ground-truth and predicted AUs (an unparsed or failed answer predicts none). Micro scores pool TP / FP /
 * FN over all clips and AUs; macro F1 averages over AUs present in the ground truth.
 */
export function computeAuMetrics(outcomes: readonly Outcome[], laterality: 'ignored' | 'respected'): AuMetrics {
  const per = new Map<string, { tp: number; fp: number; fn: number; support: number }>();
  const get = (au: string): { tp: number; fp: number; fn: number; support: number } => {
    let s = per.get(au);
    if (!s) per.set(au, (s = { tp: 0, fp: 0, fn: 0, support: 0 }));
    return s;
  };
  let clips = 0;
  for (const o of outcomes) {
    if (o.truthAus === undefined) continue;
    clips += 1;
    const truth = auSet(o.truthAus, laterality);
    const pred = auSet(typeof o.predicted === 'string' || o.predicted.kind === 'unparsed' || o.predicted.kind === 'undetermined' ? o.predictedAus : [], laterality);
    for (const au of truth) {
      const s = get(au);
      s.support += 1;
      if (pred.has(au)) s.tp += 1;
      else s.fn += 1;
    }
    for (const au of pred) if (!truth.has(au)) get(au).fp += 1;
  }
  const perAu: AuStats[] = [...per.entries()]
    .sort((a, b) => auOrder(a[0], b[0]))
    .map(([au, s]) => {
      const precision = ratio(s.tp, s.tp + s.fp);
      const recall = s.support === 0 ? null : s.tp / s.support;
      return { au, ...s, precision, recall, f1: recall === null ? null : f1Of(precision, recall) };
    });
  const tp = perAu.reduce((a, s) => a + s.tp, 0);
  const fp = perAu.reduce((a, s) => a + s.fp, 0);
  const fn = perAu.reduce((a, s) => a + s.fn, 0);
  const precision = ratio(tp, tp + fp);
  const recall = ratio(tp, tp + fn);
  return {
    laterality,
    clips,
    micro: { tp, fp, fn, precision, recall, f1: f1Of(precision, recall) },
    macroF1: mean(perAu.filter((s) => s.support > 0).map((s) => s.f1 as number)),
    perAu,
  };
}
