// FACS motion rules of the built-in reasoner: measured regional motion -> action units (with the
// subject's side) -> emotion.
//
// AUs: each region's robust motion is read in the FACE frame (axes from the eyes), per side, as "up" and
// "out" (away from the face's midline: towards the image right for the subject's LEFT side, towards the
// image left for the subject's right). The direction is binned in 45-degree sectors of that frame.
// Appearance descriptions follow the FACS Manual (Ekman, Friesen & Hager 2002).
//
// Emotion: the objective classes of Davison, Merghani & Yap, "Objective Classes for Micro-Facial
// Expression Recognition", J. Imaging 4(10):119, 2018 (AU combinations per class, derived from the FACS
// codes of CASME II and SAMM), plus contempt as a one-sided lip-corner action (AU12 and/or AU14 on one
// side only: EMFACS, Ekman & Friesen; Matsumoto & Ekman 2004), which that table has no class for. The
// best class is the one whose listed combination covers the most detected AUs; rules are in CLASS_COMBOS.
import type { AuSide } from '../facs';
import { isExpressiveAu } from '../facs';
import { EMOTIONS, type Emotion } from '../emotions';
import type { RegionName } from '../face/types';
import type { MotionIntensity, RegionMotion, RegionMotionReport } from './regionMotion';
import { INTENSITIES } from './regionMotion';

/** Direction in the face frame, 45-degree sector: 0 out, 1 up-out, 2 up, 3 up-in, 4 in, -3 down-in, -2 down, -1 down-out. */
export type Sector = -3 | -2 | -1 | 0 | 1 | 2 | 3 | 4;

export interface FaceFrameMotion {
  /** Component towards the top of the face, px. */
  up: number;
  /** Component away from the midline for a sided region (towards the subject's left for midline regions), px. */
  out: number;
  sector: Sector;
  intensity: MotionIntensity;
  moving: boolean;
  magnitude: number;
}

export interface InferredAu {
  au: number;
  /** Subject's side; absent = both sides (or a midline action). */
  side?: AuSide;
  /** Regions whose motion supports it. */
  regions: RegionName[];
  /** Strongest motion grade among its regions (not a FACS A-E letter: flow magnitude does not give one). */
  level: MotionIntensity;
  /** False for blinks / lid closure (noted, not used for the emotion; paper III-E). */
  expressive: boolean;
}

export interface EmotionMatch {
  emotion: Emotion;
  /** The class combination that matched, e.g. [6, 12]; empty for contempt (one-sided rule). */
  combo: number[];
  /** 'table': a combination of the table is fully present; 'unilateral': the contempt rule; 'partial': best overlap only. */
  kind: 'table' | 'unilateral' | 'partial';
  /** Davison et al. class number (I..VI) or 'EMFACS' for contempt. */
  source: string;
  /** The class the rules preferred when it is not in the allowed list (then `emotion` is the fallback). */
  preferred?: Emotion;
}

export interface FacsInference {
  /** Expressive AUs, ascending by number, bilateral before one-sided. */
  aus: InferredAu[];
  /** Non-expressive movements seen (blinks, AU45). */
  noted: InferredAu[];
  /** null when no expressive AU was found. */
  match: EmotionMatch | null;
  classes: readonly Emotion[];
}

const SIDES: readonly AuSide[] = ['R', 'L'];

/** Motion of `m` in the face frame; `side` decides which lateral direction is "out". */
export function inFaceFrame(m: RegionMotion, side: AuSide | null, axes: RegionMotionReport['axes']): FaceFrameMotion {
  const lateral = m.u * axes.ex[0] + m.v * axes.ex[1]; // towards the subject's left
  const up = m.u * axes.up[0] + m.v * axes.up[1];
  const out = side === 'R' ? -lateral : lateral;
  const phi = (Math.atan2(up, out) * 180) / Math.PI;
  let s = Math.round(phi / 45);
  if (s === -4) s = 4;
  const moving = m.intensity !== 'none';
  return { up, out, sector: s as Sector, intensity: m.intensity, moving, magnitude: m.magnitude };
}

const UPISH = (f: FaceFrameMotion) => f.moving && f.sector >= 1 && f.sector <= 3;
const DOWNISH = (f: FaceFrameMotion) => f.moving && f.sector <= -1 && f.sector >= -3;
/** A neighbour's motion that is mostly the tail of a larger motion next to it is not its own action. */
const SPILL = 0.8;

function strongest(...levels: MotionIntensity[]): MotionIntensity {
  return levels.reduce((a, b) => (INTENSITIES.indexOf(b) > INTENSITIES.indexOf(a) ? b : a), 'none' as MotionIntensity);
}

/** Infer AUs (per side, then merged: the same AU on both sides is reported once without a side). */
export function inferAus(report: RegionMotionReport): { aus: InferredAu[]; noted: InferredAu[] } {
  const R = report.regions;
  const f = (name: RegionName, side: AuSide | null) => inFaceFrame(R[name], side, report.axes);
  const hits: { au: number; side?: AuSide; regions: RegionName[] }[] = [];
  const hit = (au: number, side: AuSide | undefined, ...regions: RegionName[]) => hits.push({ au, side, regions });

  const corner: Record<AuSide, FaceFrameMotion> = { R: f('lipCornerR', 'R'), L: f('lipCornerL', 'L') };
  for (const s of SIDES) {
    const ib = f(`innerBrow${s}`, s);
    const ob = f(`outerBrow${s}`, s);
    const ue = f(`upperEyelid${s}`, s);
    const le = f(`lowerEyelid${s}`, s);
    const ch = f(`cheek${s}`, s);
    const nw = f(`noseWing${s}`, s);
    const au1 = UPISH(ib);
    const au2 = UPISH(ob);
    if (au1) hit(1, s, `innerBrow${s}`);
    if (au2) hit(2, s, `outerBrow${s}`);
    // AU4: brows lowered and drawn together: the inner brow moves down, down-inwards or inwards; or the
    // whole brow comes down with no inner-brow raise.
    const ibLower = ib.moving && (ib.sector === -2 || ib.sector === -3 || ib.sector === 4);
    const obLower = ob.moving && ob.sector <= -1 && ob.sector >= -3 && !au1;
    if (ibLower || obLower) hit(4, s, ...(ibLower ? [`innerBrow${s}` as RegionName] : []), ...(obLower ? [`outerBrow${s}` as RegionName] : []));
    const browMag = Math.max(ib.magnitude, ob.magnitude);
    // AU5: the upper lid moves up by itself, not only as the tail of a brow raise.
    if (UPISH(ue) && !((au1 || au2) && ue.magnitude < SPILL * browMag)) hit(5, s, `upperEyelid${s}`);
    // Blink / lid closure: the upper lid moves down (not just pushed by a brow lowerer). Not expressive.
    if (DOWNISH(ue) && !((ibLower || obLower) && ue.magnitude < SPILL * browMag)) hit(45, s, `upperEyelid${s}`);
    // AU6: the cheek (infraorbital triangle) is raised; the lower lid bulges up with it.
    const au6 = UPISH(ch);
    if (au6) hit(6, s, `cheek${s}`, ...(UPISH(le) ? [`lowerEyelid${s}` as RegionName] : []));
    // AU7: the lower lid is raised / pulled in without the cheek raise that would explain it.
    if (!au6 && le.moving && (UPISH(le) || le.sector === 4 || le.sector === 3)) hit(7, s, `lowerEyelid${s}`);
    // AU9: the nose wing and the skin beside the nose are pulled up.
    if (UPISH(nw)) hit(9, s, `noseWing${s}`);
    // AU12: the lip corner is pulled up and out (obliquely) or straight up.
    const c = corner[s];
    if (c.moving && (c.sector === 1 || c.sector === 2)) hit(12, s, `lipCorner${s}`, ...(UPISH(f(`nasolabial${s}`, s)) ? [`nasolabial${s}` as RegionName] : []));
  }
  // Lip-corner actions that depend on the other side.
  const outish = (c: FaceFrameMotion) => c.moving && (c.sector === 0 || c.sector === -1);
  const inish = (c: FaceFrameMotion) => c.moving && (c.sector === 3 || c.sector === 4 || c.sector === -3);
  if (outish(corner.R) && outish(corner.L)) hit(20, undefined, 'lipCornerR', 'lipCornerL'); // both corners stretched sideways
  else {
    for (const s of SIDES) {
      const c = corner[s];
      if (c.moving && c.sector === 0) hit(14, s, `lipCorner${s}`); // one corner pulled sideways: dimpler
      if (c.moving && c.sector === -1) hit(15, s, `lipCorner${s}`);
    }
  }
  for (const s of SIDES) if (corner[s].moving && corner[s].sector === -2) hit(15, s, `lipCorner${s}`);
  if (inish(corner.R) && inish(corner.L)) hit(23, undefined, 'lipCornerR', 'lipCornerL'); // mouth narrowed: lip tightener
  else for (const s of SIDES) if (inish(corner[s])) hit(14, s, `lipCorner${s}`);

  // Midline: upper lip, lower lip, chin (up/down in the face frame).
  const ul = f('upperLip', null);
  const ll = f('lowerLip', null);
  const chin = f('chin', null);
  const cornerMag = Math.max(corner.R.magnitude, corner.L.magnitude);
  const cornersUp = hits.some((h) => h.au === 12);
  // AU10: the upper lip itself rises (not only its ends lifted by AU12).
  if (UPISH(ul) && !(cornersUp && ul.magnitude < SPILL * cornerMag)) hit(10, undefined, 'upperLip');
  // AU17: the chin boss pushes up (the lower lip with it).
  if (UPISH(chin)) hit(17, undefined, 'chin');
  // AU26: the jaw drops.
  if (DOWNISH(chin)) hit(26, undefined, 'chin');
  // AU25: the lower lip moves down while the upper lip does not follow: the lips part.
  if (DOWNISH(ll) && !DOWNISH(ul)) hit(25, undefined, 'lowerLip');
  // AU24: lips pressed together: upper lip down, lower lip up.
  if (DOWNISH(ul) && UPISH(ll)) hit(24, undefined, 'upperLip', 'lowerLip');

  // Merge sides: same AU on R and L -> one bilateral entry.
  const byAu = new Map<number, { sides: Set<AuSide | 'both'>; regions: RegionName[] }>();
  for (const h of hits) {
    const e = byAu.get(h.au) ?? { sides: new Set(), regions: [] };
    e.sides.add(h.side ?? 'both');
    for (const r of h.regions) if (!e.regions.includes(r)) e.regions.push(r);
    byAu.set(h.au, e);
  }
  const all: InferredAu[] = [];
  for (const au of [...byAu.keys()].sort((a, b) => a - b)) {
    const e = byAu.get(au)!;
    const bilateral = e.sides.has('both') || (e.sides.has('R') && e.sides.has('L'));
    const level = strongest(...e.regions.map((r) => R[r].intensity));
    const base = { au, regions: e.regions, level, expressive: isExpressiveAu(au) };
    all.push(bilateral ? base : { ...base, side: e.sides.has('R') ? 'R' : 'L' });
  }
  return { aus: all.filter((a) => a.expressive), noted: all.filter((a) => !a.expressive) };
}

/**
 * AU combinations per class, Davison et al. 2018 (Table of proposed objective classes):
 * I happiness, II surprise, III anger, IV disgust, V sadness, VI fear. Two additions, marked: a lone jaw
 * drop (AU26) as surprise (Class II lists AU25+AU26; FACS surprise prototypes carry 26), and AU1+AU2+AU26.
 */
export const CLASS_COMBOS: readonly { emotion: Emotion; source: string; combos: readonly (readonly number[])[] }[] = [
  { emotion: 'happiness', source: 'I', combos: [[6], [12], [6, 12], [6, 7, 12], [7, 12]] },
  { emotion: 'surprise', source: 'II', combos: [[1, 2], [5], [25], [1, 2, 25], [25, 26], [5, 24], [26] /* added */, [1, 2, 26] /* added */] },
  { emotion: 'anger', source: 'III', combos: [[23], [4], [4, 7], [4, 5], [4, 5, 7], [17, 24], [4, 6, 7], [4, 38]] },
  { emotion: 'disgust', source: 'IV', combos: [[10], [9], [4, 9], [4, 40], [4, 5, 40], [4, 7, 9], [4, 9, 17], [4, 7, 10], [4, 5, 7, 9], [7, 10]] },
  { emotion: 'sadness', source: 'V', combos: [[1], [15], [1, 4], [6, 15], [15, 17]] },
  { emotion: 'fear', source: 'VI', combos: [[1, 2, 4], [20]] },
];

/**
 * When the preferred class is not offered by the protocol (CASME II has no anger or contempt; CAS(ME)^3 A
 * no contempt), the next class to try. Anger -> disgust: both lower the brows (AU4) and CASME II codes most
 * AU4 clips as disgust. Contempt -> happiness for a one-sided AU12 (Class I holds AU12), disgust for AU14.
 */
const FALLBACK: Partial<Record<Emotion, Emotion[]>> = {
  anger: ['disgust', 'sadness'],
  contempt: ['happiness', 'disgust'],
  fear: ['surprise', 'sadness'],
};

/** The emotion of an AU set, restricted to `classes`. null when there is no expressive AU. */
export function emotionFromAus(aus: readonly InferredAu[], classes: readonly Emotion[] = EMOTIONS): EmotionMatch | null {
  const expressive = aus.filter((a) => a.expressive);
  if (expressive.length === 0 || classes.length === 0) return null;
  const present = new Set(expressive.map((a) => a.au));
  const allowed = (e: Emotion) => classes.includes(e);

  // Contempt: lip-corner action (12 / 14) on one side only.
  const corner = expressive.filter((a) => a.au === 12 || a.au === 14);
  const oneSided = corner.length > 0 && corner.every((a) => a.side !== undefined) && new Set(corner.map((a) => a.side)).size === 1;

  // Full matches, best first: larger combination, then class order of EMOTIONS.
  const full: EmotionMatch[] = [];
  for (const c of CLASS_COMBOS) {
    for (const combo of c.combos) {
      if (combo.every((au) => present.has(au))) full.push({ emotion: c.emotion, combo: [...combo], kind: 'table', source: c.source });
    }
  }
  const order = (m: EmotionMatch) => EMOTIONS.indexOf(m.emotion);
  full.sort((a, b) => b.combo.length - a.combo.length || order(a) - order(b));
  const contempt: EmotionMatch = { emotion: 'contempt', combo: corner.map((a) => a.au).sort((x, y) => x - y), kind: 'unilateral', source: 'EMFACS' };
  const ranked: EmotionMatch[] = oneSided ? [contempt, ...full.filter((m) => !(m.emotion === 'happiness' && m.combo.includes(12)))] : full;
  if (ranked.length > 0) {
    const best = ranked[0];
    if (allowed(best.emotion)) return best;
    const next = ranked.find((m) => allowed(m.emotion));
    if (next) return { ...next, preferred: best.emotion };
    const viaFallback = (FALLBACK[best.emotion] ?? []).find(allowed);
    if (viaFallback) return { ...best, emotion: viaFallback, preferred: best.emotion };
  }
  // No combination fully present: the allowed class whose combination overlaps most (fraction covered).
  let bestPartial: EmotionMatch | null = null;
  let bestScore = 0;
  for (const c of CLASS_COMBOS) {
    if (!allowed(c.emotion)) continue;
    for (const combo of c.combos) {
      const score = combo.filter((au) => present.has(au)).length / combo.length;
      if (score > bestScore || (score === bestScore && score > 0 && bestPartial && EMOTIONS.indexOf(c.emotion) < EMOTIONS.indexOf(bestPartial.emotion))) {
        bestScore = score;
        bestPartial = { emotion: c.emotion, combo: [...combo], kind: 'partial', source: c.source };
      }
    }
  }
  if (bestPartial) return bestPartial;
  // Nothing overlaps: only lip-corner dimpling (AU14) on both sides, which EMFACS also reads as contempt.
  if (corner.length > 0) {
    if (allowed('contempt')) return contempt;
    const fb = (FALLBACK.contempt ?? []).find(allowed);
    if (fb) return { ...contempt, emotion: fb, kind: 'partial', preferred: 'contempt' };
  }
  return null;
}

/** AUs, then the emotion among `classes`. Deterministic. */
export function inferFacs(report: RegionMotionReport, classes: readonly Emotion[] = EMOTIONS): FacsInference {
  const { aus, noted } = inferAus(report);
  return { aus, noted, match: emotionFromAus(aus, classes), classes };
}
