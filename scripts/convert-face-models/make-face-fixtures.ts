// Dev script: cuts the face crops of test/fixtures/face/ from face-api's demo photos (MIT, shipped in
// node_modules/@vladmandic/face-api/demo). The rectangles are fixed here so that the fixture can be
// remade byte-for-byte; the hand-checked nose tips and eye centres live in test/fixtures/face/truth.json.
//   node --import tsx scripts/convert-face-models/make-face-fixtures.ts
import { dirname, join, resolve } from 'node:path';
import sharp from 'sharp';

const root = resolve(__dirname, '..', '..');
const demo = join(dirname(require.resolve('@vladmandic/face-api/package.json', { paths: [root] })), 'demo');
const outDir = join(root, 'test', 'fixtures', 'face');

/** name, demo photo, crop rectangle (left, top, width, height) around one face with forehead and chin. */
export const CROPS: Array<[string, string, number, number, number, number]> = [
  ['crop1', 'sample1.jpg', 290, 308, 392, 389],
  ['crop2', 'sample3.jpg', 945, 153, 431, 454],
  ['crop3', 'sample3.jpg', 1395, 238, 381, 440],
  ['crop4', 'sample5.jpg', 272, 788, 398, 488],
  ['crop5', 'sample5.jpg', 698, 68, 305, 306],
  ['crop6', 'sample6.jpg', 567, 272, 389, 449],
];

async function main(): Promise<void> {
  for (const [name, photo, left, top, width, height] of CROPS) {
    await sharp(join(demo, photo))
      .extract({ left, top, width, height })
      .jpeg({ quality: 90 })
      .toFile(join(outDir, `${name}.jpg`));
    process.stdout.write(`${name}.jpg ${width}x${height} from ${photo}\n`);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`make-face-fixtures: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
