// The faces of the reasoner-accuracy benchmark and how each becomes a framed photo with 68 points.
//
// A face is either a committed fixture crop (a path under the repository) or `face-set:ID`, a face of the
// labelled set (test/fixtures/face-set/labels.json), cut at run time from its photo in node_modules.
//
// Which face is in which split was fixed before any of the added faces was measured (stop 22), by rule:
//  - the fixture faces keep their roles: development = face.png (fa3-a of the set), crop1 (fa1-a) and
//    crop3 (fa3-c); held out = crop2 (fa3-b), crop4 (fa5-d), crop5 (fa5-a) and crop6 (fa6-b);
//  - the set's other faces with eyes >= 60 px apart, in labels.json order, alternate: the 1st, 3rd, ... are
//    development faces, the 2nd, 4th, ... held out.
// A face on which the product's detector finds no face (or finds another face) is skipped and reported; it
// cannot be a micro-expression crop the pipeline would analyse.
import { join } from 'node:path';
import { detectFace, type Point } from '../../src/core/face';
import { loadImage, toRgb, type LoadedImage } from '../../src/core/image';
import { eyeCentres } from '../../test/support/warp';
import { cutCrop, iod, loadLabels } from '../../test/face/faceSet';
import type { Pt } from './_facsActions';

const ROOT = join(__dirname, '..', '..');

/** Fixture faces, as before stop 22. */
const FIXTURE_DEV = ['test/fixtures/reasoning/face.png', 'test/fixtures/face/crop1.jpg', 'test/fixtures/face/crop3.jpg'];
const FIXTURE_HELD_OUT = ['test/fixtures/face/crop2.jpg', 'test/fixtures/face/crop4.jpg', 'test/fixtures/face/crop5.jpg', 'test/fixtures/face/crop6.jpg'];
/** The set's faces that are the fixture crops (found by template matching on the demo photos; face.png at 1/1.2 scale). */
const FIXTURE_FACE_IDS = new Set(['fa1-a', 'fa3-a', 'fa3-b', 'fa3-c', 'fa5-a', 'fa5-d', 'fa6-b']);

const LABELS = loadLabels();
const ADDED = LABELS.faces.filter((f) => !FIXTURE_FACE_IDS.has(f.id) && iod(f) >= 60).map((f) => `face-set:${f.id}`);
const ADDED_DEV = ADDED.filter((_, i) => i % 2 === 0);
const ADDED_HELD_OUT = ADDED.filter((_, i) => i % 2 === 1);

export const DEV_FACES: string[] = [...FIXTURE_DEV, ...ADDED_DEV];
export const REPORT_FACES: string[] = [...FIXTURE_HELD_OUT, ...ADDED_HELD_OUT];
/** Held-out faces no run had measured before the stop-22 assignment (the fixture ones had been, twice). */
export const FRESH_REPORT_FACES: ReadonlySet<string> = new Set(ADDED_HELD_OUT);

export interface BenchFace {
  photo: LoadedImage;
  points: Pt[];
}

/**
 * The photo cut to the face with a margin, as micro-expression datasets crop it (4.2 x 4.8 inter-ocular
 * distances around the eyes; the fixture face is 280 x 340 at 80 px), at its own scale: less background to
 * compute flow on. A tighter cut (3.4 x 4.2) lost the face detector on a turned face (crop3: 3 of 10 noisy
 * onsets found).
 */
export function framePhoto(photo: LoadedImage, points: Pt[]): BenchFace {
  const { right, left, iod: d } = eyeCentres(points);
  const [rx, ry] = right;
  const [lx, ly] = left;
  const x0 = Math.max(0, Math.round((rx + lx) / 2 - 2.1 * d));
  const y0 = Math.max(0, Math.round((ry + ly) / 2 - 2.1 * d));
  const x1 = Math.min(photo.width, Math.round((rx + lx) / 2 + 2.1 * d));
  const y1 = Math.min(photo.height, Math.round((ry + ly) / 2 + 2.7 * d));
  const w = x1 - x0;
  const h = y1 - y0;
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) data.set(photo.data.subarray(((y + y0) * photo.width + x0) * 3, ((y + y0) * photo.width + x1) * 3), y * w * 3);
  return { photo: { width: w, height: h, channels: 3, data }, points: points.map(([x, y]) => [x - x0, y - y0] as Pt) };
}

/** A face of the set: a window of 6 x 6.5 inter-ocular distances around its eyes, at the photo's own scale. */
async function setFacePhoto(id: string): Promise<{ image: LoadedImage; nose: Point; iod: number }> {
  const face = LABELS.faces.find((f) => f.id === id);
  if (!face) throw new Error(`${id}: not in test/fixtures/face-set/labels.json`);
  const d = iod(face);
  const ex = (face.eyeR[0] + face.eyeL[0]) / 2;
  const ey = (face.eyeR[1] + face.eyeL[1]) / 2;
  const crop = await cutCrop(face, LABELS.sources[face.source], 'photo', { left: ex - 3 * d, top: ey - 3 * d, width: 6 * d, height: 6.5 * d });
  return { image: crop.image as LoadedImage, nose: crop.nose, iod: d };
}

/** Loads a benchmark face; `skipped` (with the reason) when the product's detector does not find that face. */
export async function loadBenchFace(face: string): Promise<BenchFace | { skipped: string }> {
  let image: LoadedImage;
  let expectNose: Point | undefined;
  let d = 0;
  if (face.startsWith('face-set:')) {
    const s = await setFacePhoto(face.slice('face-set:'.length));
    image = s.image;
    expectNose = s.nose;
    d = s.iod;
  } else {
    image = await loadImage(join(ROOT, face));
  }
  const rgb: LoadedImage = { ...toRgb(image), channels: 3 };
  const found = await detectFace(rgb);
  if (!found) return { skipped: `${face}: the detector finds no face` };
  // The largest face must be the labelled one (a neighbour in a group photo would be another person).
  if (expectNose && Math.hypot(found.nose.x - expectNose[0], found.nose.y - expectNose[1]) > 0.5 * d) {
    return { skipped: `${face}: the largest face found is not the labelled one` };
  }
  return framePhoto(rgb, found.points);
}
