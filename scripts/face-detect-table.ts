// Dev script: how often the detector finds a face on the labelled face set (docs/face-set.md), on its photo
// crops moved by 20 px, and on images with no face (false faces), for several sizes of the padded fallback pass.
//   node --import tsx scripts/face-detect-table.ts [PAD_FACTOR...]   (default: 0 1.5 2 3; 0 = no padded pass)
import sharp from 'sharp';
import { findFaces } from '../src/core/face/findFaces';
import type { FaceImage } from '../src/core/face';
import { allCrops, loadLabels, photoCrop, photoPath } from '../test/face/faceSet';
import { SHIFTS } from '../test/face/faceSetEval';

/** Images without a face: photos of objects shipped in npm packages, uniform noise, flat grey, a gradient. */
export async function nonFaceImages(): Promise<Array<{ name: string; image: FaceImage }>> {
  const files = ['tracking/examples/assets/box1.png', 'tracking/examples/assets/book1.png', 'tracking/examples/assets/psmove.png', 'tracking/examples/assets/fish_tank/px.png', 'exif-parser/test/starfish.jpg'];
  const out: Array<{ name: string; image: FaceImage }> = [];
  for (const f of files) {
    const { data, info } = await sharp(photoPath(f)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    out.push({ name: f, image: { width: info.width, height: info.height, channels: 3, data: new Uint8Array(data) } });
  }
  let s = 12345;
  const rnd = (): number => ((s = (s * 1103515245 + 12345) >>> 0) >>> 24);
  const noise = new Uint8Array(280 * 340);
  for (let i = 0; i < noise.length; i++) noise[i] = rnd();
  out.push({ name: 'noise 280x340', image: { width: 280, height: 340, channels: 1, data: noise } });
  out.push({ name: 'flat grey 280x340', image: { width: 280, height: 340, channels: 1, data: new Uint8Array(280 * 340).fill(128) } });
  const grad = new Uint8Array(640 * 480);
  for (let y = 0; y < 480; y++) for (let x = 0; x < 640; x++) grad[y * 640 + x] = Math.round((x / 639) * 255);
  out.push({ name: 'gradient 640x480', image: { width: 640, height: 480, channels: 1, data: grad } });
  return out;
}

async function main(): Promise<void> {
  const pads = process.argv.slice(2).map(Number);
  const crops = await allCrops();
  const { sources, faces } = loadLabels();
  const shifted: FaceImage[] = [];
  for (const f of faces.filter((x) => !x.clip)) for (const [dx, dy] of SHIFTS) shifted.push((await photoCrop(f, sources[f.source], dx, dy)).image);
  const none = await nonFaceImages();
  for (const pad of pads.length > 0 ? pads : [0, 1.5, 2, 3]) {
    const byVariant: Record<string, [number, number]> = {};
    const missed: string[] = [];
    for (const c of crops) {
      const ok = (await findFaces(c.image, {}, pad)).length > 0;
      const v = (byVariant[c.variant] ??= [0, 0]);
      v[0] += ok ? 1 : 0;
      v[1] += 1;
      if (!ok) missed.push(`${c.id}/${c.variant}`);
    }
    let sh = 0;
    for (const im of shifted) sh += (await findFaces(im, {}, pad)).length > 0 ? 1 : 0;
    const falses: string[] = [];
    for (const n of none) {
      const d = await findFaces(n.image, {}, pad);
      if (d.length > 0) falses.push(`${n.name} (${d.length}, score ${d[0].score.toFixed(2)})`);
    }
    const found = Object.values(byVariant).reduce((a, v) => a + v[0], 0);
    process.stdout.write(
      `pad ${pad}: crops ${found}/${crops.length} (${Object.entries(byVariant).map(([k, v]) => `${k} ${v[0]}/${v[1]}`).join(', ')}); shifted ${sh}/${shifted.length}; false faces on ${falses.length}/${none.length} non-face images ${falses.join('; ')}\n  missed: ${missed.join(' ')}\n`,
    );
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`face-detect-table: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
