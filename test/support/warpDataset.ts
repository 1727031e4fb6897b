// A small annotated dataset on disk whose clips are the fixture face warped into known expressions
// (test/support/warp.ts), for end-to-end benchmark runs over the real pipeline (face, TV-L1, regions).
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { EXPRESSIONS, loadFixtureFace, type ExpressionName } from '../fixtures/reasoning/face';
import { warpFace } from './warp';

/** Clip name, expression warped in (null: the apex is the onset, nothing moved), annotated emotion. */
export type WarpCase = [string, ExpressionName | null, string];

/** Happiness, surprise and sadness (lip corners down): the three clips the offline benchmark test uses. */
export const WARP_CASES: readonly WarpCase[] = [
  ['EP01', 'happiness', 'happiness'],
  ['EP02', 'surprise', 'surprise'],
  ['EP03', 'lipCornerDepressor', 'sadness'],
];

/** Writes `root`/mellm-dataset.json, labels.csv and sub1/<clip>/img{1,2}.png for each case. */
export async function makeWarpDataset(root: string, cases: readonly WarpCase[] = WARP_CASES): Promise<void> {
  const { onset, face } = await loadFixtureFace();
  const rows = ['Subject,Filename,OnsetFrame,ApexFrame,Estimated Emotion'];
  for (const [clip, expr, label] of cases) {
    const dir = path.join(root, 'sub1', clip);
    fs.mkdirSync(dir, { recursive: true });
    const apex = expr ? warpFace(onset, face.points, EXPRESSIONS[expr]).apex : onset;
    const raw = { raw: { width: onset.width, height: onset.height, channels: 1 as const } };
    await sharp(Buffer.from(onset.data), raw).png().toFile(path.join(dir, 'img1.png'));
    await sharp(Buffer.from(apex.data), raw).png().toFile(path.join(dir, 'img2.png'));
    rows.push(`sub1,${clip},1,2,${label}`);
  }
  fs.writeFileSync(path.join(root, 'labels.csv'), rows.join('\n') + '\n');
  fs.writeFileSync(path.join(root, 'mellm-dataset.json'), JSON.stringify({ name: 'warp', annotations: 'labels.csv', frames: '{subject}/{clip}/img{frame}.png' }));
}
