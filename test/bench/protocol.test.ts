// Protocol -> classes and the exact prompt a run sends (its SHA-256 is recorded in config.json).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { benchPrompt, emotionProtocol, protocolClasses } from '../../src/core/bench/protocol';
import { sha256Hex } from '../../src/core/bench/runDir';
import { AUTHORS_PROMPT, AUTHORS_PROMPT_SHA256, FGMU_PROMPT_ZH, FGMU_PROMPT_ZH_SHA256 } from '../../src/core/reasoning/prompts';

test('paper protocols fix their classes (5 / 6 / 7)', () => {
  assert.deepEqual(protocolClasses('casme2'), ['happiness', 'sadness', 'fear', 'surprise', 'disgust']);
  assert.deepEqual(protocolClasses('casme3a'), ['happiness', 'sadness', 'fear', 'surprise', 'disgust', 'anger']);
  assert.equal(protocolClasses('dfme-a').length, 7);
  assert.deepEqual(protocolClasses('dfme-b'), protocolClasses('dfme-a'));
  assert.equal(emotionProtocol('custom'), null);
});

test('custom: the classes in the labels (canonical order) or an explicit list; bad names refused', () => {
  assert.deepEqual(protocolClasses('custom', { present: ['anger', 'happiness', 'others', 'anger'] }), ['happiness', 'anger']);
  assert.deepEqual(protocolClasses('custom', { explicit: ['surprise', 'fear'] }), ['fear', 'surprise']);
  assert.throws(() => protocolClasses('custom', { explicit: ['joy'] }), /unknown class 'joy'/);
  assert.throws(() => protocolClasses('custom', { present: ['happiness', 'others'] }), /at least two emotion classes/);
});

test("the MMC-Map input sends main.py's prompt by default (no class line), whatever the protocol; presets change it", () => {
  for (const p of ['casme2', 'casme3a', 'dfme-a'] as const) {
    const def = benchPrompt({ input: 'mmc', task: 'meu', lang: 'zh', classes: protocolClasses(p) });
    assert.deepEqual(def, { text: AUTHORS_PROMPT, preset: 'authors' });
    assert.equal(sha256Hex(def.text), AUTHORS_PROMPT_SHA256);
  }
  const paper = benchPrompt({ input: 'mmc', task: 'meu', lang: 'zh', classes: protocolClasses('dfme-a'), preset: 'paper' });
  assert.deepEqual(paper, { text: FGMU_PROMPT_ZH, preset: 'paper' });
  assert.equal(sha256Hex(paper.text), FGMU_PROMPT_ZH_SHA256);
  // The constrained variant (as the paper prompted other MLLMs) only changes the class line.
  const casme2 = benchPrompt({ input: 'mmc', task: 'meu', lang: 'zh', classes: protocolClasses('casme2'), preset: 'paper-casme2' });
  const a = paper.text.split('\n');
  const b = casme2.text.split('\n');
  assert.deepEqual(b.slice(0, -1), a.slice(0, -1));
  assert.equal(b[b.length - 1], '(微表情归类为以下五种情绪之一：开心、悲伤、害怕、惊讶或厌恶。)');
  // MER with the authors' preset: main.py's prior knowledge, the word-only instruction, the protocol's classes.
  const mer = benchPrompt({ input: 'mmc', task: 'mer', lang: 'zh', classes: protocolClasses('casme2') });
  assert.ok(mer.text.startsWith(AUTHORS_PROMPT.split('\n').slice(0, 9).join('\n')));
  assert.ok(mer.text.endsWith('(微表情归类为以下五种情绪之一：开心、悲伤、害怕、惊讶或厌恶。)'));
});

test('the frames baseline prompt has no colour prior and the same constrained class line', () => {
  const { text: p, preset } = benchPrompt({ input: 'frames', task: 'meu', lang: 'en', classes: protocolClasses('casme2') });
  assert.equal(preset, 'frames-baseline');
  assert.doesNotMatch(p, /purple|colour/i);
  assert.match(p, /onset frame .* left .* apex frame on the right/);
  assert.match(p, /Final conclusion/);
  assert.ok(p.endsWith('(The micro-expression is one of the following five emotions: happiness, sadness, fear, surprise or disgust.)'));
  const zh = benchPrompt({ input: 'frames', task: 'mer', lang: 'zh', classes: protocolClasses('casme3a') }).text;
  assert.ok(zh.endsWith('(微表情归类为以下六种情绪之一：开心、悲伤、害怕、惊讶、厌恶或生气。)'));
});
