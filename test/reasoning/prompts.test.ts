import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import {
  FGMU_PROMPT_ZH,
  FGMU_PROMPT_ZH_SHA256,
  buildPrompt,
  emotionConstraintLine,
  promptClasses,
} from '../../src/core/reasoning/prompts';
import { EMOTIONS, PROTOCOL_CLASSES, normaliseEmotion } from '../../src/core/emotions';

// The paper file holds the released prompt verbatim; the test reads it there so an edit of the constant fails.
// Development checkouts have the paper at <root>/shared/seed (MELLM_PAPER overrides); elsewhere the excerpt
// committed from it (test/fixtures/prompts) stands in.
const PAPER = process.env.MELLM_PAPER ?? join(__dirname, '..', '..', '..', 'shared', 'seed', '000_5ce134dd28f8cb2a.txt');
const EXCERPT = join(__dirname, '..', 'fixtures', 'prompts', 'paper-fgmu-prompt.zh.txt');

function paperPrompt(): string {
  const text = existsSync(PAPER) ? readFileSync(PAPER, 'utf8') : readFileSync(EXCERPT, 'utf8');
  const lines = text.split('\n');
  const first = lines.findIndex((l) => l.startsWith('这是一个人脸图像，叠加了微表情的可视化光流图'));
  assert.ok(first >= 0, 'prompt start not found in the paper file');
  const last = lines.findIndex((l, i) => i > first && l.startsWith('(微表情归类为'));
  assert.ok(last > first, 'class line not found after the prompt');
  return lines.slice(first, last + 1).join('\n');
}

test('the committed excerpt is the paper text (when the paper is at hand)', { skip: existsSync(PAPER) ? false : `no paper file at ${PAPER}` }, () => {
  assert.equal(readFileSync(EXCERPT, 'utf8'), paperPrompt());
});

test('default zh FGMU prompt is byte-exact to the paper text', () => {
  const expected = Buffer.from(paperPrompt(), 'utf8');
  const actual = Buffer.from(FGMU_PROMPT_ZH, 'utf8');
  assert.equal(actual.length, expected.length);
  assert.ok(actual.equals(expected), 'prompt bytes differ from the paper');
  assert.equal(createHash('sha256').update(actual).digest('hex'), FGMU_PROMPT_ZH_SHA256);
  assert.equal(buildPrompt({ lang: 'zh' }), FGMU_PROMPT_ZH);
  assert.equal(buildPrompt({ lang: 'zh', task: 'meu', protocol: 'dfme' }), FGMU_PROMPT_ZH);
});

test('protocol changes only the class line', () => {
  const casme2 = buildPrompt({ lang: 'zh', protocol: 'casme2' });
  const a = FGMU_PROMPT_ZH.split('\n');
  const b = casme2.split('\n');
  assert.deepEqual(b.slice(0, -1), a.slice(0, -1));
  assert.equal(b[b.length - 1], '(微表情归类为以下五种情绪之一：开心、悲伤、害怕、惊讶或厌恶。)');
  assert.equal(
    buildPrompt({ lang: 'zh', protocol: 'casme3a' }).split('\n').pop(),
    '(微表情归类为以下六种情绪之一：开心、悲伤、害怕、惊讶、厌恶或生气。)',
  );
  assert.deepEqual(promptClasses({ protocol: 'casme2' }), ['happiness', 'sadness', 'fear', 'surprise', 'disgust']);
  assert.deepEqual(promptClasses({}), EMOTIONS);
  assert.deepEqual(promptClasses({ protocol: 'casme3a', classes: ['anger', 'fear'] }), ['anger', 'fear']);
});

test('English rendering and MER prompts', () => {
  const en = buildPrompt({ lang: 'en', protocol: 'casme2' });
  assert.match(en, /Up: purple; up-right: magenta\/pink; right: red/);
  assert.match(en, /Final conclusion/);
  assert.ok(en.endsWith('(The micro-expression is one of the following five emotions: happiness, sadness, fear, surprise or disgust.)'));
  const merZh = buildPrompt({ lang: 'zh', task: 'mer' });
  assert.ok(merZh.startsWith(FGMU_PROMPT_ZH.split('\n')[0]));
  assert.match(merZh, /只回答一个情绪类别词/);
  assert.doesNotMatch(merZh, /视觉检查/);
  assert.ok(merZh.endsWith(emotionConstraintLine(EMOTIONS, 'zh')));
  const merEn = buildPrompt({ lang: 'en', task: 'mer', protocol: 'casme3a' });
  assert.match(merEn, /emotion word only/);
  assert.match(merEn, /six emotions: happiness, sadness, fear, surprise, disgust or anger/);
  assert.throws(() => emotionConstraintLine(['fear'], 'en'), RangeError);
});

test('protocol class lists and label normalisation', () => {
  assert.equal(PROTOCOL_CLASSES.casme2.length, 5);
  assert.equal(PROTOCOL_CLASSES.casme3a.length, 6);
  assert.equal(PROTOCOL_CLASSES.dfme.length, 7);
  assert.equal(normaliseEmotion('Happy'), 'happiness');
  assert.equal(normaliseEmotion(' 恐惧 '), 'fear');
  assert.equal(normaliseEmotion('愤怒。'), 'anger');
  assert.equal(normaliseEmotion('repression'), null);
  assert.equal(normaliseEmotion('others'), null);
  assert.equal(normaliseEmotion(''), null);
});
