// FACS motion rules of the built-in reasoner: measured regional motion -> action units (with the
// subject's side) -> emotion.
//
// AUs: each region's robust motion is read in the FACE frame (axes from the eyes), per side, as "up" and
// "out" (away from the face's midline: towards the image right for the subject's LEFT side, towards the
// image left for the subject's right). The direction is binned in 45-degree sectors of that frame.
// Appearance descriptions follow the FACS Manual (Ekman, Friesen & Hager 2002).
//
// Emotion: the patterns of emotionTable.ts (EMFACS prototypes, Davison et al. 2018 objective classes,
// the CASME II labelling criteria), each with its source. Only patterns fully present count; the emotion
// whose matched patterns explain the most detected AUs wins, then the one with the largest pattern; a tie
// stays a tie. No expressive AU above the noise floor: no micro-expression (the decision is null).
import type { AuSide } from '../facs';
import { isExpressiveAu } from '../facs';
import { EMOTIONS, type Emotion } from '../emotions';
import { CONTEMPT_RULE, EMOTION_PATTERNS, type EmotionPattern } from './emotionTable';
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
  /** Calibrated confidence of its strongest region (regionMotion.ts RegionEvidence), 0..1. */
  confidence: number;
}

/** What the AUs say about the emotion. */
export interface EmotionDecision {
  /** 'emotion': one class; 'tie': several explain the AUs equally; 'no-pattern': no pattern is fully present. */
  kind: 'emotion' | 'tie' | 'no-pattern';
  /** The class, for kind 'emotion'. */
  emotion?: Emotion;
  /** The winning class(es); empty for 'no-pattern'. */
  candidates: Emotion[];
  /** The patterns of the winner(s) that are fully present (contempt: the one-sided rule as a pattern). */
  patterns: EmotionPattern[];
  /** Detected AUs the winner's patterns explain. */
  explained: number[];
  /** For 'emotion': the lowest confidence among the AUs it rests on; null otherwise. */
  confidence: number | null;
  /** Classes that would have won but are not offered by the protocol. */
  excluded: Emotion[];
}

export interface FacsInference {
  /** Expressive AUs, ascending by number, bilateral before one-sided. */
  aus: InferredAu[];
  /** Non-expressive movements seen (blinks, AU45). */
  noted: InferredAu[];
  /** null when no expressive AU was found: no micro-expression. */
  decision: EmotionDecision | null;
  classes: readonly Emotion[];
}

const SIDES: readonly AuSide[] = ['R', 'L'];

/** An image vector (u, v) as "up" and "out" in the face frame; `side` decides which lateral direction is out. */
function upOut(u: number, v: number, side: AuSide | null, axes: RegionMotionReport['axes']): { up: number; out: number } {
  const lateral = u * axes.ex[0] + v * axes.ex[1]; // towards the subject's left
  return { up: u * axes.up[0] + v * axes.up[1], out: side === 'R' ? -lateral : lateral };
}

/** Motion of `m` in the face frame; `side` decides which lateral direction is "out". */
export function inFaceFrame(m: RegionMotion, side: AuSide | null, axes: RegionMotionReport['axes']): FaceFrameMotion {
  const { up, out } = upOut(m.u, m.v, side, axes);
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
/** ... when the two point within this many degrees of each other. */
const ECHO_ANGLE = 50;
/** The inner brow is an echo of the outer below this share of it; the outer brow of the inner below the second. */
const INNER_BROW_ECHO = 0.75;
const OUTER_BROW_ECHO = 0.5;
/** A brow lowering below this share of a nose-wing raise belongs to the nose wrinkle (AU9). */
const NOSE_BROW = 0.4;
/** The cheek is the fringe of a lip-corner pull below this share of the nasolabial fold's motion. */
const CHEEK_ECHO = 0.35;
/** A lower-lid raise with the cheek rising at least this share of it is the cheek raiser's (AU6), not AU7. */
const LID_CHEEK = 0.4;
/** A sideways corner pull counts as going down (the stretcher, AU20) past this slope; level or up is the dimpler (AU14). */
const LEVEL = 0.1;
/**
 * The same from the corner's window fit, which keeps the vertical part: any slope below level is down (FACS).
 * On the dev split 0 and its neighbours -0.05..0.1 give AU14 F1 0.91-0.95 (docs/reasoning.md).
 */
const TRACK_LEVEL = 0;

function strongest(...levels: MotionIntensity[]): MotionIntensity {
  return levels.reduce((a, b) => (INTENSITIES.indexOf(b) > INTENSITIES.indexOf(a) ? b : a), 'none' as MotionIntensity);
}

/** Infer AUs (per side, then merged: the same AU on both sides is reported once without a side). */
export function inferAus(report: RegionMotionReport): { aus: InferredAu[]; noted: InferredAu[] } {
  const R = report.regions;
  const f = (name: RegionName, side: AuSide | null) => inFaceFrame(R[name], side, report.axes);
  const hits: { au: number; side?: AuSide; regions: RegionName[] }[] = [];
  const hit = (au: number, side: AuSide | undefined, ...regions: RegionName[]) => hits.push({ au, side, regions });
  // A region's motion that is a weaker echo of a stronger, similarly directed motion next to it is that
  // neighbour's action spreading through the skin, not its own (e.g. the upper lip lifted at its ends by
  // AU12, the lip corners pushed up with the chin by AU17, the upper lid carried by a brow raise).
  const echoBy = (ratio: number, name: RegionName, ...neighbours: RegionName[]) => {
    const m = R[name];
    return neighbours.some((o) => {
      const n = R[o];
      if (n.intensity === 'none' || m.magnitude >= ratio * n.magnitude) return false;
      const d = Math.abs(m.angle - n.angle) % 360;
      return Math.min(d, 360 - d) < ECHO_ANGLE;
    });
  };
  const echo = (name: RegionName, ...neighbours: RegionName[]) => echoBy(SPILL, name, ...neighbours);

  const corner: Record<AuSide, FaceFrameMotion> = { R: f('lipCornerR', 'R'), L: f('lipCornerL', 'L') };
  for (const s of SIDES) {
    const ib = f(`innerBrow${s}`, s);
    const ob = f(`outerBrow${s}`, s);
    const ue = f(`upperEyelid${s}`, s);
    const le = f(`lowerEyelid${s}`, s);
    const ch = f(`cheek${s}`, s);
    const nw = f(`noseWing${s}`, s);
    // AU2 drags the inner brow up with it (FACS: the whole brow arches), AU1 the outer brow far less: the
    // inner brow is its own action only when it keeps up with the outer half, the outer brow when it is
    // not a small fraction of the inner's.
    const au1 = UPISH(ib) && !echoBy(INNER_BROW_ECHO, `innerBrow${s}`, `outerBrow${s}`);
    const au2 = UPISH(ob) && !echoBy(OUTER_BROW_ECHO, `outerBrow${s}`, `innerBrow${s}`);
    if (au1) hit(1, s, `innerBrow${s}`);
    if (au2) hit(2, s, `outerBrow${s}`);
    // AU4: brows lowered and drawn together: the inner brow moves down, down-inwards or inwards; or the
    // whole brow comes down with no inner-brow raise.
    // Not the medial brow lowering that comes with a nose wrinkle (FACS: AU9 lowers the inner brows).
    const wrinkle = UPISH(nw) && ib.magnitude < NOSE_BROW * nw.magnitude;
    const ibLower = ib.moving && (ib.sector === -2 || ib.sector === -3 || ib.sector === 4) && !wrinkle;
    const obLower = ob.moving && ob.sector <= -1 && ob.sector >= -3 && !au1 && !wrinkle;
    if (ibLower || obLower) hit(4, s, ...(ibLower ? [`innerBrow${s}` as RegionName] : []), ...(obLower ? [`outerBrow${s}` as RegionName] : []));
    // The upper lid is carried by a brow raise (the lid fold) and by the lower lid and cheek pushing up: its
    // own action only when it moves at least as much as they do.
    const lidEcho = echoBy(1, `upperEyelid${s}`, `innerBrow${s}`, `outerBrow${s}`, `lowerEyelid${s}`);
    // AU5: the upper lid moves up by itself, not only as the tail of a brow raise.
    if (UPISH(ue) && !lidEcho) hit(5, s, `upperEyelid${s}`);
    // Blink / lid closure: the upper lid moves down (not just pushed by a brow lowerer). Not expressive.
    if (DOWNISH(ue) && !lidEcho) hit(45, s, `upperEyelid${s}`);
    // AU6: the cheek (infraorbital triangle) is raised; the lower lid bulges up with it. Not the skin carried
    // up by a nose wrinkle beside it, nor the fringe of a strong lip-corner pull (the nasolabial fold).
    const au6 = UPISH(ch) && !echo(`cheek${s}`, `noseWing${s}`) && !echoBy(CHEEK_ECHO, `cheek${s}`, `nasolabial${s}`);
    if (au6) hit(6, s, `cheek${s}`, ...(UPISH(le) ? [`lowerEyelid${s}` as RegionName] : []));
    // AU7: the lower lid is raised / pulled in on its own: the cheek below does not rise with it (else AU6),
    // and it is not the lower fringe of an upper-lid raise.
    const cheekWithLid = UPISH(ch) && ch.magnitude >= LID_CHEEK * le.magnitude;
    if (!au6 && !cheekWithLid && le.moving && (UPISH(le) || le.sector === 4 || le.sector === 3) && !echo(`lowerEyelid${s}`, `upperEyelid${s}`)) hit(7, s, `lowerEyelid${s}`);
    // AU9: the nose wing and the skin beside the nose are pulled up.
    if (UPISH(nw) && !echo(`noseWing${s}`, 'upperLip', `nasolabial${s}`, `cheek${s}`, `lowerEyelid${s}`)) hit(9, s, `noseWing${s}`);
    // AU12: the lip corner is pulled up and out (obliquely) or straight up.
    const c = corner[s];
    if (c.moving && (c.sector === 1 || c.sector === 2) && !echo(`lipCorner${s}`, 'upperLip', 'lowerLip', 'chin')) hit(12, s, `lipCorner${s}`, ...(UPISH(f(`nasolabial${s}`, s)) ? [`nasolabial${s}` as RegionName] : []));
  }
  // Lip-corner actions pulling outwards. FACS: the lip stretcher (AU20) pulls the corners laterally and a
  // little down, the dimpler (AU14) tightens them back into the cheek, level or a little up. In a frontal
  // view both move the corner out; the sign of the small vertical part tells them apart.
  const outish = (c: FaceFrameMotion) => c.moving && (c.sector === 0 || c.sector === -1);
  const inish = (c: FaceFrameMotion) => c.moving && (c.sector === 3 || c.sector === 4 || c.sector === -3);
  // A corner pulled more down than out is the depressor's (AU15), not a stretch.
  const depressed = (c: FaceFrameMotion) => c.moving && c.sector === -1 && -c.up > c.out;
  const pulledOut = (c: FaceFrameMotion) => outish(c) && !depressed(c);
  for (const s of SIDES) if (depressed(corner[s])) hit(15, s, `lipCorner${s}`);
  // Which way the corner went vertically is read from its window fit when there is one (cornerTrack.ts:
  // the flow bends a sideways corner motion down under noise and JPEG), else from the region's flow.
  const slopeOf = (s: AuSide): { up: number; out: number; level: number } => {
    const t = report.corners?.[s];
    const track = t ? upOut(t.u, t.v, s, report.axes) : null;
    if (track && track.out > 0) return { ...track, level: TRACK_LEVEL };
    return { up: corner[s].up, out: corner[s].out, level: LEVEL };
  };
  const stretched = (...sides: AuSide[]) => {
    const m = sides.map(slopeOf);
    return m.reduce((a, x) => a + x.up, 0) < -m.reduce((a, x) => a + x.level * x.out, 0);
  };
  if (pulledOut(corner.R) && pulledOut(corner.L)) {
    // Both corners: one action of the mouth, read from the two corners together.
    hit(stretched('R', 'L') ? 20 : 14, undefined, 'lipCornerR', 'lipCornerL');
  } else {
    for (const s of SIDES) if (pulledOut(corner[s])) hit(stretched(s) ? 20 : 14, s, `lipCorner${s}`);
  }
  for (const s of SIDES) if (corner[s].moving && corner[s].sector === -2 && !echo(`lipCorner${s}`, 'lowerLip', 'chin')) hit(15, s, `lipCorner${s}`);
  const narrowed = inish(corner.R) && inish(corner.L);
  // Mouth narrowed: the lip tightener. One corner drawn towards the midline alone is no AU we can name: the
  // dimpler (AU14) draws the corner back into the cheek, which a frontal view shows as lateral, not medial
  // (it was read as AU14 until stop 22; on the development faces that was mostly a lip tightener's one side).
  if (narrowed) hit(23, undefined, 'lipCornerR', 'lipCornerL');

  // Midline: upper lip, lower lip, chin (up/down in the face frame).
  const ul = f('upperLip', null);
  const ll = f('lowerLip', null);
  const chin = f('chin', null);
  // AU10: the upper lip itself rises (not only its ends lifted by AU12, or pushed by the chin).
  if (UPISH(ul) && !echo('upperLip', 'lipCornerR', 'lipCornerL', 'noseWingR', 'noseWingL', 'chin', 'lowerLip')) hit(10, undefined, 'upperLip');
  // AU17: the chin boss pushes up, the lower lip with it. When the lips are tightened or pressed (corners
  // drawn in, or the upper lip pressing down on a rising lower lip) the chin rises with them: then only a
  // chin moving more than twice as far as the lower lip is its own push.
  // A chin rising with a rising lower lip that no lip action explains is AU17 whichever moves more: the
  // chin boss pushes the lower lip up (FACS 17), so the lip is the chin's echo, not the other way round.
  const lipsWork = narrowed || (DOWNISH(ul) && UPISH(ll));
  const chinPushesLip = UPISH(ll) && !lipsWork;
  if (UPISH(chin) && (chinPushesLip || !echo('chin', 'lowerLip')) && !(lipsWork && chin.magnitude < 2 * ll.magnitude)) hit(17, undefined, 'chin');
  // AU26: the jaw drops.
  if (DOWNISH(chin) && !echo('chin', 'lowerLip')) hit(26, undefined, 'chin');
  // AU25: the lower lip moves down while the upper lip does not follow: the lips part (with the jaw too:
  // a jaw drop parts the lips, FACS scores 25+26), not when the lip is only dragged by stretched corners.
  // The upper lip region borders the lower one, so some of the lower lip's drop shows in it: "does not
  // follow" is less than half the drop.
  const ulFollows = DOWNISH(ul) && -ul.up >= 0.5 * -ll.up;
  if (DOWNISH(ll) && !ulFollows && !echo('lowerLip', 'lipCornerR', 'lipCornerL')) hit(25, undefined, 'lowerLip');
  // AU24: lips pressed together: upper lip down, lower lip up, the corners not drawn in (that is AU23).
  if (DOWNISH(ul) && UPISH(ll) && !narrowed) hit(24, undefined, 'upperLip', 'lowerLip');

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
    const confidence = Math.max(0, ...e.regions.filter((r) => R[r].intensity !== 'none').map((r) => R[r].evidence.confidence));
    const base = { au, regions: e.regions, level, expressive: isExpressiveAu(au), confidence };
    all.push(bilateral ? base : { ...base, side: e.sides.has('R') ? 'R' : 'L' });
  }
  return { aus: all.filter((a) => a.expressive), noted: all.filter((a) => !a.expressive) };
}

interface Support {
  emotion: Emotion;
  patterns: EmotionPattern[];
  explained: Set<number>;
  largest: number;
}

/** Every emotion's support among `aus` (fully present patterns only). */
export function emotionSupport(aus: readonly InferredAu[]): Support[] {
  const expressive = aus.filter((a) => a.expressive);
  const present = new Set(expressive.map((a) => a.au));
  const by = new Map<Emotion, Support>();
  const add = (p: EmotionPattern) => {
    const s = by.get(p.emotion) ?? { emotion: p.emotion, patterns: [], explained: new Set<number>(), largest: 0 };
    s.patterns.push(p);
    for (const au of p.aus) s.explained.add(au);
    s.largest = Math.max(s.largest, p.aus.length);
    by.set(p.emotion, s);
  };
  for (const p of EMOTION_PATTERNS) if (p.aus.every((au) => present.has(au))) add(p);
  // Contempt: AU12 and/or AU14 present, all on one and the same side.
  const corner = expressive.filter((a) => (CONTEMPT_RULE.aus as readonly number[]).includes(a.au));
  if (corner.length > 0 && corner.every((a) => a.side !== undefined) && new Set(corner.map((a) => a.side)).size === 1) {
    add({ emotion: CONTEMPT_RULE.emotion, aus: [...new Set(corner.map((a) => a.au))].sort((x, y) => x - y), source: CONTEMPT_RULE.source });
  }
  return [...by.values()];
}

/**
 * The emotion of an AU set among `classes` (see the top of the file). null when there is no expressive AU.
 * Ties are reported as ties; a class outside `classes` never wins, and is listed in `excluded` when it
 * would have.
 */
export function emotionFromAus(aus: readonly InferredAu[], classes: readonly Emotion[] = EMOTIONS): EmotionDecision | null {
  const expressive = aus.filter((a) => a.expressive);
  if (expressive.length === 0) return null;
  const rank = (a: Support, b: Support) => b.explained.size - a.explained.size || b.largest - a.largest;
  const all = emotionSupport(expressive).sort(rank);
  const allowed = all.filter((s) => classes.includes(s.emotion));
  const excluded = all.filter((s) => all.length > 0 && rank(s, all[0]) === 0 && !classes.includes(s.emotion)).map((s) => s.emotion);
  if (allowed.length === 0) return { kind: 'no-pattern', candidates: [], patterns: [], explained: [], confidence: null, excluded };
  const top = allowed.filter((s) => rank(s, allowed[0]) === 0);
  const explained = [...new Set(top.flatMap((s) => [...s.explained]))].sort((x, y) => x - y);
  const patterns = top.flatMap((s) => s.patterns);
  if (top.length > 1) return { kind: 'tie', candidates: top.map((s) => s.emotion), patterns, explained, confidence: null, excluded };
  const conf = Math.min(...expressive.filter((a) => top[0].explained.has(a.au)).map((a) => a.confidence));
  return { kind: 'emotion', emotion: top[0].emotion, candidates: [top[0].emotion], patterns, explained, confidence: conf, excluded };
}

/** AUs, then the emotion among `classes`. Deterministic. */
export function inferFacs(report: RegionMotionReport, classes: readonly Emotion[] = EMOTIONS): FacsInference {
  const { aus, noted } = inferAus(report);
  return { aus, noted, decision: emotionFromAus(aus, classes), classes };
}
