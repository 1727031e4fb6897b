import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkClaims, extractClaims } from '../../src/core/reasoning/claimCheck';
import { measureRegionMotion, type RegionMotionReport } from '../../src/core/reasoning/regionMotion';
import { BuiltinReasoner } from '../../src/core/reasoning/reasoner';
import { ACTIONS, EXPRESSIONS, loadFixtureFace, type ActionName, type ExpressionName } from '../fixtures/reasoning/face';
import { warpFace } from '../support/warp';

const FIX = join(__dirname, '..', 'fixtures', 'reasoning');
const cache = new Map<string, RegionMotionReport>();
async function motionOf(name: ExpressionName | ActionName | 'still'): Promise<RegionMotionReport> {
  if (!cache.has(name)) {
    const { onset, face } = await loadFixtureFace();
    const spec = name === 'still' ? { bumps: [] } : name in ACTIONS ? ACTIONS[name as ActionName] : EXPRESSIONS[name as ExpressionName];
    const { flow } = warpFace(onset, face.points, spec);
    cache.set(name, measureRegionMotion(flow, face));
  }
  return cache.get(name)!;
}

test("the paper's Fig. 4 MELLM answer (a smile) on a synthetic smile: sides read as the subject's", async () => {
  const text = readFileSync(join(FIX, 'fig4-mellm-happiness.zh.md'), 'utf8');
  const r = checkClaims(text, await motionOf('happiness'));
  assert.ok(r.claims.length >= 8, `${r.claims.length} claims`);
  // "左侧嘴角呈现蓝/紫色斑块（左上/上方运动）": the subject's left corner (image right) moves up-right; the
  // claimed "up" lies within 67.5 degrees, so it stands.
  const left = r.claims.find((c) => c.text.startsWith('左侧嘴角'))!;
  assert.deepEqual(left.regions, ['lipCornerL']);
  assert.deepEqual(left.directions, ['up-left', 'up']);
  assert.equal(left.measured[0].direction, 'up-right');
  assert.equal(left.verdict, 'supported');
  // "右侧嘴角呈现粉/洋红色斑块（右上运动）": the released model writes the image's sides here. Read as the
  // subject's right corner (moving up-left) it is contradicted, and the reason says the other side matches.
  const right = r.claims.find((c) => c.text.startsWith('右侧嘴角'))!;
  assert.deepEqual(right.regions, ['lipCornerR']);
  assert.equal(right.verdict, 'contradicted');
  assert.match(right.reason, /lipCornerL \(the other side\) does move up-right: the answer may mean the image's side/);
  assert.equal(r.contradicted, 1, r.claims.filter((c) => c.verdict !== 'supported').map((c) => `${c.text}: ${c.reason}`).join('\n'));
  const other = r.claims.find((c) => c.text.startsWith('其他区域'))!;
  assert.equal(other.noMotion, true);
  assert.ok(other.regions.includes('forehead') && other.regions.includes('chin') && other.regions.includes('innerBrowL'));
  // Spans index the original answer text.
  for (const c of r.claims) assert.equal(text.slice(c.span[0], c.span[1]), c.text);
});

test('the Fig. 4 Qwen2.5-VL-7B answer hallucinates motion: its forehead, eyelid and chin claims are contradicted', async () => {
  const text = readFileSync(join(FIX, 'fig4-qwen7b-happiness.zh.md'), 'utf8');
  const r = checkClaims(text, await motionOf('happiness'));
  const by = (start: string) => r.claims.find((c) => c.text.startsWith(start))!;
  for (const start of ['额头区域', '眼睛周围区域', '下巴区域']) {
    assert.equal(by(start).verdict, 'contradicted', start);
    assert.ok(by(start).measured.every((m) => m.intensity === 'none'), start);
  }
  // The lower lids do move a little (0.25 px, carried by the cheek raise), but up, not down as claimed.
  assert.equal(by('下眼睑区域').verdict, 'contradicted');
  assert.equal(by('下眼睑区域').directionMatch, false);
  // Cheeks move up; it claims left / right: wrong direction.
  assert.equal(by('脸颊区域').verdict, 'contradicted');
  assert.equal(by('脸颊区域').directionMatch, false);
  // "鼻子区域：颜色：白色；运动方向：无明显运动": no motion, correctly.
  assert.equal(by('鼻子区域').verdict, 'supported');
  assert.equal(by('鼻子区域').noMotion, true);
  assert.ok(r.contradicted >= 6);
});

test("the built-in reasoner's own answers are supported in every claim (zh and en, all synthetic expressions and actions)", async () => {
  for (const name of [...Object.keys(EXPRESSIONS), ...Object.keys(ACTIONS)] as (ExpressionName | ActionName)[]) {
    const motion = await motionOf(name);
    for (const lang of ['zh', 'en'] as const) {
      const { text } = new BuiltinReasoner().answer({ mapPng: new Uint8Array(0), prompt: '', lang, task: 'meu', motion });
      const r = checkClaims(text, motion);
      const bad = r.claims.filter((c) => c.verdict !== 'supported');
      assert.equal(bad.length, 0, `${name}/${lang}:\n${bad.map((c) => `${c.text} -> ${c.reason}`).join('\n')}`);
      assert.ok(r.supported >= 2, `${name}/${lang}: ${r.supported} claims`);
    }
  }
});

test('a claim of motion where there is none is contradicted; a claim of no motion where there is motion too', async () => {
  const still = await motionOf('still');
  const r = checkClaims('- 额头区域：颜色：紫色；运动方向：向上；运动强度：强。\n- 嘴角区域：未检测到明显运动。', still);
  assert.equal(r.claims.length, 2);
  assert.equal(r.claims[0].verdict, 'contradicted');
  assert.equal(r.claims[0].intensityMatch, 'mismatch');
  assert.equal(r.claims[1].verdict, 'supported');
  const smile = await motionOf('happiness');
  const r2 = checkClaims('- Mouth: no clear motion.\n- Eyebrows: purple patches, moving up, strong.', smile);
  assert.equal(r2.claims[0].verdict, 'contradicted');
  assert.match(r2.claims[0].reason, /lipCorner[RL] moves up-(left|right)/);
  assert.equal(r2.claims[1].verdict, 'contradicted');
});

test("sides: plain left/right are the subject's (as the parser reads them); image sides are converted", async () => {
  const oneSided = await motionOf('oneSidedSmile'); // subject's right corner (image left) moves up-left
  const r = checkClaims(
    [
      '- 右侧嘴角：蓝色斑块，运动方向：左上，强度中等。',
      '- 左侧嘴角：品红色斑块，运动方向：右上，强度中等。',
      "- The subject's right lip corner: blue, up-left, moderate.",
      '- 图像左侧嘴角：蓝色，左上。',
      "- The image's right lip corner: magenta, up-right.",
      '- Right lip corner: blue, up-left.',
    ].join('\n'),
    oneSided,
  );
  assert.deepEqual(r.claims.map((c) => c.regions.join()), ['lipCornerR', 'lipCornerL', 'lipCornerR', 'lipCornerR', 'lipCornerL', 'lipCornerR']);
  assert.deepEqual(r.claims.map((c) => c.verdict), ['supported', 'contradicted', 'supported', 'supported', 'contradicted', 'supported']);
});

test('English model wording: colours, diagonal words, per-side clauses', async () => {
  const smile = await motionOf('happiness');
  const text = "1. Visual inspection\n- Mouth corners: the right corner shows a blue patch moving up and to the left, the left corner a magenta/pink patch (up-right); intensity moderate.\n- Cheeks: purple, upward, slight.\n- Chin: yellow-green (down), strong.";
  const r = checkClaims(text, smile);
  const v = r.claims.map((c) => `${c.regions.join('+')}:${c.directions.join('/')}:${c.verdict}`);
  assert.deepEqual(v.slice(0, 2), ['lipCornerR:up-left:supported', 'lipCornerL:up-right:supported']);
  assert.equal(r.claims.find((c) => c.regions.includes('cheekR'))?.verdict, 'supported');
  assert.equal(r.claims.find((c) => c.regions.includes('chin'))?.verdict, 'contradicted');
});

test('without measured motion every claim is not checkable; AU names are not read as regions', async () => {
  const text = readFileSync(join(FIX, 'fig4-mellm-happiness.zh.md'), 'utf8');
  const r = checkClaims(text, null);
  assert.ok(r.claims.length > 0);
  assert.equal(r.notCheckable, r.claims.length);
  // '皱眉 (AU45)', '嘴角上扬' inside AU labels must not create brow / lip-corner claims.
  const claims = extractClaims('- 上眼睑区域：紫色；向上；中等；推断的面部动作单元 (AUs)：皱眉 (AU45)、右侧AU12（嘴角上扬）。');
  assert.equal(claims.length, 1);
  assert.deepEqual(claims[0].regions, ['upperEyelidR', 'upperEyelidL']);
  assert.deepEqual(claims[0].aus.sort((a, b) => a - b), [12, 45]);
  const smile = await motionOf('happiness');
  const c = checkClaims('- 上眼睑区域：紫色；向上；中等；推断的面部动作单元 (AUs)：皱眉 (AU45)、AU12。', smile).claims[0];
  assert.deepEqual(c.ausInferred, [12]);
  assert.deepEqual(c.ausNotInferred, [45]);
});
