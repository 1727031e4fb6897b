// Middlebury .flo optical-flow files: float32 magic 202021.25 ("PIEH"), int32 width, int32 height,
// then width*height interleaved float32 (u, v) pairs, row-major, all little-endian.
import * as fs from 'node:fs/promises';
import type { FlowField } from './native';
import { writeFileAtomic } from './atomicWrite';
import { MediaError, describeFsError } from './mediaError';

export type { FlowField } from './native';

export const FLO_MAGIC = 202021.25;
const HEADER_BYTES = 12;
/** Sanity bound on each side, so a corrupt header cannot request gigabytes. */
const MAX_SIDE = 1 << 16;

/** Serialises a flow field to .flo bytes. */
export function encodeFlo(flow: FlowField): Buffer {
  const { width, height, u, v } = flow;
  const n = width * height;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`flow size ${width}x${height} is not a positive integer size`);
  }
  if (u.length !== n || v.length !== n) {
    throw new RangeError(`flow components have ${u.length} and ${v.length} values, expected ${width}x${height} = ${n}`);
  }
  const buf = Buffer.alloc(HEADER_BYTES + n * 8);
  buf.writeFloatLE(FLO_MAGIC, 0);
  buf.writeInt32LE(width, 4);
  buf.writeInt32LE(height, 8);
  for (let i = 0, o = HEADER_BYTES; i < n; i++, o += 8) {
    buf.writeFloatLE(u[i], o);
    buf.writeFloatLE(v[i], o + 4);
  }
  return buf;
}

/** Parses .flo bytes; `name` (a path) appears in every error message. Throws MediaError on a bad header or size. */
export function decodeFlo(buf: Uint8Array, name = 'flow data'): FlowField {
  const what = `${name} is not a valid Middlebury .flo file`;
  if (buf.byteLength < HEADER_BYTES) {
    throw new MediaError(name, `${what}: only ${buf.byteLength} bytes, shorter than the 12-byte header`);
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const magic = view.getFloat32(0, true);
  if (magic !== FLO_MAGIC) {
    throw new MediaError(name, `${what}: wrong magic number (expected the float 202021.25, "PIEH")`);
  }
  const width = view.getInt32(4, true);
  const height = view.getInt32(8, true);
  if (width <= 0 || height <= 0 || width > MAX_SIDE || height > MAX_SIDE) {
    throw new MediaError(name, `${what}: header size ${width}x${height} is out of range`);
  }
  const n = width * height;
  const expected = HEADER_BYTES + n * 8;
  if (buf.byteLength !== expected) {
    throw new MediaError(
      name,
      `${what}: ${buf.byteLength} bytes but a ${width}x${height} flow needs ${expected} (truncated or padded file)`,
    );
  }
  const u = new Float32Array(n);
  const v = new Float32Array(n);
  for (let i = 0, o = HEADER_BYTES; i < n; i++, o += 8) {
    u[i] = view.getFloat32(o, true);
    v[i] = view.getFloat32(o + 4, true);
  }
  return { width, height, u, v };
}

/** Reads a .flo file. Throws MediaError naming the file when it is missing, unreadable or malformed. */
export async function readFlo(file: string): Promise<FlowField> {
  let buf: Buffer;
  try {
    buf = await fs.readFile(file);
  } catch (e) {
    throw new MediaError(file, `cannot read flow file ${file}: ${describeFsError(e)}`);
  }
  return decodeFlo(buf, file);
}

/** Writes a .flo file atomically (temp file + rename). */
export async function writeFlo(file: string, flow: FlowField): Promise<void> {
  await writeFileAtomic(file, encodeFlo(flow));
}
