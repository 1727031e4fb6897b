// Fuzz target: mutated PNG, JPEG, BMP and TIFF files (headers, dimensions, bodies) through the decoder every
// command uses (decodeImage / loadImage), and a share of them through `mellm mmc` in-process (main(), as
// dist/cli.js runs it). Outcomes: a valid image within the memory limit or a one-line MediaError naming the
// file; the CLI exits 0 or 1, never 70, and leaves either the complete map or nothing; resident memory
// stays within the limit plus a margin on every case, pixel bombs included.
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import sharp from 'sharp';
import bmp from '@jimp/js-bmp';
import { configureImageLimits, decodeImage, loadImage, maxFramePixels } from '../../../src/core/image';
import { MediaError } from '../../../src/core/mediaError';
import { main } from '../../../src/cli';
import { applyMutations, mutationsArb, readDims, type ImageFormat } from '../../support/fuzzBytes';
import type { FuzzContext } from '../../support/fuzzChild';

/** The limit the cases run under (MiB): 512k pixels, so bombs are cheap to refuse and costly to accept. */
export const LIMIT_MIB = 64;
/** Resident memory a case may add over the baseline: the limit plus what the runtime keeps (decoder pools, GC lag). */
export const RSS_MARGIN_MIB = LIMIT_MIB + 384;

const EXT: Record<ImageFormat, string> = { png: 'png', jpeg: 'jpg', bmp: 'bmp', tiff: 'tif' };

function texture(w: number, h: number, channels: number): Buffer {
  const b = Buffer.alloc(w * h * channels);
  for (let i = 0; i < b.length; i++) b[i] = (i * 37 + ((i / channels) | 0) * 11) & 0xff;
  return b;
}

/** Small valid files of each format (several encodings each), made here so nothing binary is committed. */
async function seeds(): Promise<Record<ImageFormat, Buffer[]>> {
  const rgb = (w: number, h: number) => sharp(texture(w, h, 3), { raw: { width: w, height: h, channels: 3 } });
  const grey = (w: number, h: number) => sharp(texture(w, h, 1), { raw: { width: w, height: h, channels: 1 } });
  const rgba = (w: number, h: number) => sharp(texture(w, h, 4), { raw: { width: w, height: h, channels: 4 } });
  const bmpOf = (w: number, h: number) => Buffer.from(bmp().encode({ width: w, height: h, data: texture(w, h, 4) } as never) as Uint8Array);
  return {
    png: await Promise.all([rgb(16, 12).png().toBuffer(), grey(8, 8).png().toBuffer(), rgba(12, 12).png().toBuffer(), rgb(16, 16).png({ palette: true }).toBuffer(), grey(9, 7).toColourspace('grey16').png().toBuffer()]),
    jpeg: await Promise.all([rgb(16, 16).jpeg().toBuffer(), grey(8, 8).jpeg().toBuffer(), rgb(24, 16).jpeg({ progressive: true }).toBuffer()]),
    tiff: await Promise.all([rgb(12, 10).tiff().toBuffer(), grey(8, 8).tiff({ compression: 'lzw' }).toBuffer(), rgb(16, 16).tiff({ compression: 'deflate' }).toBuffer()]),
    bmp: [bmpOf(16, 12), bmpOf(8, 8), bmpOf(3, 3)],
  };
}

function checkRefusal(e: unknown, name: string): void {
  if (!(e instanceof MediaError)) throw new Error(`${name}: not a MediaError but ${(e as Error)?.name}: ${(e as Error)?.message}`);
  if (e.message.includes('\n')) throw new Error(`${name}: message has several lines: ${e.message}`);
  if (!e.message.includes(name)) throw new Error(`${name}: message does not name the file: ${e.message}`);
}

export async function run(ctx: FuzzContext) {
  configureImageLimits({ memoryMiB: LIMIT_MIB, setting: '--memory-limit MiB' });
  const maxPixels = maxFramePixels();
  const all = await seeds();
  for (const fmt of Object.keys(all) as ImageFormat[]) for (const s of all[fmt]) await decodeImage(s, `seed.${EXT[fmt]}`); // every seed is valid
  const baseline = ctx.baseline();
  const perFormat = Math.round(1600 * ctx.scale);
  let peakDelta = 0;
  let i = 0;
  for (const fmt of ['png', 'jpeg', 'bmp', 'tiff'] as ImageFormat[]) {
    const onsetFile = path.join(ctx.tmp, `onset.${EXT[fmt]}`);
    const apexFile = path.join(ctx.tmp, `apex.${EXT[fmt]}`);
    fs.writeFileSync(onsetFile, all[fmt][0]);
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: all[fmt].length - 1 }), mutationsArb(4, true), async (seedIndex, muts) => {
        const n = i++;
        ctx.beat(`${fmt} #${n}`);
        const buf = applyMutations(all[fmt][seedIndex], muts, fmt);
        const name = `case-${n}.${EXT[fmt]}`;
        const claim = readDims(buf, fmt);
        const bomb = claim.width * claim.height > maxPixels;
        ctx.count(`${fmt}${bomb ? ' bomb' : ''}`);
        try {
          const img = n % 10 === 0 ? await loadImage((fs.writeFileSync(path.join(ctx.tmp, name), buf), path.join(ctx.tmp, name))) : await decodeImage(buf, name);
          if (!(img.width >= 1 && img.height >= 1 && img.width * img.height <= maxPixels)) throw new Error(`${name}: decoded ${img.width}x${img.height}, outside 1..${maxPixels} pixels`);
          if (img.data.length !== img.width * img.height * img.channels) throw new Error(`${name}: ${img.data.length} bytes for ${img.width}x${img.height}x${img.channels}`);
        } catch (e) {
          checkRefusal(e, n % 10 === 0 ? path.join(ctx.tmp, name) : name);
        }
        fs.rmSync(path.join(ctx.tmp, name), { force: true });
        const delta = (process.memoryUsage().rss - baseline) / 2 ** 20;
        peakDelta = Math.max(peakDelta, delta);
        if (delta > RSS_MARGIN_MIB) throw new Error(`${name} (${claim.width}x${claim.height} claimed): resident memory grew ${delta.toFixed(0)} MiB over the baseline, more than the ${LIMIT_MIB} MiB limit + margin`);

        // Every 32nd case also goes through `mellm mmc` in-process: exit 0 (complete map) or 1 (one line, nothing written).
        if (n % 32 === 0) {
          fs.writeFileSync(apexFile, buf);
          const outDir = path.join(ctx.tmp, `out-${n}`);
          fs.mkdirSync(outDir);
          const out = path.join(outDir, 'map.png');
          let stderr = '';
          const code = await main(['mmc', onsetFile, apexFile, '--out', out, '--no-compensation', '--memory-limit', String(LIMIT_MIB), '--threads', '1'], {
            stdout: () => undefined,
            stderr: (t) => void (stderr += t),
            signal: new AbortController().signal,
          });
          ctx.count('mmc in-process');
          const left = fs.readdirSync(outDir);
          if (code === 0) {
            if (left.join() !== 'map.png') throw new Error(`mmc ${name}: exit 0 but the folder holds ${left.join(', ')}`);
            await decodeImage(fs.readFileSync(out), out);
          } else if (code === 1) {
            if (stderr.trimEnd().split('\n').length !== 1) throw new Error(`mmc ${name}: exit 1 with ${stderr.split('\n').length} stderr lines: ${stderr}`);
            if (left.length !== 0) throw new Error(`mmc ${name}: exit 1 left ${left.join(', ')} behind`);
          } else throw new Error(`mmc ${name}: exit ${code}: ${stderr}`);
          fs.rmSync(outDir, { recursive: true, force: true });
        }
      }),
      { seed: ctx.seed + fmt.length, numRuns: perFormat, timeout: 10_000, endOnFailure: true },
    );
  }
  configureImageLimits({ memoryMiB: LIMIT_MIB });
  return [`limit ${LIMIT_MIB} MiB (${maxPixels} px), peak RSS growth over a case ${peakDelta.toFixed(0)} MiB (bound ${RSS_MARGIN_MIB})`];
}
