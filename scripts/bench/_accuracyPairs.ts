// The pairs of the reasoner-accuracy benchmark: which face, which actions, which camera, by split.
//  - calibration: camera-only pairs on the development faces, for setting the evidence thresholds;
//  - dev: expressions and camera-only pairs on the development faces (for looking at while developing);
//  - report: expressions and camera-only pairs on the HELD-OUT faces, with their own seeds: the
//    figures the README shows. Nothing is tuned on them.
// Which faces are development and which held out: _benchFaces.ts.
import { rng, type Rng } from '../../test/support/rng';
import { DEV_FACES, REPORT_FACES } from './_benchFaces';
import { drawCamera, type CameraParams } from './_camera';
import { ACTIONS, PROTOTYPES, SCORED_AUS, truthCodes, type ActionSpec, type Side } from './_facsActions';


export type Split = 'calibration' | 'dev' | 'report';

export interface PairSpec {
  id: string;
  face: string;
  kind: 'null' | 'au' | 'prototype';
  actions: ActionSpec[];
  /** FACS codes scored: 'AU12' bilateral / midline, 'R12' one-sided (subject's side). */
  truthAus: string[];
  /** For prototypes: the emotion. */
  truthEmotion?: string;
  /** Peak displacement of the action (prototypes: the base its actions vary around by +-25%), px; 0 for camera-only pairs. */
  amplitude: number;
  cam: CameraParams;
  /** Seed for the pair's noise. */
  seed: number;
}

/** Log-uniform in [0.3, 2] px: the range; about 63% of draws are >= 0.6 px. */
const amplitudeOf = (r: Rng) => 0.3 * Math.exp(r() * Math.log(2 / 0.3));

const SPLIT_SEED: Record<Split, number> = { calibration: 1_000_003, dev: 2_000_003, report: 3_000_017 };

export interface SplitSizes {
  /** Camera-only pairs per face. */
  nullsPerFace: number;
  /** Amplitudes per AU variant (bilateral and, where FACS scores sides, one-sided) per face. */
  auRepeats: number;
  /** Draws per prototype per face. */
  prototypeRepeats: number;
}

export const SIZES: Record<Split, SplitSizes> = {
  calibration: { nullsPerFace: 60, auRepeats: 0, prototypeRepeats: 0 },
  dev: { nullsPerFace: 16, auRepeats: 2, prototypeRepeats: 1 },
  report: { nullsPerFace: 22, auRepeats: 2, prototypeRepeats: 2 },
};

export function pairsOf(split: Split, sizes: SplitSizes = SIZES[split]): PairSpec[] {
  const faces = split === 'report' ? REPORT_FACES : DEV_FACES;
  const r = rng(SPLIT_SEED[split]);
  const seed = () => Math.floor(r() * 2 ** 31);
  const out: PairSpec[] = [];
  faces.forEach((face, fi) => {
    const tag = `f${fi}`;
    for (let k = 0; k < sizes.nullsPerFace; k++) {
      out.push({ id: `${split}/${tag}/null${k}`, face, kind: 'null', actions: [], truthAus: [], amplitude: 0, cam: drawCamera(r), seed: seed() });
    }
    for (const au of SCORED_AUS) {
      for (const oneSided of ACTIONS[au].unilateral ? [false, true] : [false]) {
        for (let k = 0; k < sizes.auRepeats; k++) {
          const side: Side | undefined = oneSided ? (r() < 0.5 ? 'R' : 'L') : undefined;
          const actions: ActionSpec[] = [{ au, side, amplitude: amplitudeOf(r) }];
          out.push({ id: `${split}/${tag}/AU${au}${side ?? ''}-${k}`, face, kind: 'au', actions, truthAus: truthCodes(actions), amplitude: actions[0].amplitude, cam: drawCamera(r), seed: seed() });
        }
      }
    }
    for (const p of PROTOTYPES) {
      for (let k = 0; k < sizes.prototypeRepeats; k++) {
        const base = amplitudeOf(r);
        const side: Side | undefined = p.unilateral ? (r() < 0.5 ? 'R' : 'L') : undefined;
        // Each action of the prototype within +-25% of the pair's amplitude.
        const actions: ActionSpec[] = p.aus.map((au) => ({ au, side, amplitude: base * (0.75 + 0.5 * r()) }));
        out.push({
          id: `${split}/${tag}/${p.emotion}-${k}`, face, kind: 'prototype', actions, truthAus: truthCodes(actions), truthEmotion: p.emotion,
          amplitude: base, cam: drawCamera(r), seed: seed(),
        });
      }
    }
  });
  return out;
}
