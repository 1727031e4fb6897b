// The reasoner-accuracy benchmark's expression generator: smooth displacement fields for FACS action
// units, placed on a face's 68 landmarks. Written from the FACS Manual's appearance descriptions
// (Ekman, Friesen & Hager 2002: what moves, which way, where), NOT from the built-in reasoner's rules or
// regions: it imports nothing from src/core/reasoning and uses its own face frame and mirror map.
//
// A field is a sum of Gaussian components. Each component sits at a landmark (or the mean of several),
// shifted by an offset in the face frame (out = away from the midline on that side, up = towards the top
// of the face, both in inter-ocular distances), with a width in inter-ocular distances and a direction
// (out, up). The largest direction of an action has length 1, so its peak displacement is the action's
// amplitude in pixels (eye centres from the test warp helper, not from the product). Indices are the
// SUBJECT's right side (iBUG 0-based; the image's left); the left side
// uses the mirrored points.

import { eyeCentres } from '../../test/support/warp';

export type Side = 'R' | 'L';
export type Pt = [number, number];

interface Component {
  at: number[];
  off?: [number, number];
  sigma: number;
  dir: [number, number];
}

interface ActionDef {
  /** Appearance change per FACS, in brief (what the components model). */
  facs: string;
  /** Components for one side (mirrored for the other); midline actions have `midline` instead. */
  side?: Component[];
  midline?: Component[];
  /** The AU codes a FACS coder scores for this movement (a jaw drop parts the lips: 25+26). */
  codes?: number[];
  /** One-sided versions exist (FACS scores L/R for this AU). */
  unilateral: boolean;
}

export const ACTIONS: Readonly<Record<number, ActionDef>> = {
  1: {
    facs: 'inner corners of the brows raised (oblique brows); central forehead skin pulled up',
    side: [
      { at: [21], off: [0.02, 0], sigma: 0.15, dir: [-0.1, 1] },
      { at: [21], off: [-0.04, 0.32], sigma: 0.2, dir: [0, 0.6] },
    ],
    unilateral: true,
  },
  2: {
    facs: 'lateral part of the brows raised (arched); lateral forehead skin pulled up',
    side: [
      { at: [18], sigma: 0.16, dir: [0.1, 1] },
      { at: [17], sigma: 0.12, dir: [0, 0.8] },
      { at: [18], off: [0, 0.32], sigma: 0.2, dir: [0, 0.5] },
    ],
    unilateral: true,
  },
  4: {
    facs: 'brows lowered and drawn together; inner brow pulled down and medially, skin bunched between the brows',
    side: [
      { at: [21], sigma: 0.14, dir: [-0.6, -0.8] },
      { at: [19], sigma: 0.16, dir: [-0.2, -0.6] },
    ],
    unilateral: true,
  },
  5: {
    facs: 'upper lid raised, widening the eye opening',
    side: [{ at: [37, 38], off: [0, 0.02], sigma: 0.08, dir: [0, 1] }],
    unilateral: true,
  },
  6: {
    facs: 'infraorbital skin (cheek below the eye) lifted towards the eye; lower lid pushed up; skin at the outer eye corner drawn in (crow\'s feet)',
    side: [
      { at: [40, 41], off: [0.02, -0.3], sigma: 0.2, dir: [-0.15, 1] },
      { at: [40, 41], off: [0, -0.06], sigma: 0.1, dir: [0, 0.6] },
      { at: [36], off: [0.15, 0], sigma: 0.1, dir: [-0.5, 0.3] },
    ],
    unilateral: true,
  },
  7: {
    facs: 'lower lid raised and straightened, tightened towards the inner corner; narrows the eye from below',
    side: [{ at: [40, 41], off: [0, -0.02], sigma: 0.08, dir: [-0.2, 1] }],
    unilateral: true,
  },
  9: {
    facs: 'skin along the side of the nose wrinkled upwards; nostril wing raised; centre of the upper lip raised a little; inner brow lowered a little',
    side: [
      { at: [31], off: [0.02, 0.05], sigma: 0.1, dir: [-0.1, 1] },
      { at: [29], off: [0.1, 0], sigma: 0.1, dir: [0, 0.8] },
      { at: [50], sigma: 0.1, dir: [0, 0.35] },
      { at: [21], sigma: 0.12, dir: [0, -0.3] },
    ],
    unilateral: true,
  },
  10: {
    facs: 'upper lip raised (centre and the part beside it); upper part of the nasolabial furrow raised and deepened',
    side: [
      { at: [50], off: [0, 0.02], sigma: 0.12, dir: [0, 1] },
      { at: [51], sigma: 0.1, dir: [0, 0.5] },
      { at: [31], off: [0.15, -0.15], sigma: 0.12, dir: [0.05, 0.5] },
    ],
    unilateral: true,
  },
  12: {
    facs: 'lip corner pulled up and back obliquely towards the cheekbone; skin above the corner and the nasolabial furrow pulled up-out',
    side: [
      { at: [48], sigma: 0.14, dir: [0.75, 0.66] },
      { at: [48], off: [0.12, 0.2], sigma: 0.18, dir: [0.3, 0.35] },
    ],
    unilateral: true,
  },
  14: {
    facs: 'lip corner tightened and drawn back into the cheek (laterally in a frontal view, slightly up); dimple beside the corner',
    side: [
      { at: [48], sigma: 0.1, dir: [0.95, 0.15] },
      { at: [48], off: [0.1, 0], sigma: 0.07, dir: [0.3, 0] },
    ],
    unilateral: true,
  },
  15: {
    facs: 'lip corner pulled down (slightly out); skin below the corner pulled down; lateral lower lip lowered a little',
    side: [
      { at: [48], sigma: 0.13, dir: [0.15, -1] },
      { at: [48], off: [0.02, -0.2], sigma: 0.15, dir: [0.1, -0.6] },
      { at: [59], sigma: 0.1, dir: [0, -0.3] },
    ],
    unilateral: true,
  },
  16: {
    facs: 'lower lip pulled down and slightly out (used only in the disgust prototype)',
    side: [{ at: [58], sigma: 0.12, dir: [0.2, -1] }],
    unilateral: true,
  },
  17: {
    facs: 'chin boss pushed up; lower lip pushed up',
    midline: [
      { at: [8], off: [0, 0.35], sigma: 0.22, dir: [0, 1] },
      { at: [57], sigma: 0.15, dir: [0, 0.6] },
    ],
    unilateral: false,
  },
  20: {
    facs: 'lip corners pulled laterally (slightly down): lips elongated and flattened; skin beyond the corners pulled out',
    side: [
      { at: [48], sigma: 0.14, dir: [1, -0.15] },
      { at: [48], off: [0.15, -0.05], sigma: 0.15, dir: [0.6, -0.1] },
    ],
    unilateral: true,
  },
  23: {
    facs: 'lips tightened: the red of both lips narrowed (outer contours move towards the lip line), corners drawn in slightly',
    midline: [
      { at: [51], sigma: 0.16, dir: [0, -0.7] },
      { at: [57], sigma: 0.16, dir: [0, 0.7] },
      // Midline components use the subject's right frame ('out' = image left): the right corner (48) moves
      // in = -out, the left corner (54, image right) moves in = towards the image left = +out.
      { at: [48], sigma: 0.09, dir: [-1, 0] },
      { at: [54], sigma: 0.09, dir: [1, 0] },
    ],
    unilateral: false,
  },
  24: {
    facs: 'lips pressed together: upper lip pushed down, lower lip pushed up, skin bulging above and below the red',
    midline: [
      { at: [51], off: [0, 0.02], sigma: 0.14, dir: [0, -1] },
      { at: [57], off: [0, -0.02], sigma: 0.14, dir: [0, 1] },
    ],
    unilateral: false,
  },
  25: {
    facs: 'lips part: lower lip drops (jaw stays), upper lip may rise a little',
    midline: [
      { at: [57], sigma: 0.14, dir: [0, -1] },
      { at: [66], sigma: 0.12, dir: [0, -0.8] },
      { at: [62], sigma: 0.1, dir: [0, 0.2] },
    ],
    unilateral: false,
  },
  26: {
    facs: 'jaw dropped: chin, jaw and lower lip move down; the lips part (scored 25+26)',
    midline: [
      // Everything below the lip line moves with the mandible; the upper lip stays.
      { at: [8], off: [0, 0.1], sigma: 0.3, dir: [0, -1] },
      { at: [57], off: [0, -0.05], sigma: 0.15, dir: [0, -0.9] },
      { at: [6], sigma: 0.22, dir: [0, -0.6] },
      { at: [10], sigma: 0.22, dir: [0, -0.6] },
    ],
    codes: [25, 26],
    unilateral: false,
  },
};

/** The AUs the benchmark scores one by one (issue #15). */
export const SCORED_AUS = [1, 2, 4, 5, 6, 7, 9, 10, 12, 14, 15, 17, 20, 23, 24, 25, 26] as const;

/**
 * EMFACS prototypes (Friesen & Ekman 1983) as listed by Matsumoto & Ekman, "Facial expression analysis",
 * Scholarpedia 3(5):4237 (2008), and the FACS article of Wikipedia: happiness 6+12, sadness 1+4+15,
 * surprise 1+2+5B+26, fear 1+2+4+5+7+20+26, anger 4+5+7+23, disgust 9+15+16, contempt R12A+R14A.
 * Intensity letters are not modelled; contempt is one-sided.
 */
export const PROTOTYPES: readonly { emotion: string; aus: number[]; unilateral?: boolean }[] = [
  { emotion: 'happiness', aus: [6, 12] },
  { emotion: 'sadness', aus: [1, 4, 15] },
  { emotion: 'surprise', aus: [1, 2, 5, 26] },
  { emotion: 'fear', aus: [1, 2, 4, 5, 7, 20, 26] },
  { emotion: 'anger', aus: [4, 5, 7, 23] },
  { emotion: 'disgust', aus: [9, 15, 16] },
  { emotion: 'contempt', aus: [12, 14], unilateral: true },
];

// ---- placement ---------------------------------------------------------------------------------

const MIRROR = new Map<number, number>();
for (let k = 0; k <= 16; k++) MIRROR.set(k, 16 - k);
for (const [r, l] of [[17, 26], [18, 25], [19, 24], [20, 23], [21, 22], [31, 35], [32, 34], [36, 45], [37, 44], [38, 43], [39, 42], [40, 47], [41, 46], [48, 54], [49, 53], [50, 52], [59, 55], [58, 56], [60, 64], [61, 63], [67, 65]]) {
  MIRROR.set(r, l);
  MIRROR.set(l, r);
}
for (const k of [27, 28, 29, 30, 33, 51, 57, 62, 66, 8]) MIRROR.set(k, k);

interface Frame {
  ex: Pt; // subject's right eye -> left eye
  up: Pt;
  iod: number;
}

function frameOf(points: readonly Pt[]): Frame {
  const { right: r, left: l, iod } = eyeCentres(points);
  const ex: Pt = [(l[0] - r[0]) / iod, (l[1] - r[1]) / iod];
  return { ex, up: [ex[1], -ex[0]], iod };
}

/** One Gaussian of the field in image pixels. */
export interface PlacedBump {
  cx: number;
  cy: number;
  sigma: number;
  du: number;
  dv: number;
}

/** One action to apply: AU, side (absent = both / midline), amplitude in px. */
export interface ActionSpec {
  au: number;
  side?: Side;
  amplitude: number;
}

function place(c: Component, side: Side, f: Frame, points: readonly Pt[], amp: number): PlacedBump {
  const idx = side === 'R' ? c.at : c.at.map((i) => MIRROR.get(i) ?? i);
  let cx = 0;
  let cy = 0;
  for (const i of idx) {
    cx += points[i][0] / idx.length;
    cy += points[i][1] / idx.length;
  }
  // "out" is -ex on the subject's right (image left), +ex on the left.
  const out: Pt = side === 'R' ? [-f.ex[0], -f.ex[1]] : f.ex;
  const [oo, ou] = c.off ?? [0, 0];
  cx += (oo * out[0] + ou * f.up[0]) * f.iod;
  cy += (oo * out[1] + ou * f.up[1]) * f.iod;
  const [d0, d1] = c.dir;
  return { cx, cy, sigma: c.sigma * f.iod, du: amp * (d0 * out[0] + d1 * f.up[0]), dv: amp * (d0 * out[1] + d1 * f.up[1]) };
}

/** The Gaussian components of the given actions on this face. */
export function placeActions(points: readonly Pt[], actions: readonly ActionSpec[]): PlacedBump[] {
  const f = frameOf(points);
  const out: PlacedBump[] = [];
  for (const a of actions) {
    const def = ACTIONS[a.au];
    if (!def) throw new RangeError(`no generator for AU${a.au}`);
    const comps = def.side ?? def.midline ?? [];
    const norm = Math.max(...comps.map((c) => Math.hypot(c.dir[0], c.dir[1])));
    const amp = a.amplitude / norm;
    if (def.midline) {
      // Midline components are written in image terms for the subject's right ('out' = image left).
      for (const c of def.midline) out.push(place(c, 'R', f, points, amp));
    } else {
      for (const s of a.side ? [a.side] : (['R', 'L'] as const)) for (const c of comps) out.push(place(c, s, f, points, amp));
    }
  }
  return out;
}

/** The FACS codes scored for the actions: e.g. [{12, R}] -> ['R12']; a jaw drop adds 25. */
export function truthCodes(actions: readonly ActionSpec[]): string[] {
  const codes = new Set<string>();
  for (const a of actions) for (const n of ACTIONS[a.au].codes ?? [a.au]) codes.add(a.side && ACTIONS[n]?.unilateral ? `${a.side}${n}` : `AU${n}`);
  return [...codes];
}
