// Protocol -> classes and the exact prompt a run sends (its SHA-256 is recorded in config.json).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { benchPrompt, emotionProtocol, protocolClasses } from '../../src/core/bench/protocol';
import { sha256Hex } from '../../src/core/bench/runDir';
import { FGMU_PROMPT_ZH, FGMU_PROMPT_ZH_SHA256 } from '../../src/core/reasoning/prompts';

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

test('DFME with the MMC-Map sends the released weights\' prompt byte for byte; CASME II only changes the class line', () => {
  const dfme = benchPrompt({ input: 'mmc', task: 'meu', lang: 'zh', classes: protocolClasses('dfme-a') });
  assert.equal(dfme, FGMU_PROMPT_ZH);
  assert.equal(sha256Hex(dfme), FGMU_PROMPT_ZH_SHA256);
  const casme2 = benchPrompt({ input: 'mmc', task: 'meu', lang: 'zh', classes: protocolClasses('casme2') });
  const a = dfme.split('\n');
  const b = casme2.split('\n');
  assert.deepEqual(b.slice(0, -1), a.slice(0, -1));
  assert.equal(b[b.length - 1], '(微表情归类为以下五种情绪之一：开心、悲伤、害怕、惊讶或厌恶。)');
});

test('the frames baseline prompt has no colour prior and the same constrained class line', () => {
  const p = benchPrompt({ input: 'frames', task: 'meu', lang: 'en', classes: protocolClasses('casme2') });
  assert.doesNotMatch(p, /purple|colour/i);
  assert.match(p, /onset frame .* left .* apex frame on the right/);
  assert.match(p, /Final conclusion/);
  assert.ok(p.endsWith('(The micro-expression is one of the following five emotions: happiness, sadness, fear, surprise or disgust.)'));
  const zh = benchPrompt({ input: 'frames', task: 'mer', lang: 'zh', classes: protocolClasses('casme3a') });
  assert.ok(zh.endsWith('(微表情归类为以下六种情绪之一：开心、悲伤、害怕、惊讶、厌恶或生气。)'));
});
