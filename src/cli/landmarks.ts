// `mellm landmarks IMAGE [--landmarks face-api-68|mesh] [--json]`: the largest face's box and score, its 68
// iBUG points, the nose tip, the inter-ocular distance and the named facial regions, from the shipped ONNX
// models (offline), and which landmark model placed the points.
import { detectFace, FaceModelError, LANDMARK_MODELS, type FaceResult, type LandmarkModel } from '../core/face';
import { loadImage } from '../core/image';
import { MediaError } from '../core/mediaError';
import { UsageError, UserError, type CliCommand, type CliIO } from './types';
import { parseOptions } from './args';

const round = (v: number): number => Math.round(v * 100) / 100;

/** Stable JSON shape of a face (coordinates in image pixels, 2 decimals). */
export function faceJson(
  file: string,
  width: number,
  height: number,
  face: FaceResult | null,
  model: LandmarkModel = 'face-api-68',
): Record<string, unknown> {
  const landmarkModel = { id: model, name: LANDMARK_MODELS[model] };
  if (!face) return { image: file, width, height, landmarkModel, face: null };
  return {
    image: file,
    width,
    height,
    landmarkModel,
    face: {
      box: { x: round(face.box.x), y: round(face.box.y), width: round(face.box.width), height: round(face.box.height) },
      score: Math.round(face.score * 1e4) / 1e4,
      nose: { x: round(face.nose.x), y: round(face.nose.y) },
      interOcular: round(face.interOcular),
      points: face.points.map(([x, y]) => [round(x), round(y)]),
      regions: Object.fromEntries(
        Object.entries(face.regions).map(([name, poly]) => [name, poly.map(([x, y]) => [round(x), round(y)])]),
      ),
    },
  };
}

function formatFace(file: string, face: FaceResult | null, model: LandmarkModel): string {
  if (!face) return `${file}: no face found\n`;
  const b = face.box;
  const lines = [
    `landmark model: ${LANDMARK_MODELS[model]} (--landmarks ${model})`,
    `${file}: face at x ${b.x.toFixed(0)}, y ${b.y.toFixed(0)}, ${b.width.toFixed(0)} x ${b.height.toFixed(0)} px (score ${face.score.toFixed(2)})`,
    `nose tip (point 30): ${face.nose.x.toFixed(1)}, ${face.nose.y.toFixed(1)}; inter-ocular distance ${face.interOcular.toFixed(1)} px`,
    `68 points: ${face.points.map(([x, y]) => `${x.toFixed(0)},${y.toFixed(0)}`).join(' ')}`,
    `regions: ${Object.keys(face.regions).join(', ')}`,
  ];
  return lines.join('\n') + '\n';
}

export const landmarksCommand: CliCommand = {
  name: ['landmarks'],
  usage: 'landmarks IMAGE [--landmarks face-api-68|mesh] [--json]',
  summary: 'Find the largest face: box, score, 68 landmarks (iBUG 300-W), nose tip and named facial regions.',
  async run(argv: string[], io: CliIO): Promise<number> {
    const parsed = parseOptions({
      args: argv,
      options: { json: { type: 'boolean' }, landmarks: { type: 'string' } },
      allowPositionals: true,
      strict: true,
    });
    if (parsed.positionals.length !== 1) throw new UsageError('expected one IMAGE argument');
    const model = (parsed.values.landmarks ?? 'face-api-68') as string;
    if (!(model in LANDMARK_MODELS)) {
      throw new UsageError(`--landmarks ${model}: expected one of ${Object.keys(LANDMARK_MODELS).join(', ')}`);
    }
    const landmarks = model as LandmarkModel;
    const file = parsed.positionals[0];
    let img;
    try {
      img = await loadImage(file);
    } catch (e) {
      if (e instanceof MediaError) throw new UserError(e.message);
      throw e;
    }
    let face: FaceResult | null;
    try {
      face = await detectFace(img, { landmarks });
    } catch (e) {
      if (e instanceof FaceModelError) throw new UserError(e.message);
      throw e;
    }
    if (parsed.values.json) io.stdout(JSON.stringify(faceJson(file, img.width, img.height, face, landmarks)) + '\n');
    else io.stdout(formatFace(file, face, landmarks));
    return 0;
  },
};
