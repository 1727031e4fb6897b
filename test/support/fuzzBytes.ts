// Byte-level mutations for the fuzz tests (test/fuzz): fast-check arbitraries that describe a list of
// edits (bit flips, bytes set to edge values, truncation, splices, insertions, deletions) and, for the image
// formats, format-aware rewrites of the header's width and height (PNG's IHDR CRC recomputed, so the
// decoder reads the claimed size instead of stopping at a bad checksum). Positions are biased towards the
// first 64 bytes, where the headers are.
import fc from 'fast-check';

export type ImageFormat = 'png' | 'jpeg' | 'bmp' | 'tiff';

export type Mutation =
  | { k: 'flip'; at: number; bit: number }
  | { k: 'set'; at: number; value: number }
  | { k: 'word'; at: number; value: number; bytes: 2 | 4; le: boolean }
  | { k: 'truncate'; at: number }
  | { k: 'splice'; at: number; from: number; len: number }
  | { k: 'insert'; at: number; bytes: Uint8Array }
  | { k: 'delete'; at: number; len: number }
  | { k: 'dims'; width: number; height: number };

/** Values that break size arithmetic: 0, 1, 2, sign bits, all ones, 16000 (the pixel bomb). */
export const EDGE_WORDS = [0, 1, 2, 3, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 16000, 46341, 65500, 0x7fffffff, 0x80000000, 0xffffffff];

const position = fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 0, max: 63 }) }, { weight: 2, arbitrary: fc.nat() });

/** A header dimension: tiny (1-3 px frames), edge words, bombs (16000, 65535, 2^31), or anything. */
export const dimension = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(0, 1, 2, 3, 16000, 20000, 46341, 65535, 2 ** 31 - 1, 2 ** 32 - 1) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 70000 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 2 ** 32 - 1 }) },
);

export function mutationArb(withDims: boolean): fc.Arbitrary<Mutation> {
  const arbs: fc.WeightedArbitrary<Mutation>[] = [
    { weight: 4, arbitrary: fc.record({ k: fc.constant('flip' as const), at: position, bit: fc.integer({ min: 0, max: 7 }) }) },
    { weight: 3, arbitrary: fc.record({ k: fc.constant('set' as const), at: position, value: fc.oneof(fc.constantFrom(0, 0xff, 0x7f, 0x80), fc.integer({ min: 0, max: 255 })) }) },
    {
      weight: 2,
      arbitrary: fc.record({ k: fc.constant('word' as const), at: position, value: fc.constantFrom(...EDGE_WORDS), bytes: fc.constantFrom(2 as const, 4 as const), le: fc.boolean() }),
    },
    { weight: 1, arbitrary: fc.record({ k: fc.constant('truncate' as const), at: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant('splice' as const), at: fc.nat(), from: fc.nat(), len: fc.integer({ min: 1, max: 256 }) }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant('insert' as const), at: position, bytes: fc.uint8Array({ minLength: 1, maxLength: 32 }) }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 64 }) }) },
  ];
  if (withDims) arbs.push({ weight: 4, arbitrary: fc.record({ k: fc.constant('dims' as const), width: dimension, height: dimension }) });
  return fc.oneof(...arbs);
}

/** 1 to `max` mutations. */
export function mutationsArb(max: number, withDims: boolean): fc.Arbitrary<Mutation[]> {
  return fc.array(mutationArb(withDims), { minLength: 1, maxLength: max });
}

// ---- CRC-32 (PNG chunks, zip entries); table-driven, as zlib computes it.
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(buf: Uint8Array, start = 0, end = buf.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Rewrites the width and height a header declares; a no-op when the header is not found (already mangled). */
export function setDims(buf: Buffer, fmt: ImageFormat, width: number, height: number): void {
  const w = width >>> 0;
  const h = height >>> 0;
  if (fmt === 'png') {
    if (buf.length < 33 || buf.toString('latin1', 12, 16) !== 'IHDR') return;
    buf.writeUInt32BE(w, 16);
    buf.writeUInt32BE(h, 20);
    buf.writeUInt32BE(crc32(buf, 12, 29), 29);
  } else if (fmt === 'bmp') {
    if (buf.length < 26) return;
    buf.writeUInt32LE(w, 18);
    buf.writeUInt32LE(h, 22);
  } else if (fmt === 'jpeg') {
    // Walk the marker segments to the first SOFn (C0-CF except DHT C4, JPG C8, DAC CC).
    let i = 2;
    while (i + 9 <= buf.length && buf[i] === 0xff) {
      const m = buf[i + 1];
      if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) {
        buf.writeUInt16BE(h & 0xffff, i + 5);
        buf.writeUInt16BE(w & 0xffff, i + 7);
        return;
      }
      i += 2 + buf.readUInt16BE(i + 2);
    }
  } else {
    // TIFF: IFD0's ImageWidth (256) and ImageLength (257), SHORT or LONG.
    if (buf.length < 8) return;
    const le = buf.toString('latin1', 0, 2) === 'II';
    const u16 = (o: number) => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
    const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
    const ifd = u32(4);
    if (ifd + 2 > buf.length) return;
    const n = u16(ifd);
    for (let e = 0; e < n && ifd + 2 + e * 12 + 12 <= buf.length; e++) {
      const o = ifd + 2 + e * 12;
      const tag = u16(o);
      if (tag !== 256 && tag !== 257) continue;
      const v = tag === 256 ? w : h;
      if (u16(o + 2) === 3) (le ? buf.writeUInt16LE(v & 0xffff, o + 8) : buf.writeUInt16BE(v & 0xffff, o + 8));
      else (le ? buf.writeUInt32LE(v, o + 8) : buf.writeUInt32BE(v, o + 8));
    }
  }
}

/** Applies the mutations in order to a copy of `seed` (positions taken modulo the current length). */
export function applyMutations(seed: Uint8Array, mutations: readonly Mutation[], fmt?: ImageFormat): Buffer {
  let buf = Buffer.from(seed);
  for (const m of mutations) {
    const n = buf.length;
    if (n === 0) break;
    const at = 'at' in m ? m.at % n : 0;
    switch (m.k) {
      case 'flip':
        buf[at] ^= 1 << m.bit;
        break;
      case 'set':
        buf[at] = m.value;
        break;
      case 'word':
        if (at + m.bytes <= n) {
          if (m.bytes === 2) (m.le ? buf.writeUInt16LE(m.value & 0xffff, at) : buf.writeUInt16BE(m.value & 0xffff, at));
          else (m.le ? buf.writeUInt32LE(m.value >>> 0, at) : buf.writeUInt32BE(m.value >>> 0, at));
        }
        break;
      case 'truncate':
        buf = buf.subarray(0, at);
        break;
      case 'splice': {
        const from = m.from % n;
        const chunk = Buffer.from(buf.subarray(from, from + m.len));
        chunk.copy(buf, at, 0, Math.min(chunk.length, n - at));
        break;
      }
      case 'insert':
        buf = Buffer.concat([buf.subarray(0, at), m.bytes, buf.subarray(at)]);
        break;
      case 'delete':
        buf = Buffer.concat([buf.subarray(0, at), buf.subarray(Math.min(n, at + m.len))]);
        break;
      case 'dims':
        if (fmt) setDims(buf, fmt, m.width, m.height);
        break;
    }
  }
  return buf;
}

/** Whether a mutation list claims a frame larger than `maxPixels` (a pixel bomb when the body stays small). */
export function claimsOver(mutations: readonly Mutation[], maxPixels: number): boolean {
  return mutations.some((m) => m.k === 'dims' && (m.width >>> 0) * (m.height >>> 0) > maxPixels);
}

/** The width and height a header declares (0x0 when it cannot be found): what the size check sees. */
export function readDims(buf: Buffer, fmt: ImageFormat): { width: number; height: number } {
  const none = { width: 0, height: 0 };
  if (fmt === 'png') return buf.length >= 24 ? { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) } : none;
  if (fmt === 'bmp') return buf.length >= 26 ? { width: Math.abs(buf.readInt32LE(18)), height: Math.abs(buf.readInt32LE(22)) } : none;
  if (fmt === 'jpeg') {
    let i = 2;
    while (i + 9 <= buf.length && buf[i] === 0xff) {
      const m = buf[i + 1];
      if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) return { width: buf.readUInt16BE(i + 7), height: buf.readUInt16BE(i + 5) };
      i += 2 + buf.readUInt16BE(i + 2);
    }
    return none;
  }
  if (buf.length < 8) return none;
  const le = buf.toString('latin1', 0, 2) === 'II';
  const u16 = (o: number) => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
  const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const ifd = u32(4);
  if (ifd + 2 > buf.length) return none;
  const out = { ...none };
  for (let e = 0; e < u16(ifd) && ifd + 2 + e * 12 + 12 <= buf.length; e++) {
    const o = ifd + 2 + e * 12;
    const v = u16(o + 2) === 3 ? u16(o + 8) : u32(o + 8);
    if (u16(o) === 256) out.width = v;
    if (u16(o) === 257) out.height = v;
  }
  return out;
}
