// The shipped ONNX models (media/models, converted by scripts/convert-face-models): the face detector,
// face-api's 68-point landmark net (the default) and the MediaPipe face mesh (the measured alternative).
// One onnxruntime-node InferenceSession each, created on first use and reused: the one place they load.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { InferenceSession } from 'onnxruntime-node';

/** The shipped model files are missing or unreadable: a broken install, not a bad input image. */
export class FaceModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FaceModelError';
  }
}

export const DETECTOR_FILE = 'tiny_face_detector.onnx';
export const LANDMARK_FILE = 'face_landmark_68.onnx';
export const MESH_FILE = 'face_mesh.onnx';

/** The landmark models, as reported to users (`mellm landmarks`, docs/face.md). */
export const LANDMARK_MODELS = {
  'face-api-68': 'face-api FaceLandmark68Net (68 points, mirror-averaged)',
  mesh: 'MediaPipe face mesh (468 points mapped to 68; 3 passes)',
} as const;

/** The model folder: media/models beside dist/ (bundle) or three levels above src/core/face (sources). */
export function modelDir(): string {
  const candidates = [
    path.resolve(__dirname, '..', 'media', 'models'),
    path.resolve(__dirname, '..', '..', '..', 'media', 'models'),
  ];
  const found = candidates.find((d) => fs.existsSync(path.join(d, LANDMARK_FILE)));
  if (!found) {
    throw new FaceModelError(
      `face models not found (looked for ${LANDMARK_FILE} in ${candidates.join(', ')}); reinstall the extension or restore media/models`,
    );
  }
  return found;
}

const sessions = new Map<string, Promise<InferenceSession>>();

// Small nets: a couple of threads is as fast as all cores and leaves the rest to the flow. A worker of
// the nose pool uses one: there the parallelism comes from the number of workers.
let intraOpThreads = 2;

/** Threads each session of this thread uses; takes effect for sessions not created yet. */
export function setFaceSessionThreads(n: number): void {
  intraOpThreads = Math.max(1, Math.floor(n));
}

async function create(file: string): Promise<InferenceSession> {
  // Loaded lazily so that importing the face module costs nothing until a face is needed.
  const ort = await import('onnxruntime-node');
  const full = path.join(modelDir(), file);
  try {
    return await ort.InferenceSession.create(full, {
      graphOptimizationLevel: 'all',
      executionProviders: ['cpu'],
      intraOpNumThreads: intraOpThreads,
    });
  } catch (e) {
    throw new FaceModelError(`cannot load face model ${full}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export function session(file: string): Promise<InferenceSession> {
  let s = sessions.get(file);
  if (!s) {
    s = create(file);
    // A failed load is not cached: a later call retries (e.g. after the file is restored).
    s.catch(() => sessions.delete(file));
    sessions.set(file, s);
  }
  return s;
}

/** Loads the detector and the default landmark net (warm-up); the mesh loads on its first use. */
export async function loadFaceModels(): Promise<void> {
  await Promise.all([session(DETECTOR_FILE), session(LANDMARK_FILE)]);
}
