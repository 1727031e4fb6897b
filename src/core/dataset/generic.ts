// Folders without annotation: a folder with just an onset and an apex image, or a folder of numbered frames.
import * as path from 'node:path';
import { frameSets, isImageName, pickFrameSet } from './frames';
import { walkDirs } from './fsutil';
import type { Clip, ClipError, DatasetKind } from './types';

export interface GenericScan {
  kind: Extract<DatasetKind, 'generic-pair' | 'generic-frames'>;
  clips: Clip[];
  errors: ClipError[];
}

/** In a two-image folder the onset is the image named *onset* (apex: *apex*), else the first by name. */
function orderPair(names: string[]): [string, string] {
  const on = names.find((n) => /onset/i.test(n));
  const ap = names.find((n) => /apex/i.test(n));
  if (on && ap && on !== ap) return [on, ap];
  const sorted = [...names].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  return [sorted[0], sorted[1]];
}

function idParts(root: string, dir: string, dataset: string): { subject: string; clip: string } {
  const rel = path.relative(root, dir).split(path.sep).filter((s) => s !== '');
  if (rel.length === 0) return { subject: '-', clip: dataset };
  if (rel.length === 1) return { subject: '-', clip: rel[0] };
  return { subject: rel.slice(0, -1).join('/'), clip: rel[rel.length - 1] };
}

/**
 * Each folder under `root` (root included, to `maxDepth`) that holds images is one clip: two images are an
 * onset/apex pair; three or more numbered frames are a sequence whose first frame is the onset and whose
 * apex is spotted later.
 */
export async function scanGeneric(root: string, dataset: string, warnings: string[], maxDepth = 6): Promise<GenericScan> {
  const clips: Clip[] = [];
  const errors: ClipError[] = [];
  let pairs = 0;
  await walkDirs(
    root,
    maxDepth,
    (dir, listing) => {
      const images = listing.files.filter(isImageName);
      if (images.length === 0) return;
      const { subject, clip } = idParts(root, dir, dataset);
      const id = `${dataset}/${subject}/${clip}`;
      const base = {
        id,
        dataset,
        subject,
        clip,
        dir,
        offset: null,
        emotion: null,
        emotionRaw: '',
        aus: [],
        ausRaw: '',
      };
      if (images.length === 1) {
        errors.push({ id, message: `${dir} holds one image (${images[0]}); a clip needs an onset and an apex image, or a sequence of frames` });
        return;
      }
      if (images.length === 2) {
        const [on, ap] = orderPair(images);
        pairs++;
        clips.push({
          ...base,
          frameCount: 2,
          onset: { frame: null, file: path.join(dir, on) },
          apex: { frame: null, file: path.join(dir, ap) },
          warnings: [],
        });
        return;
      }
      const set = pickFrameSet(frameSets(dir, images));
      if (!set || set.numbers.length < 2) {
        errors.push({ id, message: `${dir} holds ${images.length} images but no numbered frame sequence (name them e.g. 0001.jpg, 0002.jpg ...)` });
        return;
      }
      const first = set.numbers[0];
      clips.push({
        ...base,
        frameCount: set.numbers.length,
        onset: { frame: first, file: path.join(dir, set.files.get(first) as string) },
        apex: null,
        warnings: [`no annotation: onset = first frame (${first}); the apex will be spotted from the flow magnitude`],
      });
    },
    warnings,
  );
  return { kind: pairs === clips.length && clips.length > 0 ? 'generic-pair' : 'generic-frames', clips, errors };
}
