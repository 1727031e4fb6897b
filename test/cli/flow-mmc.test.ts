// `mellm flow` and `mellm mmc` through the bundle (run `node esbuild.js` first): outputs, --json, and every
// user error path: non-zero exit, one stderr line naming the file or option, no output file left behind.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { encodeFlo, readFlo } from '../../src/core/flo';
import { toGrey, loadImage } from '../../src/core/image';

const ROOT = path.join(__dirname, '..', '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const PAIR = path.join(ROOT, 'test', 'fixtures', 'faces', 's3mid_128x156');
const ONSET = path.join(PAIR, 'onset.png');
const APEX = path.join(PAIR, 'apex.png');
const NOSE = JSON.parse(fs.readFileSync(path.join(PAIR, 'meta.json'), 'utf8')).nose as { x: number; y: number };

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function mellm(...args: string[]): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let dir = '';
function tmp(name: string): string {
  return path.join(dir, name);
}

before(() => {
  assert.ok(fs.existsSync(CLI), `${CLI} is missing: run 'node esbuild.js' first`);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mellm-cli-'));
});

/** One line on stderr matching `pattern`, a non-zero exit, and nothing new in `dir`. */
function assertFails(r: Run, code: number, pattern: RegExp, before: string[]): void {
  assert.equal(r.code, code, `exit code; stderr: ${r.stderr}`);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one stderr line, got: ${r.stderr}`);
  assert.match(lines[0], pattern);
  assert.equal(r.stdout, '');
  assert.deepEqual(fs.readdirSync(dir).sort(), before, 'no output or temp file left behind');
}

test('mmc --json: map and flow written, nose and head reported, stages timed', () => {
  const r = mellm('mmc', ONSET, APEX, '--out', tmp('map.png'), '--flow-out', tmp('map.flo'), '--nose', `${NOSE.x},${NOSE.y}`, '--json');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  const j = JSON.parse(r.stdout);
  assert.equal(j.outputs.map, tmp('map.png'));
  assert.equal(j.outputs.flow, tmp('map.flo'));
  assert.equal(j.width, 128);
  assert.equal(j.height, 156);
  assert.deepEqual(j.nose, NOSE);
  assert.equal(j.flowSource, 'computed');
  // The pair's global shift is (-0.6, 0.4) px: the head vector at the nose is close to it.
  assert.ok(Math.abs(j.head.u + 0.6) < 0.2 && Math.abs(j.head.v - 0.4) < 0.2, JSON.stringify(j.head));
  for (const k of ['load', 'grey', 'flow', 'render', 'write', 'total']) assert.equal(typeof j.timingsMs[k], 'number', k);
  assert.deepEqual(j.warnings, []);
});

test('mmc output files are a 128x156 RGB PNG and a matching .flo', async () => {
  const map = await loadImage(tmp('map.png'));
  assert.equal(map.channels, 3);
  assert.equal(map.width, 128);
  const flow = await readFlo(tmp('map.flo'));
  assert.equal(flow.width, 128);
  assert.equal(flow.height, 156);
});

test('mmc --flow-in renders the given flow: identical to the authors\' map', async () => {
  const r = mellm('mmc', ONSET, APEX, '--out', tmp('ref.png'), '--flow-in', path.join(PAIR, 'opencv.flo'), '--nose', `${NOSE.x},${NOSE.y}`, '--json');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).flowSource, 'given');
  const ours = await loadImage(tmp('ref.png'));
  const ref = await loadImage(path.join(PAIR, 'opencv_mmc.png'));
  let same = 0;
  for (let i = 0; i < ours.data.length; i += 3) {
    if (ours.data[i] === ref.data[i] && ours.data[i + 1] === ref.data[i + 1] && ours.data[i + 2] === ref.data[i + 2]) same++;
  }
  assert.equal(same, ours.width * ours.height, `${same} identical pixels`);
});

test('mmc without --nose on a frame with no face: the grey onset (or --no-face uncompensated), said on stderr', async () => {
  // A synthetic texture: no face to find (and no face locator at all before face detection is wired in).
  const w = 96;
  const h = 72;
  const a = Buffer.alloc(w * h);
  const b = Buffer.alloc(w * h);
  for (let i = 0; i < w * h; i++) {
    const x = i % w;
    const y = Math.floor(i / w);
    a[i] = 128 + 50 * Math.sin(x / 5) * Math.cos(y / 7);
    b[i] = 128 + 50 * Math.sin((x - 1) / 5) * Math.cos(y / 7);
  }
  await sharp(a, { raw: { width: w, height: h, channels: 1 } }).png().toFile(tmp('tex-onset.png'));
  await sharp(b, { raw: { width: w, height: h, channels: 1 } }).png().toFile(tmp('tex-apex.png'));
  const grey = mellm('mmc', tmp('tex-onset.png'), tmp('tex-apex.png'), '--out', tmp('grey.png'), '--json');
  assert.equal(grey.code, 0, grey.stderr);
  assert.match(grey.stderr, /^mellm mmc: warning: no face found on .*tex-onset\.png: the map is the plain grey onset/);
  assert.equal(JSON.parse(grey.stdout).output, 'grey-onset');
  const onsetGrey = toGrey(await loadImage(tmp('tex-onset.png')));
  const written = await loadImage(tmp('grey.png'));
  assert.equal(written.channels, 1);
  assert.deepEqual(Buffer.from(written.data), Buffer.from(onsetGrey.data));
  const r = mellm('mmc', tmp('tex-onset.png'), tmp('tex-apex.png'), '--out', tmp('auto.png'), '--json', '--no-face', 'uncompensated');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^mellm mmc: warning: .*no head-motion compensation/);
  const j = JSON.parse(r.stdout);
  assert.equal(j.nose, null);
  assert.equal(j.output, 'mmc');
  assert.deepEqual(j.head, { u: 0, v: 0 });
  assert.equal(j.warnings.length, 1);
  const off = mellm('mmc', tmp('tex-onset.png'), tmp('tex-apex.png'), '--out', tmp('off.png'), '--no-compensation', '--json');
  assert.equal(off.code, 0, off.stderr);
  assert.equal(off.stderr, '', '--no-compensation is silent');
  assert.equal(JSON.parse(off.stdout).nose, null);
  assert.deepEqual(fs.readFileSync(tmp('auto.png')), fs.readFileSync(tmp('off.png')));
});

test('flow --json writes a .flo of the pair', async () => {
  const r = mellm('flow', ONSET, APEX, '--out', tmp('pair.flo'), '--json');
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.outputs.flow, tmp('pair.flo'));
  assert.equal(j.width, 128);
  const flow = await readFlo(tmp('pair.flo'));
  assert.equal(flow.u.length, 128 * 156);
  // Onset -> apex moves the head by about (-0.6, 0.4) px.
  const meanU = flow.u.reduce((a, b) => a + b, 0) / flow.u.length;
  assert.ok(Math.abs(meanU + 0.6) < 0.3, `mean u ${meanU}`);
});

test('error paths: one line naming the file or option, non-zero exit, nothing written', async () => {
  const before = fs.readdirSync(dir).sort();
  const text = path.join(ROOT, 'package.json');
  const small = path.join(os.tmpdir(), `mellm-small-${process.pid}.png`);
  await sharp(ONSET).resize(100, 100).png().toFile(small);
  const truncated = path.join(os.tmpdir(), `mellm-trunc-${process.pid}.png`);
  const png = fs.readFileSync(APEX);
  fs.writeFileSync(truncated, png.subarray(0, png.length >> 1));
  const badFlo = path.join(os.tmpdir(), `mellm-bad-${process.pid}.flo`);
  fs.writeFileSync(badFlo, Buffer.from('not a flow file at all'));
  const smallFlo = path.join(os.tmpdir(), `mellm-smallflo-${process.pid}.flo`);
  fs.writeFileSync(smallFlo, encodeFlo({ width: 4, height: 4, u: new Float32Array(16), v: new Float32Array(16) }));
  const missing = path.join(dir, 'no-such-onset.png');
  const out = tmp('err.png');
  const cases: [string[], number, RegExp][] = [
    [['mmc', missing, APEX, '--out', out], 1, /no-such-onset\.png: no such file/],
    [['flow', missing, APEX, '--out', tmp('err.flo')], 1, /no-such-onset\.png: no such file/],
    [['mmc', ONSET, text, '--out', out], 1, /package\.json is not an image/],
    [['mmc', ONSET, truncated, '--out', out], 1, /mellm-trunc-\d+\.png is truncated or corrupt/],
    [['mmc', ONSET, small, '--out', out], 1, /onset .*onset\.png is 128x156 but apex .*mellm-small-\d+\.png is 100x100/],
    [['flow', ONSET, small, '--out', tmp('err.flo')], 1, /is 128x156 but apex .* is 100x100/],
    [['mmc', ONSET, APEX, '--out', out, '--nose', 'abc'], 2, /--nose expects X,Y .* got 'abc'/],
    [['mmc', ONSET, APEX, '--out', out, '--nose', '1,2', '--no-compensation'], 2, /--nose and --no-compensation/],
    // A negative number is a value (--nose -2,3 works, see test/cli/hardening.test.ts); any other dash value is not.
    [['mmc', ONSET, APEX, '--out', '-x.png'], 2, /--out got a value starting with '-': write it as --out=VALUE/],
    [['mmc', ONSET, APEX, '--out', out, '--no-face', 'blank'], 2, /--no-face must be grey or uncompensated, got 'blank'/],
    [['mmc', ONSET, APEX], 2, /--out FILE\.png is required/],
    [['flow', ONSET, APEX], 2, /--out FILE\.flo is required/],
    [['mmc', ONSET, APEX, '--out', tmp('err.jpg')], 2, /--out .*err\.jpg: the file name must end in \.png/],
    [['mmc', ONSET, '--out', out], 2, /expected ONSET and APEX frames, got 1/],
    [['mmc', ONSET, APEX, '--out', out, '--frobnicate'], 2, /frobnicate/],
    [['mmc', ONSET, APEX, '--out', out, '--flow-in', badFlo], 1, /mellm-bad-\d+\.flo is not a valid Middlebury \.flo file/],
    [['mmc', ONSET, APEX, '--out', out, '--flow-in', smallFlo], 1, /flow .*mellm-smallflo-\d+\.flo is 4x4 but onset .* is 128x156/],
    [['mmc', ONSET, APEX, '--out', out, '--flow-in', tmp('none.flo')], 1, /cannot read flow file .*none\.flo: no such file/],
    [['mmc', ONSET, APEX, '--out', path.join(dir, 'no-dir', 'x.png')], 1, /--out .*no-dir\/x\.png: the folder .*no-dir does not exist/],
    [['mmc', ONSET, APEX, '--out', path.join(text, 'x.png')], 1, /--out .*package\.json\/x\.png: .*is not a folder/],
    [['mmc', ONSET, APEX, '--out', out, '--flow-out', path.join(dir, 'no-dir', 'x.flo')], 1, /--flow-out .*no-dir\/x\.flo: the folder/],
    [['mmc', ONSET, APEX, '--out', out, '--device', 'tpu'], 2, /--device must be auto, cpu or cuda/],
    [['flow', ONSET, APEX, '--out', tmp('err.flo'), '--threads', 'many'], 2, /--threads must be a whole number/],
  ];
  for (const [args, code, pattern] of cases) {
    const r = mellm(...args);
    assertFails(r, code, pattern, before);
  }
  // An existing folder where the output file should go.
  fs.mkdirSync(tmp('adir.png'));
  const r = mellm('mmc', ONSET, APEX, '--out', tmp('adir.png'));
  assertFails(r, 1, /--out .*adir\.png: is a folder/, [...before, 'adir.png'].sort());
  fs.rmdirSync(tmp('adir.png'));
  for (const f of [small, truncated, badFlo, smallFlo]) fs.rmSync(f);
});

test('Ctrl-C during the flow: exit 130, one line, no output file', async () => {
  // A large smooth pair so that the flow takes a while (about 2.5 s on one thread of an idle machine).
  const w = 2400;
  const h = 1800;
  const a = Buffer.alloc(w * h);
  const b = Buffer.alloc(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      a[y * w + x] = 128 + 60 * Math.sin(x / 13) * Math.cos(y / 17);
      b[y * w + x] = 128 + 60 * Math.sin((x - 1) / 13) * Math.cos(y / 17);
    }
  }
  const on = tmp('big-onset.png');
  const ap = tmp('big-apex.png');
  await sharp(a, { raw: { width: w, height: h, channels: 1 } }).png().toFile(on);
  await sharp(b, { raw: { width: w, height: h, channels: 1 } }).png().toFile(ap);
  const before = fs.readdirSync(dir).sort();
  const child = spawn(process.execPath, [CLI, 'mmc', on, ap, '--out', tmp('big.png'), '--no-compensation', '--threads', '1']);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  setTimeout(() => child.kill('SIGINT'), 1200);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  assert.equal(code, 130, stderr);
  assert.match(stderr.trimEnd(), /^mellm mmc: .*cancelled$/);
  assert.deepEqual(fs.readdirSync(dir).sort(), before);
});
