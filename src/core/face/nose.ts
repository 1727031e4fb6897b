// The nose-tip locator the MMC pipeline uses when no nose point is given (DESIGN.md section 2 step 3):
// point 30 of the largest face on the onset frame, or null when there is no face.
import type { LoadedImage } from '../image';
import type { NoseLocator, NosePoint } from '../mmc';
import { detectFace } from './index';

export const locateNoseTip: NoseLocator = async (onset: LoadedImage, signal?: AbortSignal): Promise<NosePoint | null> => {
  if (signal?.aborted) return null;
  const face = await detectFace(onset);
  return face ? { x: face.nose.x, y: face.nose.y } : null;
};
