// Scores landmark candidates on the labelled face set (faceSet.ts): nose-tip error in % of the labelled
// inter-ocular distance per crop, and how far the nose moves (source pixels) when the crop window shifts by
// 20 px. Every candidate starts from the same detector box, so the figures compare the landmark stage.
// Shared by test/face/face-set.test.ts and scripts/face-set-table.ts; deterministic (CPU, fixed inputs).
import { detectFaces } from '../../src/core/face';
import { cropRegion, landmarksFor } from '../../src/core/face/landmarks';
import { meshFor, mirrorImage } from '../../src/core/face/mesh';
import type { FaceBox, FaceImage, Point } from '../../src/core/face';
import { allCrops, iod, loadLabels, photoCrop, type FaceCrop } from './faceSet';

/**
 * face-api's 68-point net (point 30, mirror-averaged as shipped), the face mesh (3 passes) with the nose at vertex
 * 1, vertex 4 or between them (v14: the midpoint), the mesh mirror-averaged (mm-: the mesh on the mirrored image,
 * reflected back; both vertices lie on the midline), and the mean of the net and the mirror-averaged mesh.
 */
export const CANDIDATES = ['face-api-68', 'mesh-v1', 'mesh-v4', 'mesh-v14', 'mm-v4', 'mm-v14', 'net+mm-v4', 'net+mm-v14'] as const;
export type Candidate = (typeof CANDIDATES)[number];

/** The largest detection, as detectFace picks it (both detector passes, NMS). */
async function largestBox(img: FaceImage): Promise<FaceBox | null> {
  const faces = await detectFaces(img, { landmarks: 'face-api-68' });
  return faces.length > 0 ? faces[0].box : null;
}

/** Nose tip of each candidate for one box. */
export async function noseTips(img: FaceImage, box: FaceBox): Promise<Record<Candidate, Point>> {
  const region = cropRegion(box, img.width, img.height);
  const [net] = region ? await landmarksFor(img, [region]) : [[]];
  const [mesh] = await meshFor(img, [box]);
  const [flip] = await meshFor(mirrorImage(img), [{ ...box, x: img.width - box.x - box.width }]);
  const back = (p: Point): Point => [img.width - 1 - p[0], p[1]];
  const mid = (a: Point, b: Point): Point => [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
  const mm4 = mid(mesh[4], back(flip[4]));
  const mm1 = mid(mesh[1], back(flip[1]));
  const mm14 = mid(mm1, mm4);
  return {
    'face-api-68': net[30],
    'mesh-v1': mesh[1],
    'mesh-v4': mesh[4],
    'mesh-v14': mid(mesh[1], mesh[4]),
    'mm-v4': mm4,
    'mm-v14': mm14,
    'net+mm-v4': mid(net[30], mm4),
    'net+mm-v14': mid(net[30], mm14),
  };
}

export interface CropScore {
  id: string;
  variant: FaceCrop['variant'];
  iod: number;
  uncertainty: number;
  /** null: the detector found no face. */
  errors: Record<Candidate, number> | null;
}

export async function scoreCrops(): Promise<CropScore[]> {
  const out: CropScore[] = [];
  for (const c of await allCrops()) {
    const d = iod(c);
    const box = await largestBox(c.image);
    let errors: CropScore['errors'] = null;
    if (box) {
      const tips = await noseTips(c.image, box);
      errors = Object.fromEntries(
        CANDIDATES.map((k) => [k, (Math.hypot(tips[k][0] - c.nose[0], tips[k][1] - c.nose[1]) / d) * 100]),
      ) as Record<Candidate, number>;
    }
    out.push({ id: c.id, variant: c.variant, iod: d, uncertainty: (c.face.uncertainty * c.scale * 100) / d, errors });
  }
  return out;
}

export const SHIFTS: ReadonlyArray<[number, number]> = [
  [20, 0],
  [-20, 0],
  [0, 20],
  [0, -20],
];

export interface ShiftScore {
  id: string;
  /** Largest nose movement in source pixels over the four 20-px window shifts; null when a shift lost the face. */
  moved: Record<Candidate, number> | null;
}

/**
 * Each face's photo crop and the same window moved 20 px left, right, up, down: full pipeline each time. Thumbnail
 * faces (`clip`) are left out: a 20-px shift would cut a fifth of their face off.
 */
export async function scoreShifts(): Promise<ShiftScore[]> {
  const { sources, faces } = loadLabels();
  const out: ShiftScore[] = [];
  for (const f of faces.filter((x) => !x.clip)) {
    const at = async (dx: number, dy: number): Promise<Record<Candidate, Point> | null> => {
      const c = await photoCrop(f, sources[f.source], dx, dy);
      const box = await largestBox(c.image);
      if (!box) return null;
      const tips = await noseTips(c.image, box);
      return Object.fromEntries(CANDIDATES.map((k) => [k, [tips[k][0] + c.left, tips[k][1] + c.top]])) as Record<Candidate, Point>;
    };
    const base = await at(0, 0);
    const moved = Object.fromEntries(CANDIDATES.map((k) => [k, 0])) as Record<Candidate, number>;
    let lost = base === null;
    for (const [dx, dy] of SHIFTS) {
      if (lost || !base) break;
      const t = await at(dx, dy);
      if (!t) {
        lost = true;
        break;
      }
      for (const k of CANDIDATES) moved[k] = Math.max(moved[k], Math.hypot(t[k][0] - base[k][0], t[k][1] - base[k][1]));
    }
    out.push({ id: f.id, moved: lost ? null : moved });
  }
  return out;
}

