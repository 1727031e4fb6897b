// `mellm check` end to end: the bundled CLI on a warped pair written to a temp folder.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { EXPRESSIONS, loadFixtureFace } from '../fixtures/reasoning/face';
import { warpFace } from '../support/warp';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const FIX = join(__dirname, '..', 'fixtures', 'reasoning');
let dir = '';

function cli(...args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: ROOT });
}

before(async () => {
  const b = spawnSync(process.execPath, ['esbuild.js'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(b.status, 0, b.stderr);
  dir = mkdtempSync(join(tmpdir(), 'mellm-check-'));
  const { onset, face } = await loadFixtureFace();
  const { apex } = warpFace(onset, face.points, EXPRESSIONS.happiness);
  const png = (d: Uint8Array, f: string) => sharp(Buffer.from(d), { raw: { width: onset.width, height: onset.height, channels: 1 } }).png().toFile(join(dir, f));
  await png(onset.data, 'onset.png');
  await png(apex.data, 'apex.png');
  writeFileSync(join(dir, 'hallucinated.md'), '##### 视觉检查\n- 额头区域：颜色：紫色；运动方向：向上；运动强度：强。\n- 嘴角区域：右侧嘴角蓝色（左上），左侧嘴角粉红色（右上），中等。\n');
});
after(() => rmSync(dir, { recursive: true, force: true }));

test("mellm check --json: the Fig. 4 MELLM answer on a smile pair: one image-sided claim is contradicted, with the hint", () => {
  const r = cli('check', join(FIX, 'fig4-mellm-happiness.zh.md'), join(dir, 'onset.png'), join(dir, 'apex.png'), '--json');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.command, 'check');
  assert.ok(out.face && out.face.interOcular > 60);
  assert.ok(out.summary.claims >= 8);
  assert.equal(out.summary.contradicted, 1);
  const c = out.claims.find((x: { text: string }) => x.text.startsWith('右侧嘴角'));
  assert.deepEqual(c.regions, ['lipCornerR']);
  assert.equal(c.measured[0].direction, 'up-left');
  assert.ok(c.measured[0].magnitudePx > 1);
  assert.match(c.reason, /may mean the image's side/);
});

test('mellm check (text): hallucinated forehead motion is contradicted, the lip corners supported', () => {
  const r = cli('check', join(dir, 'hallucinated.md'), join(dir, 'onset.png'), join(dir, 'apex.png'));
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.match(lines.find((l) => l.includes('额头区域'))!, /contradicted/);
  assert.match(lines.find((l) => l.includes('右侧嘴角'))!, /supported/);
  assert.match(r.stdout, /3 claims: 2 supported, 1 contradicted, 0 not checkable/);
});

test('mellm check: user errors are one line with exit 1 / 2', () => {
  const missing = cli('check', join(dir, 'nope.md'), join(dir, 'onset.png'), join(dir, 'apex.png'));
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /cannot read answer file .*nope\.md: no such file/);
  assert.equal(missing.stderr.trim().split('\n').length, 1);
  const badImage = cli('check', join(FIX, 'fig4-mellm-happiness.zh.md'), join(dir, 'onset.png'), join(dir, 'missing.png'));
  assert.equal(badImage.status, 1);
  assert.match(badImage.stderr, /missing\.png/);
  const usage = cli('check', join(FIX, 'fig4-mellm-happiness.zh.md'), join(dir, 'onset.png'));
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /expected ANSWER\.txt ONSET APEX/);
});
