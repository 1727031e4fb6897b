// The fixed pairs whose photometric estimate test/reasoning/photometric.pin.test.ts pins; the pinned values
// (test/fixtures/reasoning/photometric-pin.json) were printed from these pairs by the implementation as it
// was before it was made fast.
import { estimatePhotometric, normaliseApex, photometricSummary, type PhotometricChange } from '../../src/core/reasoning/photometric';
import { faceExtent } from '../../src/core/reasoning/lightingFlow';
import type { GreyImage } from '../../src/core/native';
import { EXPRESSIONS, loadFixtureFace } from '../fixtures/reasoning/face';
import { warpFace } from './warp';
import { gaussian, rng } from './rng';

export interface PinValue {
  name: string;
  /** Every number of the result (model included), flattened in a fixed order. */
  numbers: number[];
  found: string[];
  significant: boolean;
  estimable: boolean;
  sentence: string;
  /** Sum and sum of squares of the normalised apex's bytes. */
  apexSum: [number, number];
}

function numbersOf(c: PhotometricChange): number[] {
  const s = photometricSummary(c);
  return [
    s.gain, s.offset, s.gainField.min, s.gainField.max, s.flicker.amplitude, s.flicker.periodRows ?? -1, s.meanChange, s.residual, s.cells, s.inliers,
    s.head.dx, s.head.dy, s.head.rollDeg, s.head.scale,
    c.model.box.x0, c.model.box.y0, c.model.box.x1, c.model.box.y1, ...c.model.coeffs, c.model.offset, ...(c.model.rowGain ?? []),
  ];
}

function pinOf(name: string, c: PhotometricChange, apex: GreyImage): PinValue {
  const n = normaliseApex(apex, c);
  let s = 0;
  let s2 = 0;
  for (const v of n.data) (s += v), (s2 += v * v);
  return { name, numbers: numbersOf(c), found: [...c.found], significant: c.significant, estimable: c.estimable, sentence: c.sentence.en, apexSum: [s, s2] };
}

/** A smile under head shift, a gain gradient, row banding, an offset and sensor noise (no JPEG: no codec in the pin). */
export async function pinCases(): Promise<PinValue[]> {
  const { onset, face } = await loadFixtureFace();
  const smile = warpFace(onset, face.points, { ...EXPRESSIONS.happiness, shift: [1.3, -0.7] });
  const r = rng(20261202);
  const lit = new Uint8Array(onset.data.length);
  for (let y = 0; y < onset.height; y++)
    for (let x = 0; x < onset.width; x++) {
      const p = y * onset.width + x;
      const g = (0.955 + (0.05 * x) / onset.width + (0.02 * y) / onset.height) * (1 + 0.02 * Math.sin((2 * Math.PI * y) / 23 + 0.4));
      lit[p] = Math.max(0, Math.min(255, Math.round(smile.apex.data[p] * g + 3.5 + 1.5 * gaussian(r))));
    }
  const apex: GreyImage = { ...onset, data: lit };
  const quiet = new Uint8Array(onset.data.length);
  for (let i = 0; i < quiet.length; i++) quiet[i] = Math.max(0, Math.min(255, Math.round(smile.apex.data[i] + 1.2 * gaussian(r))));
  const still: GreyImage = { ...onset, data: quiet };
  const box = faceExtent(face);
  return [
    pinOf('rigid', estimatePhotometric(onset, apex, { box }), apex),
    pinOf('flow', estimatePhotometric(onset, apex, { box, flow: smile.flow }), apex),
    pinOf('no rigid, cell 6', estimatePhotometric(onset, apex, { box, rigid: false, cell: 6 }), apex),
    pinOf('whole image', estimatePhotometric(onset, apex), apex),
    pinOf('noise only', estimatePhotometric(onset, still, { box }), still),
  ];
}
