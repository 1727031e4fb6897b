// Image loading and saving for the pipeline: sharp (libvips) for JPEG, PNG, TIFF, WebP; @jimp/js-bmp for BMP,
// which sharp's libvips cannot read. Everything comes out as 8-bit grey or RGB, row-major, no padding.
//
// Choices, made to match what OpenCV's imread gives for the same files (the reference preprocessing reads with it):
// - 16-bit samples become 8-bit as imread (IMREAD_COLOR) does it, which depends on the format: PNG keeps the high
//   byte (v >> 8, libpng's strip_16), TIFF and the rest round v / 257. Both checked with cv2 4.6 on random 16-bit
//   files (test/fixtures/image, made by scripts/fixtures/make_image_fixtures.py).
// - Alpha is dropped, not composited (imread IMREAD_COLOR strips it the same way).
// - EXIF orientation is applied (imread applies it too).
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import sharp from 'sharp';
import bmp from '@jimp/js-bmp';
import type { GreyImage } from './native';
import { writeFileAtomic } from './atomicWrite';
import { MediaError, describeFsError } from './mediaError';

export type { GreyImage } from './native';

/** 8-bit RGB, width*height*3 bytes, row-major. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** A decoded image: 1 channel (grey) or 3 (RGB), 8 bits each, alpha dropped. */
export interface LoadedImage {
  width: number;
  height: number;
  channels: 1 | 3;
  data: Uint8Array;
  /** The file it was read from (for messages), when it came from one. */
  file?: string;
}

// ---- Size limit: a frame's size is read from its header and checked before anything is decoded, so a
// small file that claims 16000x16000 pixels is refused in milliseconds instead of taking the machine's memory.

/**
 * Memory one pixel of a frame pair costs on its way through the pipeline (decode, grey, the TV-L1 pyramid,
 * the map): measured 118-123 bytes per pixel for `mellm mmc` on 0.3 to 4 megapixel pairs (peak RSS over
 * a 16x16 run), rounded up. The flow is what needs it; a frame that fits is safe for every other step.
 */
export const PIPELINE_BYTES_PER_PIXEL = 128;

export interface ImageLimits {
  /** Memory the pipeline may use for one frame pair, MiB. */
  memoryMiB: number;
  /** How the user raises it, named in the message (`--memory-limit` in the CLI, a setting in VS Code). */
  setting: string;
}

/** Half the machine's memory, at most 4 GiB (33 megapixels: a 5700x5700 frame), at least 256 MiB. */
export function defaultMemoryLimitMiB(): number {
  return Math.max(256, Math.min(4096, Math.floor(os.totalmem() / 2 / 2 ** 20)));
}

let limits: ImageLimits = { memoryMiB: defaultMemoryLimitMiB(), setting: '--memory-limit MiB' };

/** Sets the process-wide limit (the CLI from its flag, the extension from its setting). */
export function configureImageLimits(l: Partial<ImageLimits>): void {
  if (l.memoryMiB !== undefined && !(Number.isFinite(l.memoryMiB) && l.memoryMiB > 0)) throw new RangeError(`memory limit must be a positive number of MiB, got ${l.memoryMiB}`);
  limits = { ...limits, ...l };
}

export function imageLimits(): Readonly<ImageLimits> {
  return limits;
}

/** The largest frame (width x height) the limit allows. */
export function maxFramePixels(): number {
  return Math.floor((limits.memoryMiB * 2 ** 20) / PIPELINE_BYTES_PER_PIXEL);
}

/** Largest encoded file worth reading: a frame at the limit, 16-bit RGBA, uncompressed, plus headers. */
function maxFileBytes(): number {
  return maxFramePixels() * 8 + 2 ** 20;
}

function mib(bytes: number): string {
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : `${Math.ceil(bytes / 2 ** 20)} MiB`;
}

/** Throws MediaError when a header's size cannot be or must not be decoded. */
export function checkFrameSize(width: number, height: number, name: string): void {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new MediaError(name, `${name} has no valid size in its header (${width}x${height}): re-export or re-copy the file`);
  }
  const pixels = width * height;
  const max = maxFramePixels();
  if (pixels > max) {
    throw new MediaError(
      name,
      `${name} is ${width}x${height} (${(pixels / 1e6).toFixed(1)} megapixels): a frame pair this size needs about ${mib(pixels * PIPELINE_BYTES_PER_PIXEL)} for the optical flow, ` +
        `over the ${limits.memoryMiB} MiB memory limit (${(max / 1e6).toFixed(1)} megapixels); raise it with ${limits.setting} or scale the frames down`,
    );
  }
}

/** Width and height from a BMP header (BITMAPCOREHEADER or a later one; a negative height is top-down). */
function bmpSize(buf: Uint8Array): { width: number; height: number } {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const dib = buf.length >= 18 ? v.getUint32(14, true) : 0;
  if (dib === 12 && buf.length >= 22) return { width: v.getUint16(18, true), height: v.getUint16(20, true) };
  if (dib >= 16 && buf.length >= 26) return { width: v.getInt32(18, true), height: Math.abs(v.getInt32(22, true)) };
  return { width: 0, height: 0 };
}

const FORMATS = 'JPEG, PNG, BMP, TIFF or WebP';

function isBmp(buf: Uint8Array): boolean {
  // "BM" then a file size field; the DIB header size at offset 14 is one of the known ones (12..124).
  return buf.length >= 18 && buf[0] === 0x42 && buf[1] === 0x4d;
}

function decodeBmp(buf: Buffer, name: string): LoadedImage {
  const size = bmpSize(buf);
  checkFrameSize(size.width, size.height, name);
  let bitmap: { width: number; height: number; data: Uint8Array };
  try {
    bitmap = bmp().decode(buf);
  } catch (e) {
    throw new MediaError(name, `${name} is not a readable BMP image (${(e as Error).message}): re-export it as PNG or BMP`);
  }
  const { width, height, data } = bitmap;
  const n = width * height;
  if (!(width > 0 && height > 0) || data.length < n * 4) {
    throw new MediaError(name, `${name} is a truncated or corrupt BMP image: re-export or re-copy the file`);
  }
  // Palette BMPs (<= 8 bits per pixel) with an all-grey palette are grey images, as imread sees them.
  const bitsPerPixel = buf.length >= 30 ? buf.readUInt16LE(28) : 24;
  if (bitsPerPixel <= 8) {
    const grey = new Uint8Array(n);
    let isGrey = true;
    for (let i = 0, j = 0; i < n && isGrey; i++, j += 4) {
      isGrey = data[j] === data[j + 1] && data[j] === data[j + 2];
      grey[i] = data[j];
    }
    if (isGrey) return { width, height, channels: 1, data: grey };
  }
  // The decoder gives RGBA (alpha forced to 255): keep RGB.
  const rgb = new Uint8Array(n * 3);
  for (let i = 0, j = 0; i < n; i++, j += 4) {
    rgb[i * 3] = data[j];
    rgb[i * 3 + 1] = data[j + 1];
    rgb[i * 3 + 2] = data[j + 2];
  }
  return { width, height, channels: 3, data: rgb };
}

async function decodeWithSharp(buf: Buffer, name: string): Promise<LoadedImage> {
  let meta: sharp.Metadata;
  try {
    // Header only (no pixels are decoded), and without sharp's own pixel limit: ours comes next, with a message.
    meta = await sharp(buf, { limitInputPixels: false }).metadata();
  } catch {
    throw new MediaError(name, `${name} is not an image in a supported format (${FORMATS}): check the file`);
  }
  checkFrameSize(meta.width ?? 0, meta.height ?? 0, name);
  const sixteen = meta.depth === 'ushort' || meta.depth === 'short';
  // Palette images report 1-3 channels but hold colour; only true grey (1, or grey+alpha 2, and not palette) stays grey.
  const grey = (meta.channels === 1 || meta.channels === 2) && !meta.isPalette;
  try {
    // The decoder enforces the same limit, whatever the header said.
    const { data, info } = await sharp(buf, { failOn: 'error', limitInputPixels: maxFramePixels() })
      .autoOrient()
      .removeAlpha()
      .toColourspace(grey ? (sixteen ? 'grey16' : 'b-w') : sixteen ? 'rgb16' : 'srgb')
      .raw({ depth: sixteen ? 'ushort' : 'uchar' })
      .toBuffer({ resolveWithObject: true });
    const channels = info.channels;
    if (channels !== 1 && channels !== 3) {
      throw new Error(`unexpected ${channels} channels after conversion`);
    }
    const n = info.width * info.height * channels;
    let out: Uint8Array;
    if (sixteen) {
      const words = new Uint16Array(data.buffer, data.byteOffset, n);
      out = new Uint8Array(n);
      if (meta.format === 'png') {
        for (let i = 0; i < n; i++) out[i] = words[i] >> 8;
      } else {
        // round(v / 257) in integers: floor((2v + 257) / 514); v / 257 never lands exactly on .5.
        for (let i = 0; i < n; i++) out[i] = Math.floor((words[i] * 2 + 257) / 514);
      }
    } else {
      out = new Uint8Array(data.buffer, data.byteOffset, n);
    }
    return { width: info.width, height: info.height, channels, data: out };
  } catch (e) {
    const why = ((e as Error).message ?? String(e)).split('\n')[0];
    throw new MediaError(name, `${name} is truncated or corrupt (${why}): re-export or re-copy the file`);
  }
}

/** Decodes an encoded image held in memory; `name` (usually the path) appears in error messages. */
export async function decodeImage(buf: Buffer, name = 'image'): Promise<LoadedImage> {
  if (buf.length === 0) throw new MediaError(name, `${name} is empty (0 bytes): re-export or re-copy the file`);
  return isBmp(buf) ? decodeBmp(buf, name) : decodeWithSharp(buf, name);
}

/** Reads and decodes an image file. Throws MediaError naming the file when it is missing, unreadable or not an image. */
export async function loadImage(file: string): Promise<LoadedImage> {
  return { ...(await decodeImage(await readImageFile(file), file)), file };
}

/** The bytes of an image file, refused (MediaError naming it) when no frame within the limit could be that big. */
export async function readImageFile(file: string): Promise<Buffer> {
  let buf: Buffer;
  try {
    const st = await fs.stat(file);
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    if (st.size > maxFileBytes()) {
      throw new MediaError(
        file,
        `${file} is ${mib(st.size)}, larger than any frame within the ${limits.memoryMiB} MiB memory limit could be: check the file, or raise the limit with ${limits.setting}`,
      );
    }
    buf = await fs.readFile(file);
  } catch (e) {
    if (e instanceof MediaError) throw e;
    throw new MediaError(file, `cannot read image ${file}: ${describeFsError(e)}`);
  }
  return buf;
}

/**
 * 8-bit BT.601 luma exactly as OpenCV 4.x cvtColor(RGB2GRAY) computes it for 8-bit input:
 * fixed point with 15 fractional bits, Y = (9798 R + 19235 G + 3735 B + 2^14) >> 15.
 * Verified equal to cv2 4.6 on all 2^24 RGB triples (scripts/fixtures/make_image_fixtures.py).
 */
export function toGrey(img: LoadedImage | RgbImage): GreyImage {
  const n = img.width * img.height;
  const channels = 'channels' in img ? img.channels : 3;
  if (img.data.length !== n * channels) {
    throw new RangeError(`image data has ${img.data.length} bytes, expected ${img.width}x${img.height}x${channels}`);
  }
  if (channels === 1) return { width: img.width, height: img.height, data: img.data.slice() };
  const src = img.data;
  const out = new Uint8Array(n);
  for (let i = 0, j = 0; i < n; i++, j += 3) {
    out[i] = (src[j] * 9798 + src[j + 1] * 19235 + src[j + 2] * 3735 + 16384) >> 15;
  }
  return { width: img.width, height: img.height, data: out };
}

/** Grey replicated to three channels (how the overlay uses the onset frame). */
export function greyToRgb(grey: GreyImage): RgbImage {
  const n = grey.width * grey.height;
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) out[i * 3] = out[i * 3 + 1] = out[i * 3 + 2] = grey.data[i];
  return { width: grey.width, height: grey.height, data: out };
}

/** Any loaded image as RGB (grey replicated). */
export function toRgb(img: LoadedImage): RgbImage {
  if (img.channels === 3) return { width: img.width, height: img.height, data: img.data };
  return greyToRgb({ width: img.width, height: img.height, data: img.data });
}

/** Loads a file as 8-bit BT.601 grey. */
export async function loadGrey(file: string): Promise<GreyImage> {
  return toGrey(await loadImage(file));
}

/** Loads a file as 8-bit RGB. */
export async function loadRgb(file: string): Promise<RgbImage> {
  return toRgb(await loadImage(file));
}

function checkRgb(img: RgbImage): void {
  if (img.data.length !== img.width * img.height * 3) {
    throw new RangeError(`RGB image data has ${img.data.length} bytes, expected ${img.width}x${img.height}x3`);
  }
}

/** Lossless PNG bytes of an RGB image. */
export async function encodePng(img: RgbImage): Promise<Buffer> {
  checkRgb(img);
  return sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .png({ compressionLevel: 6 })
    .toBuffer();
}

/** Lossless 1-channel PNG bytes of a grey image (what cv2.imwrite writes for a 2-D array). */
export async function encodeGreyPng(img: GreyImage): Promise<Buffer> {
  if (img.data.length !== img.width * img.height) {
    throw new RangeError(`grey image data has ${img.data.length} bytes, expected ${img.width}x${img.height}`);
  }
  return sharp(img.data, { raw: { width: img.width, height: img.height, channels: 1 } })
    .toColourspace('b-w')
    .png({ compressionLevel: 6 })
    .toBuffer();
}

/** Writes an RGB image as PNG atomically (temp file + rename); MediaError naming the file when it cannot. */
export async function saveRgbPng(file: string, img: RgbImage): Promise<void> {
  await writeFileAtomic(file, await encodePng(img));
}
