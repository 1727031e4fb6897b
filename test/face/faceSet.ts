// The labelled face set (test/fixtures/face-set/labels.json, docs/face-set.md): the crops are cut at run time
// from the photos in node_modules (devDependencies), so no third-party photo is committed, and the labels
// (source-photo pixel indices) are carried into each crop's coordinates.
//   photo : a square of 4 inter-ocular distances around the face, as shot (clipped at the photo's edge)
//   s160  : the photo crop scaled so that the face is ~160 px wide (inter-ocular distance 64 px)
//   casme : grey 280 x 340, the face filling the frame (2.6 inter-ocular distances wide), like CASME II crops
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import type { FaceImage, Point } from '../../src/core/face';

const ROOT = join(__dirname, '..', '..');
const LABELS = join(ROOT, 'test', 'fixtures', 'face-set', 'labels.json');

export interface LabelledFace {
  id: string;
  source: string;
  eyeR: Point;
  eyeL: Point;
  nose: Point;
  /** Half the distance between the two labelling passes' nose tips, source px. */
  uncertainty: number;
  tags: string[];
  /** The part of the photo that belongs to this face (left, top, width, height): a thumbnail in a mosaic. */
  clip?: [number, number, number, number];
  /** The two labelling passes (source px); eyeR/eyeL/nose are their mean unless `adjudicated` says otherwise. */
  passes?: Array<Record<'eyeR' | 'eyeL' | 'nose', Point>>;
  adjudicated?: string;
}

export type Variant = 'photo' | 's160' | 'casme';

export interface FaceCrop {
  id: string;
  variant: Variant;
  face: LabelledFace;
  image: FaceImage;
  /** Labels in crop coordinates. */
  eyeR: Point;
  eyeL: Point;
  nose: Point;
  /** Crop origin in the source photo and crop pixels per source pixel. */
  left: number;
  top: number;
  scale: number;
}

interface LabelFile {
  sources: Record<string, string>;
  faces: LabelledFace[];
}

export function loadLabels(): LabelFile {
  return JSON.parse(readFileSync(LABELS, 'utf8')) as LabelFile;
}

/** Absolute path of a photo named "package/path" (the package's main entry need not exist). */
export function photoPath(spec: string): string {
  const parts = spec.split('/');
  const pkg = spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  const rest = spec.slice(pkg.length + 1);
  // Walk up from the package's resolved entry to the folder named like the package.
  let dir = dirname(require.resolve(pkg, { paths: [ROOT] }));
  while (!dir.endsWith(join('node_modules', pkg))) dir = dirname(dir);
  return join(dir, rest);
}

export const iod = (f: { eyeR: Point; eyeL: Point }): number => Math.hypot(f.eyeL[0] - f.eyeR[0], f.eyeL[1] - f.eyeR[1]);

const photos = new Map<string, Promise<{ data: Buffer; width: number; height: number }>>();

function photo(spec: string): Promise<{ data: Buffer; width: number; height: number }> {
  let p = photos.get(spec);
  if (!p) {
    p = sharp(photoPath(spec))
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true })
      .then(({ data, info }) => ({ data, width: info.width, height: info.height }));
    photos.set(spec, p);
  }
  return p;
}

/** A rectangle of the photo (clipped to it), optionally resized and made grey, with the labels moved along. */
export async function cutCrop(
  face: LabelledFace,
  spec: string,
  variant: Variant,
  rect: { left: number; top: number; width: number; height: number },
  out?: { width: number; height: number; grey: boolean },
): Promise<FaceCrop> {
  const src = await photo(spec);
  // Clipped to the photo, or to the face's own thumbnail in a mosaic.
  const [cl, ct, cw, ch] = face.clip ?? [0, 0, src.width, src.height];
  const left = Math.max(cl, Math.round(rect.left));
  const top = Math.max(ct, Math.round(rect.top));
  const width = Math.min(cl + cw, Math.round(rect.left + rect.width)) - left;
  const height = Math.min(ct + ch, Math.round(rect.top + rect.height)) - top;
  let pipe = sharp(src.data, { raw: { width: src.width, height: src.height, channels: 3 } }).extract({ left, top, width, height });
  let scale = 1;
  if (out) {
    scale = out.width / width;
    pipe = sharp(await pipe.raw().toBuffer(), { raw: { width, height, channels: 3 } }).resize(out.width, out.height, { fit: 'fill' });
    if (out.grey) pipe = pipe.greyscale();
  }
  const { data, info } = await pipe.raw().toBuffer({ resolveWithObject: true });
  const image: FaceImage = { width: info.width, height: info.height, channels: info.channels as 1 | 3, data: new Uint8Array(data) };
  // Centre-aligned resampling: index coordinate x maps to (x + 0.5) * scale - 0.5.
  const sy = out ? out.height / height : 1;
  const move = (p: Point): Point => [(p[0] - left + 0.5) * scale - 0.5, (p[1] - top + 0.5) * sy - 0.5];
  return { id: face.id, variant, face, image, eyeR: move(face.eyeR), eyeL: move(face.eyeL), nose: move(face.nose), left, top, scale };
}

function centre(f: LabelledFace): Point {
  return [(f.eyeR[0] + f.eyeL[0] + f.nose[0]) / 3, (f.eyeR[1] + f.eyeL[1] + f.nose[1]) / 3];
}

/**
 * The photo crop of a face, its window moved by (dx, dy) source pixels. A thumbnail face (`clip`) is its whole
 * thumbnail: the face fills it, as in a tight crop.
 */
export function photoCrop(face: LabelledFace, spec: string, dx = 0, dy = 0): Promise<FaceCrop> {
  if (face.clip) {
    const [left, top, width, height] = face.clip;
    return cutCrop(face, spec, 'photo', { left: left + dx, top: top + dy, width, height });
  }
  const [cx, cy] = centre(face);
  const side = 4 * iod(face);
  return cutCrop(face, spec, 'photo', { left: cx - side / 2 + dx, top: cy - side / 2 + dy, width: side, height: side });
}

/** Every crop of the set: the photo crop of each face, s160 of faces larger than that, casme of faces >= 60 px apart. */
export async function allCrops(): Promise<FaceCrop[]> {
  const { sources, faces } = loadLabels();
  const crops: FaceCrop[] = [];
  for (const f of faces) {
    const spec = sources[f.source];
    const d = iod(f);
    crops.push(await photoCrop(f, spec));
    if (d > 72) {
      const [cx, cy] = centre(f);
      const side = Math.round(4 * d);
      const outSide = Math.round((side * 64) / d);
      crops.push(await cutCrop(f, spec, 's160', { left: cx - side / 2, top: cy - side / 2, width: side, height: side }, { width: outSide, height: outSide, grey: false }));
    }
    if (d >= 60) {
      const w = 2.6 * d;
      const h = (w * 340) / 280;
      const ex = (f.eyeR[0] + f.eyeL[0]) / 2;
      const ey = (f.eyeR[1] + f.eyeL[1]) / 2;
      crops.push(await cutCrop(f, spec, 'casme', { left: ex - w / 2, top: ey - 0.4 * h, width: w, height: h }, { width: 280, height: 340, grey: true }));
    }
  }
  return crops;
}
