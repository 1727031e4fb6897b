// Clip folders of JPEG frames for the dataset-job benches (gpu.ts, dataset.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import type { GreyImage } from '../../src/core/native';

/**
 * `n` generic clip folders (root/c00000, ...) of onset.jpg / apex.jpg: copies of one grey pair, each with
 * one pixel changed so that no two clips share content (the map cache is content-keyed), shifted by
 * `brightness(i)` grey levels.
 */
export async function writeJpegClips(root: string, n: number, onset: GreyImage, apex: GreyImage, brightness: (i: number) => number = () => 0): Promise<void> {
  const jpeg = (img: GreyImage, d: number, mark: number): Promise<Buffer> => {
    const data = img.data.map((v) => Math.max(0, Math.min(255, v + d)));
    data[mark % data.length] ^= 8;
    return sharp(Buffer.from(data), { raw: { width: img.width, height: img.height, channels: 1 } }).jpeg({ quality: 95 }).toBuffer();
  };
  for (let i = 0; i < n; i++) {
    const dir = path.join(root, `c${String(i).padStart(5, '0')}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'onset.jpg'), await jpeg(onset, brightness(i), i));
    fs.writeFileSync(path.join(dir, 'apex.jpg'), await jpeg(apex, brightness(i), i));
  }
}
