// The region text the region-text lane sends, pinned for a fixture clip: the reasoner's real-face fixture
// warped by the synthetic smile, measured in its exact ground-truth flow (no TV-L1, no face detector, so the
// text depends only on the statistics and the formatting). The pinned files are
// test/fixtures/reasoning/regiontext-happiness.{en,zh}.txt; after a deliberate change of the text, rewrite
// them with UPDATE_GOLDEN=1 and review the diff.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { computeMmc } from '../../src/core/mmc';
import { correctedRegionStats } from '../../src/core/reasoning/lightingFlow';
import { buildPrompt } from '../../src/core/reasoning/prompts';
import { measureRegionMotion } from '../../src/core/reasoning/regionMotion';
import { measureRegionStats, type RegionStatsReport } from '../../src/core/reasoning/regionStats';
import {
  REGIONS_SLOT,
  buildRegionTextPrompt,
  fillRegionTextTemplate,
  regionBlock,
  regionTextTemplate,
} from '../../src/core/reasoning/regionText';
import { classesFromPrompt } from '../../src/core/reasoning/reasoner';
import { EXPRESSIONS, loadFixtureFace, type ExpressionName } from '../fixtures/reasoning/face';
import { warpFace } from '../support/warp';

const FIXTURES = join(__dirname, '..', 'fixtures', 'reasoning');

async function statsOf(expr: ExpressionName | null): Promise<RegionStatsReport> {
  const { onset, face } = await loadFixtureFace();
  const { flow } = warpFace(onset, face.points, expr ? EXPRESSIONS[expr] : { bumps: [] });
  const motion = measureRegionMotion(flow, face);
  return measureRegionStats(flow, face, { background: motion.background });
}

function golden(name: string, text: string): string {
  const file = join(FIXTURES, name);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, text);
  assert.ok(existsSync(file), `${file} is missing: create it with UPDATE_GOLDEN=1 and review it`);
  return readFileSync(file, 'utf8');
}

const lineOf = (block: string, label: string) => block.split('\n').find((l) => l.includes(`"${label}"`));

test('the region text of the fixture smile is pinned, in English and Chinese', async () => {
  const stats = await statsOf('happiness');
  for (const lang of ['en', 'zh'] as const) {
    const block = regionBlock(stats, lang);
    assert.equal(block, golden(`regiontext-happiness.${lang}.txt`, block), `${lang} region text changed: rerun with UPDATE_GOLDEN=1 if that is intended`);
  }
});

test('what the text says about the smile: lip corners up and out, concentrated; still regions have near-zero motion', async () => {
  const stats = await statsOf('happiness');
  const block = regionBlock(stats, 'en');
  const lines = block.split('\n');
  // Two lines of explanation and scale, then one valid JSON object per region, 20 regions.
  assert.equal(lines.length, 22);
  const rows = lines.slice(2).map((l) => JSON.parse(l) as { region: string; mean_magnitude: number; max_magnitude: number; direction: string; concentration: number | null });
  assert.equal(rows.length, 20);
  rows.forEach((r, i) => {
    for (const k of ['mean_magnitude', 'max_magnitude'] as const) assert.match(lines[2 + i], new RegExp(`"${k}":\\d+\\.\\d{3},`), `${k} has 3 decimals`);
    assert.match(lines[2 + i], r.direction === 'no significant motion' ? /"concentration":null\}$/ : /"concentration":[01]\.\d{3}\}$/);
    assert.ok(r.max_magnitude >= r.mean_magnitude);
  });
  const byName = new Map(rows.map((r) => [r.region, r]));
  // The subject's right corner (image left) moves up and to the image left; the left corner up and right.
  assert.match(byName.get("Lip corner (subject's right)")!.direction, /^up-left \(\d+°\)$/);
  assert.match(byName.get("Lip corner (subject's left)")!.direction, /^up-right \(\d+°\)$/);
  assert.ok(byName.get("Lip corner (subject's left)")!.max_magnitude > 1.5);
  // Far from every bump: no motion at all in the exact flow.
  assert.equal(byName.get('Forehead')!.max_magnitude, 0);
  assert.equal(byName.get('Forehead')!.direction, 'no significant motion');
  assert.match(lines[1], /^Scale: inter-ocular distance \d+\.\d px; background motion .* \d+\.\d{3} px\.$/);
});

test('the text changes when the motion does: a brow raise and jaw drop instead of a smile', async () => {
  const smile = regionBlock(await statsOf('happiness'), 'en');
  const surprise = regionBlock(await statsOf('surprise'), 'en');
  assert.notEqual(smile, surprise);
  // Only the measured lines differ: the two explanation lines depend on the scale, not the motion.
  assert.equal(smile.split('\n')[0], surprise.split('\n')[0]);
  const brow = "Inner brow (subject's left)";
  assert.match(lineOf(smile, brow)!, /"direction":"no significant motion"/);
  assert.match(lineOf(surprise, brow)!, /"direction":"up \(90°\)"/);
  assert.match(lineOf(surprise, 'Chin')!, /"direction":"down \(270°\)"/);
  // Nothing moved: every region says so, in both languages.
  const still = await statsOf(null);
  for (const l of regionBlock(still, 'en').split('\n').slice(2)) assert.match(l, /"mean_magnitude":0\.000,"max_magnitude":0\.000,"direction":"no significant motion","concentration":null\}$/);
  for (const l of regionBlock(still, 'zh').split('\n').slice(2)) assert.match(l, /"方向":"无明显运动"/);
});

test('the prompt: measured block, the four FGMU steps with their headings, and the protocol class line last', async () => {
  const stats = await statsOf('happiness');
  const en = buildRegionTextPrompt(stats, { lang: 'en', protocol: 'casme2' });
  assert.ok(en.startsWith(regionBlock(stats, 'en')));
  for (const h of ['Visual inspection', 'Action unit (AU) inference', 'Expression reasoning', 'Final conclusion']) assert.ok(en.includes(`"${h}"`), h);
  assert.ok(en.endsWith('(The micro-expression is one of the following five emotions: happiness, sadness, fear, surprise or disgust.)'));
  assert.ok(!/image|colour|color/i.test(en.split('\n').slice(22).join('\n')), 'the instruction speaks of measurements, not of an image');
  const zh = buildRegionTextPrompt(stats, { lang: 'zh' });
  for (const h of ['视觉检查', '动作单元 (AU) 推断', '表情推理', '最终结论']) assert.ok(zh.includes(h), h);
  assert.ok(zh.endsWith('(微表情归类为以下七种情绪之一：开心、悲伤、害怕、惊讶、厌恶、轻蔑或生气。)'));
  // The class line is the one the built-in reasoner and prompts.ts write, so the same reader finds it.
  assert.deepEqual(classesFromPrompt(en), ['happiness', 'sadness', 'fear', 'surprise', 'disgust']);
  assert.equal(zh.split('\n').at(-1), buildPrompt({ lang: 'zh' }).split('\n').at(-1));
  // MER: the emotion word only.
  assert.match(buildRegionTextPrompt(stats, { lang: 'en', task: 'mer' }), /Answer with the emotion word only/);
});

test('the template has one slot and is the same for every clip; filling it gives the prompt', async () => {
  const t = regionTextTemplate({ lang: 'en', protocol: 'casme2' });
  assert.equal(t.split(REGIONS_SLOT).length, 2);
  const a = await statsOf('happiness');
  const b = await statsOf('surprise');
  assert.equal(fillRegionTextTemplate(t, regionBlock(a, 'en')), buildRegionTextPrompt(a, { lang: 'en', protocol: 'casme2' }));
  assert.equal(fillRegionTextTemplate(t, regionBlock(b, 'en')), buildRegionTextPrompt(b, { lang: 'en', protocol: 'casme2' }));
  assert.throws(() => fillRegionTextTemplate('no slot here', 'x'), /slot/);
  // A '$&' in the block must not be read as a replacement pattern.
  assert.equal(fillRegionTextTemplate(`a${REGIONS_SLOT}b`, '$&'), 'a$&b');
});

test('only the light changed (apex 5% brighter, nothing moved): the text reports the lighting and no motion', async () => {
  const { onset, face } = await loadFixtureFace();
  const bright = new Uint8Array(onset.data.length);
  for (let i = 0; i < bright.length; i++) bright[i] = Math.min(255, Math.round(onset.data[i] * 1.05));
  const o = { ...onset, channels: 1 as const };
  const a = { ...onset, data: bright, channels: 1 as const };
  const mmc = await computeMmc({ onset: o, apex: a, nose: face.nose });
  const head = [mmc.head.u, mmc.head.v] as const;
  // TV-L1 on the raw pair invents motion along the face's edges.
  const raw = measureRegionStats(mmc.flow, face, { head });
  assert.ok(Math.max(...raw.regions.map((r) => r.meanMagnitude)) > 1, 'raw flow: the brightness step reads as motion');
  const { stats, lighting } = await correctedRegionStats({ onset: o, apex: a, face, mmc }, measureRegionMotion(mmc.flow, face, { head }).background);
  assert.ok(lighting.significant && lighting.found.includes('brighter'));
  assert.ok(Math.max(...stats.regions.map((r) => r.maxMagnitude)) < 0.1, 'corrected: nothing moves');
  const en = regionBlock(stats, 'en').split('\n');
  assert.equal(en[1], 'Lighting: apex 5.0% brighter than the onset. The motion below was measured after correcting this change.');
  assert.match(regionBlock(stats, 'zh').split('\n')[1], /^光照：顶点帧比起始帧亮 5\.0%。以下运动是在校正这一光照变化后测量的。$/);
});
