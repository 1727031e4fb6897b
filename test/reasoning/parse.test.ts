import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { extractAus, extractEmotion, parseAnswer, splitSections, toHalfWidth } from '../../src/core/reasoning/parse';
import { auName, formatAuCode, formatAuLabel, isExpressiveAu } from '../../src/core/facs';

const DIR = join(__dirname, '..', 'fixtures', 'answers');

interface Case {
  /** The answer: a file under test/fixtures/answers, or the text itself. */
  file?: string;
  text?: string;
  lang: 'zh' | 'en';
  status: 'parsed' | 'none' | 'undetermined' | 'unparsed';
  emotion: string | null;
  /** For 'undetermined': the classes left open. */
  candidates?: string[];
  aus: string[];
  /** The answer denies or hedges an AU or an emotion (issue #15: at least 40 such cases). */
  negated?: boolean;
  note: string;
}

const CASES: Case[] = [
  ...JSON.parse(readFileSync(join(DIR, 'index.json'), 'utf8')),
  ...JSON.parse(readFileSync(join(DIR, 'negation-corpus.json'), 'utf8')),
];
const textOf = (c: Case) => c.text ?? readFileSync(join(DIR, c.file!), 'utf8');

test('answer corpus: at least 150 answers, 40 of them negated or hedged, zh and en, the paper Fig. 4 examples among them', () => {
  assert.ok(CASES.length >= 150, `${CASES.length} cases`);
  assert.ok(CASES.filter((c) => c.negated).length >= 40, `${CASES.filter((c) => c.negated).length} negated/hedged`);
  assert.ok(CASES.filter((c) => c.lang === 'zh').length >= 50);
  assert.ok(CASES.filter((c) => c.lang === 'en').length >= 50);
  assert.equal(CASES.filter((c) => c.file?.startsWith('fig4-')).length, 6);
  for (const st of ['unparsed', 'none', 'undetermined'] as const) assert.ok(CASES.filter((c) => c.status === st).length >= 6, st);
});

for (const [i, c] of CASES.entries()) {
  test(`corpus ${c.file ?? `#${i}`}: ${c.note}`, () => {
    const r = parseAnswer(textOf(c));
    assert.equal(r.status, c.status, r.reason);
    assert.equal(r.emotion, c.emotion);
    assert.equal(r.emotion === null, r.status !== 'parsed');
    if (r.status === 'unparsed') assert.ok(r.reason && r.reason.length > 0);
    assert.deepEqual([...r.candidates].sort(), [...(c.candidates ?? [])].sort(), 'candidates');
    assert.deepEqual(
      r.aus.map((a) => a.code),
      c.aus,
    );
  });
}

test('sections of the paper MELLM answer, with offsets into the text', () => {
  const text = readFileSync(join(DIR, 'fig4-1-mellm.md'), 'utf8');
  const s = splitSections(text);
  assert.deepEqual(
    s.map((x) => x.kind),
    ['preamble', 'visual', 'au', 'reasoning', 'conclusion'],
  );
  assert.equal(s[1].title, '##### 1. 视觉检查');
  assert.equal(s[2].title, '- ##### 2. 动作单元 (AU) 推断');
  for (const x of s) assert.equal(text.slice(x.bodyStart, x.end), x.body);
  assert.match(s[4].body, /AU06（颧大肌收缩）\+ AU12/);
  assert.equal(s[s.length - 1].end, text.length);
});

test('inline and English headings; sentences that merely start with a keyword are not headings', () => {
  const s = splitSections('Visual inspection: brows up.\nAction Unit (AU) inference:\n- AU1\nExpression reasoning\nsurprise fits\nFinal Conclusion: AU1, surprise');
  assert.deepEqual(
    s.map((x) => [x.kind, x.body.trim()]),
    [
      ['visual', 'brows up.'],
      ['au', '- AU1'],
      ['reasoning', 'surprise fits'],
      ['conclusion', 'AU1, surprise'],
    ],
  );
  const t = splitSections('##### 最终结论\n总结分析结果，明确列出推断出的面部动作单元。\n结论是惊讶');
  assert.deepEqual(
    t.map((x) => x.kind),
    ['conclusion'],
  );
});

test('AU forms: zero padding, spaces, sides, intensities, chains, dedup', () => {
  const codes = (s: string) => extractAus(s).map((a) => a.code);
  assert.deepEqual(codes('AU06 AU 12 AU-4'), ['6', '12', '4']);
  assert.deepEqual(codes('Right AU12, left AU14, R AU10, AU15L, AU17 (right), 右侧AU20, AU23（左侧）'), ['R12', 'L14', 'R10', 'L15', 'R17', 'R20', 'L23']);
  assert.deepEqual(codes('R12C+L14 and AU1+2+5B'), ['R12C', 'L14', '1', '2', '5B']);
  assert.deepEqual(codes('AU6 and again AU06, AU12R, AU12'), ['6', 'R12', '12']);
  assert.deepEqual(codes('AUs (AU) 推断; AU0; 12; L; AUx'), []);
  assert.deepEqual(codes('ＡＵ１２'), ['12']);
  const [a] = extractAus('Right AU12C');
  assert.deepEqual(a, { au: 12, side: 'R', intensity: 'C', code: 'R12C', raw: 'Right AU12C' });
});

test('emotion picking: negation, quotes, markers, option lists', () => {
  assert.equal(extractEmotion('这并非开心，而是“厌恶”')?.emotion, 'disgust');
  assert.equal(extractEmotion('not happy, but angry')?.emotion, 'anger');
  const hedge = extractEmotion('The expression is most likely fear, possibly surprise.');
  assert.deepEqual(hedge, { emotion: 'fear', word: 'fear', alternatives: ['surprise'] });
  assert.equal(extractEmotion('开心、悲伤、害怕或惊讶'), null);
  assert.equal(extractEmotion('unhappiness')?.emotion, 'sadness');
  assert.equal(extractEmotion('surprisingly calm'), null);
  assert.equal(extractEmotion('没有任何情绪'), null);
});

test('unparsed is explicit and explains itself', () => {
  const r = parseAnswer('##### 最终结论\n中性');
  assert.equal(r.status, 'unparsed');
  assert.equal(r.emotion, null);
  assert.match(r.reason ?? '', /中性/);
  assert.match(parseAnswer('').reason ?? '', /empty/);
  assert.match(parseAnswer('The map shows weak motion everywhere and nothing else.').reason ?? '', /No conclusion section/);
});

test('where results come from', () => {
  const fb = parseAnswer(readFileSync(join(DIR, 'fig4-1-qwen25vl7b.md'), 'utf8'));
  assert.equal(fb.emotionFrom, 'fallback');
  assert.equal(fb.ausFrom, 'fallback');
  const c = parseAnswer(readFileSync(join(DIR, 'fig4-1-mellm.md'), 'utf8'));
  assert.equal(c.emotionFrom, 'conclusion');
  assert.equal(c.emotionText, '开心');
  const au = parseAnswer(readFileSync(join(DIR, 'zh-au-section-only.md'), 'utf8'));
  assert.equal(au.ausFrom, 'au-section');
  assert.equal(parseAnswer('Happy.').emotionFrom, 'whole');
});

test('half-width normalisation keeps offsets', () => {
  const s = 'ＡＵ１２：开心　！';
  assert.equal(toHalfWidth(s), 'AU12:开心 !');
  assert.equal(toHalfWidth(s).length, s.length);
});

test('FACS names and codes', () => {
  assert.equal(auName(12, 'en'), 'Lip corner puller');
  assert.equal(auName(6, 'zh'), '脸颊提升');
  assert.equal(auName(99, 'en'), 'AU99');
  assert.equal(formatAuCode({ au: 12, side: 'R', intensity: 'C' }), 'R12C');
  assert.equal(formatAuLabel({ au: 6 }, 'zh'), 'AU06（脸颊提升）');
  assert.equal(formatAuLabel({ au: 12, side: 'L' }, 'en'), 'Left AU12 (Lip corner puller)');
  assert.equal(isExpressiveAu(45), false);
  assert.equal(isExpressiveAu(43), false);
  assert.equal(isExpressiveAu(12), true);
});
