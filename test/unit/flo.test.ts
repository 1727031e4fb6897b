import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { decodeFlo, encodeFlo, readFlo, writeFlo, FLO_MAGIC } from '../../src/core/flo';
import { writeFileAtomic } from '../../src/core/atomicWrite';
import { MediaError } from '../../src/core/mediaError';
import type { FlowField } from '../../src/core/native';

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'mellm-flo-'));
}

function sampleFlow(width: number, height: number): FlowField {
  const n = width * height;
  const u = new Float32Array(n);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    u[i] = Math.fround(Math.sin(i) * 3.5);
    v[i] = Math.fround(-i / 7);
  }
  return { width, height, u, v };
}

test('.flo layout: magic, width, height, interleaved little-endian float32 u,v', () => {
  const flow = sampleFlow(3, 2);
  const buf = encodeFlo(flow);
  assert.equal(buf.length, 12 + 3 * 2 * 8);
  assert.equal(buf.toString('latin1', 0, 4), 'PIEH');
  assert.equal(buf.readFloatLE(0), FLO_MAGIC);
  assert.equal(buf.readInt32LE(4), 3);
  assert.equal(buf.readInt32LE(8), 2);
  // pixel (x=1, y=1) is index 4: at 12 + 4*8
  assert.equal(buf.readFloatLE(12 + 4 * 8), flow.u[4]);
  assert.equal(buf.readFloatLE(12 + 4 * 8 + 4), flow.v[4]);
});

test('.flo round-trip through a file is bit-exact', async () => {
  const dir = tmpDir();
  const file = path.join(dir, 'a.flo');
  const flow = sampleFlow(17, 9);
  flow.u[3] = -0;
  flow.v[5] = 1e30;
  await writeFlo(file, flow);
  const back = await readFlo(file);
  assert.equal(back.width, 17);
  assert.equal(back.height, 9);
  assert.deepEqual(Buffer.from(back.u.buffer), Buffer.from(flow.u.buffer));
  assert.deepEqual(Buffer.from(back.v.buffer), Buffer.from(flow.v.buffer));
  assert.deepEqual(fs.readdirSync(dir), ['a.flo'], 'no temp file left');
});

test('.flo rejects a bad magic number, naming the file', () => {
  const buf = encodeFlo(sampleFlow(2, 2));
  buf.writeFloatLE(1.5, 0);
  assert.throws(() => decodeFlo(buf, '/data/x.flo'), (e: unknown) => {
    assert.ok(e instanceof MediaError);
    assert.match(e.message, /\/data\/x\.flo/);
    assert.match(e.message, /magic/);
    return true;
  });
});

test('.flo rejects a short header, an absurd size and a truncated body', () => {
  assert.throws(() => decodeFlo(Buffer.alloc(8), 'f.flo'), /f\.flo.*shorter than the 12-byte header/);
  const neg = encodeFlo(sampleFlow(2, 2));
  neg.writeInt32LE(-2, 4);
  assert.throws(() => decodeFlo(neg, 'f.flo'), /f\.flo.*-2x2 is out of range/);
  const full = encodeFlo(sampleFlow(4, 4));
  assert.throws(() => decodeFlo(full.subarray(0, full.length - 4), 'f.flo'), /f\.flo.*truncated/);
  assert.throws(() => decodeFlo(Buffer.concat([full, Buffer.alloc(8)]), 'f.flo'), /f\.flo.*padded/);
});

test('readFlo of a missing file names it', async () => {
  const missing = path.join(tmpDir(), 'nope.flo');
  await assert.rejects(readFlo(missing), (e: unknown) => {
    assert.ok(e instanceof MediaError);
    assert.equal(e.message, `cannot read flow file ${missing}: no such file or directory`);
    return true;
  });
});

test('encodeFlo refuses inconsistent component lengths', () => {
  assert.throws(() => encodeFlo({ width: 2, height: 2, u: new Float32Array(4), v: new Float32Array(3) }), RangeError);
});

test('writeFileAtomic replaces the file and leaves nothing behind on failure', async () => {
  const dir = tmpDir();
  const file = path.join(dir, 'out.bin');
  await writeFileAtomic(file, 'old');
  await writeFileAtomic(file, new Uint8Array([1, 2, 3]));
  assert.deepEqual([...fs.readFileSync(file)], [1, 2, 3]);
  const bad = path.join(dir, 'no-such-dir', 'out.bin');
  await assert.rejects(writeFileAtomic(bad, 'x'), (e: unknown) => {
    assert.ok(e instanceof MediaError);
    assert.match(e.message, /cannot write .*no-such-dir\/out\.bin: no such file or directory/);
    return true;
  });
  // A directory in the way: the rename fails, the temp file is removed.
  fs.mkdirSync(path.join(dir, 'isdir'));
  await assert.rejects(writeFileAtomic(path.join(dir, 'isdir'), 'x'), MediaError);
  assert.deepEqual(fs.readdirSync(dir).sort(), ['isdir', 'out.bin']);
});
