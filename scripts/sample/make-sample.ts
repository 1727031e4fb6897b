// Makes the sample clip the extension ships (media/sample/onset.png, apex.png, meta.json) for the
// walkthrough: a face cropped from @vladmandic/face-api's demo photo sample3.jpg (MIT licence) and an apex
// frame made by a small known warp: lip corners pulled up and outwards, cheeks lifted (a smile: AU6 + AU12),
// plus a slight head shift that the MMC pipeline's nose compensation removes.
// Run: node --import tsx scripts/sample/make-sample.ts
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { detectFace } from '../../src/core/face';
import { warpRgb } from './warp';

const ROOT = path.resolve(__dirname, '..', '..');
const SRC = path.join(ROOT, 'node_modules/@vladmandic/face-api/demo/sample3.jpg');
const OUT = path.join(ROOT, 'media/sample');
const CROP = { left: 990, top: 150, width: 330, height: 400 };
const W = 280;
const H = 340;

interface Bump {
  x: number;
  y: number;
  sigma: number;
  du: number;
  dv: number;
  label: string;
}

async function main(): Promise<void> {
  const { data } = await sharp(SRC).extract(CROP).resize(W, H, { kernel: 'lanczos3' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const onset = new Uint8Array(data);
  const face = await detectFace({ width: W, height: H, channels: 3, data: onset });
  if (!face) throw new Error('no face found in the sample crop');
  const p = face.points;
  const iod = face.interOcular;
  const s = iod * 0.18; // bump size relative to the face
  const bumps: Bump[] = [
    // Image-left corner is the subject's right (iBUG 48), image-right is 54.
    { x: p[48][0], y: p[48][1], sigma: s, du: -1.6, dv: -2.2, label: 'right lip corner up and out (AU12)' },
    { x: p[54][0], y: p[54][1], sigma: s, du: 1.6, dv: -2.2, label: 'left lip corner up and out (AU12)' },
    { x: (p[41][0] + p[2][0]) / 2, y: (p[41][1] + p[2][1]) / 2, sigma: s, du: 0, dv: -1.6, label: 'right cheek raised (AU6)' },
    { x: (p[46][0] + p[14][0]) / 2, y: (p[46][1] + p[14][1]) / 2, sigma: s, du: 0, dv: -1.6, label: 'left cheek raised (AU6)' },
  ];
  const shift = { du: 0.4, dv: -0.3 };
  // apex(x, y) = onset(x - d(x, y)): the content at x moves by d.
  const apex = warpRgb(onset, W, H, shift, bumps);
  fs.mkdirSync(OUT, { recursive: true });
  await sharp(Buffer.from(onset), { raw: { width: W, height: H, channels: 3 } }).png().toFile(path.join(OUT, 'onset.png'));
  await sharp(Buffer.from(apex), { raw: { width: W, height: H, channels: 3 } }).png().toFile(path.join(OUT, 'apex.png'));
  const meta = {
    source: 'node_modules/@vladmandic/face-api/demo/sample3.jpg (@vladmandic/face-api 1.7.15, MIT licence)',
    crop: CROP,
    size: { width: W, height: H },
    warp: {
      model: 'apex(x, y) = onset(x - d(x, y)) with bilinear sampling; d = shift + sum of Gaussian bumps',
      shift,
      bumps: bumps.map((b) => ({ ...b, x: +b.x.toFixed(1), y: +b.y.toFixed(1), sigma: +b.sigma.toFixed(2) })),
    },
    expected: { emotion: 'happiness', aus: [6, 12] },
    script: 'scripts/sample/make-sample.ts',
  };
  fs.writeFileSync(path.join(OUT, 'meta.json'), JSON.stringify(meta, null, 2) + '\n');
  console.log(`wrote ${OUT}/onset.png, apex.png, meta.json (iod ${iod.toFixed(1)} px)`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
