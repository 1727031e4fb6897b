import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { decodeImage, encodePng, loadGrey, loadImage, saveRgbPng, toGrey, type RgbImage } from '../../src/core/image';
import { MediaError } from '../../src/core/mediaError';

const FIX = path.join(__dirname, '..', 'fixtures', 'image');

interface Expected {
  channels: 1 | 3;
  width: number;
  height: number;
  pixels: number[][] | number[][][];
}
const expected = JSON.parse(fs.readFileSync(path.join(FIX, 'expected.json'), 'utf8')).files as Record<string, Expected>;

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'mellm-img-'));
}

test('toGrey equals cv2.cvtColor(RGB2GRAY) on the committed samples (incl. near-half luma values)', () => {
  const { rgb, grey } = JSON.parse(fs.readFileSync(path.join(FIX, 'grey601.json'), 'utf8')) as {
    rgb: number[][];
    grey: number[];
  };
  const img: RgbImage = { width: rgb.length, height: 1, data: Uint8Array.from(rgb.flat()) };
  const out = toGrey(img);
  let naive = 0;
  for (let i = 0; i < rgb.length; i++) {
    assert.equal(out.data[i], grey[i], `rgb ${rgb[i]}`);
    const [r, g, b] = rgb[i];
    if (Math.round(0.299 * r + 0.587 * g + 0.114 * b) !== grey[i]) naive++;
  }
  // The fixture really exercises rounding: plain float rounding gets some of these wrong.
  assert.ok(naive > 0, 'fixture should contain values where float rounding and OpenCV differ');
});

test('toGrey keeps one-channel images and rejects inconsistent data', () => {
  const g = toGrey({ width: 2, height: 1, channels: 1, data: new Uint8Array([7, 9]) });
  assert.deepEqual([...g.data], [7, 9]);
  assert.throws(() => toGrey({ width: 2, height: 2, data: new Uint8Array(5) }), RangeError);
});

for (const [name, exp] of Object.entries(expected)) {
  test(`loadImage ${name} gives what cv2.imread gives`, async () => {
    const img = await loadImage(path.join(FIX, name));
    assert.equal(img.width, exp.width);
    assert.equal(img.height, exp.height);
    assert.equal(img.channels, exp.channels);
    assert.deepEqual([...img.data], (exp.pixels as unknown[]).flat(2));
  });
}

test('grey+alpha PNG loads as one channel with the alpha dropped', async () => {
  const dir = tmpDir();
  const file = path.join(dir, 'ga.png');
  const raw = Buffer.from([10, 0, 200, 255, 30, 128, 77, 1]); // 2x2 grey,alpha
  await sharp(raw, { raw: { width: 2, height: 2, channels: 2 } }).toColourspace('b-w').png().toFile(file);
  assert.equal((await sharp(file).metadata()).channels, 2, 'the test file really is grey+alpha');
  const img = await loadImage(file);
  assert.equal(img.channels, 1);
  assert.deepEqual([...img.data], [10, 200, 30, 77]);
});

test('16-bit grey+alpha PNG and an RGBA WebP load (16 -> 8 bits by the high byte)', async () => {
  const dir = tmpDir();
  const g16 = path.join(dir, 'g16.png');
  const words = new Uint16Array([0x1234, 0xffff, 0xabcd, 0x0000, 0x00ff, 0x8000, 0x7fff, 0x0101]); // 2x2 grey,alpha
  await sharp(words, { raw: { width: 2, height: 2, channels: 2 } }).toColourspace('grey16').png().toFile(g16);
  const meta = await sharp(g16).metadata();
  assert.equal(meta.depth, 'ushort', 'the test file really is 16-bit');
  assert.equal(meta.channels, 2);
  const g = await loadImage(g16);
  assert.equal(g.channels, 1);
  assert.deepEqual([...g.data], [0x12, 0xab, 0x00, 0x7f]);
  const webp = path.join(dir, 'a.webp');
  await sharp(Buffer.from([255, 0, 0, 10, 0, 255, 0, 200]), { raw: { width: 2, height: 1, channels: 4 } })
    .webp({ lossless: true })
    .toFile(webp);
  const w = await loadImage(webp);
  assert.equal(w.channels, 3);
  assert.deepEqual([...w.data], [255, 0, 0, 0, 255, 0]);
});

test('PNG round-trip of an RGB image is exact and saveRgbPng leaves no temp file', async () => {
  const dir = tmpDir();
  const img: RgbImage = { width: 3, height: 2, data: Uint8Array.from({ length: 18 }, (_, i) => i * 13) };
  const file = path.join(dir, 'x.png');
  await saveRgbPng(file, img);
  assert.deepEqual(fs.readdirSync(dir), ['x.png']);
  const back = await loadImage(file);
  assert.equal(back.channels, 3);
  assert.deepEqual([...back.data], [...img.data]);
  const png = await encodePng(img);
  assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
  assert.deepEqual([...(await loadGrey(file)).data], [...toGrey(img).data]);
});

test('errors name the file and say what to do', async () => {
  const dir = tmpDir();
  const missing = path.join(dir, 'missing.png');
  await assert.rejects(loadImage(missing), (e: unknown) => {
    assert.ok(e instanceof MediaError);
    assert.equal(e.message, `cannot read image ${missing}: no such file or directory`);
    return true;
  });
  const text = path.join(dir, 'notes.png');
  fs.writeFileSync(text, 'this is not an image\n');
  await assert.rejects(loadImage(text), /notes\.png is not an image in a supported format/);
  const empty = path.join(dir, 'empty.jpg');
  fs.writeFileSync(empty, '');
  await assert.rejects(loadImage(empty), /empty\.jpg is empty/);
  await assert.rejects(loadImage(dir), /cannot read image .*: is a directory/);
  // Truncated PNG and JPEG: the header is fine, the pixel data stops early.
  const big: RgbImage = { width: 64, height: 64, data: Uint8Array.from({ length: 64 * 64 * 3 }, (_, i) => (i * 7919) % 251) };
  const png = await encodePng(big);
  const tp = path.join(dir, 'trunc.png');
  fs.writeFileSync(tp, png.subarray(0, Math.floor(png.length / 2)));
  await assert.rejects(loadImage(tp), /trunc\.png is truncated or corrupt/);
  const jpg = await sharp(big.data, { raw: { width: 64, height: 64, channels: 3 } }).jpeg().toBuffer();
  const tj = path.join(dir, 'trunc.jpg');
  fs.writeFileSync(tj, jpg.subarray(0, Math.floor(jpg.length / 2)));
  await assert.rejects(loadImage(tj), /trunc\.jpg is truncated or corrupt/);
  const tb = path.join(dir, 'trunc.bmp');
  fs.writeFileSync(tb, fs.readFileSync(path.join(FIX, 'rgb24.bmp')).subarray(0, 80));
  await assert.rejects(loadImage(tb), /trunc\.bmp is .*(truncated|not a readable BMP)/);
  await assert.rejects(decodeImage(Buffer.from('BMxxxxxxxxxxxxxxxxxxxx'), 'fake.bmp'), /fake\.bmp/);
});
