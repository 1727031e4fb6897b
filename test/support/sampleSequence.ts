// A frame sequence made from the shipped sample clip (media/sample): the onset frame, then the sample's own
// known warp (meta.json: a smile, AU6 + AU12, plus a slight head shift) applied with a rising-then-falling
// strength, so the apex-spotting curve has a real peak at a known frame. Used by the panel tests and the
// README screenshots (the scrubber needs a sequence; the sample itself is a pair).
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { warpRgb, type WarpBump } from '../../scripts/sample/warp';

const ROOT = path.resolve(__dirname, '..', '..');

/** Warp strength per frame: onset (0), a rise to the apex (1 at index 5), a fall. */
export const SEQUENCE_STRENGTH = [0, 0.15, 0.35, 0.6, 0.85, 1, 0.9, 0.7, 0.5, 0.35, 0.2];
export const SEQUENCE_APEX_INDEX = 5;

/** Writes `dir`/img001.png ... and returns their paths (frame k = img(k+1)). */
export async function writeSampleSequence(dir: string, strengths: readonly number[] = SEQUENCE_STRENGTH): Promise<string[]> {
  const meta = JSON.parse(fs.readFileSync(path.join(ROOT, 'media/sample/meta.json'), 'utf8')) as { warp: { shift: { du: number; dv: number }; bumps: WarpBump[] } };
  const { data, info } = await sharp(path.join(ROOT, 'media/sample/onset.png')).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const W = info.width;
  const H = info.height;
  fs.mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (let k = 0; k < strengths.length; k++) {
    const out = warpRgb(data, W, H, meta.warp.shift, meta.warp.bumps, strengths[k]);
    const f = path.join(dir, `img${String(k + 1).padStart(3, '0')}.png`);
    await sharp(Buffer.from(out), { raw: { width: W, height: H, channels: 3 } }).png().toFile(f);
    files.push(f);
  }
  return files;
}
