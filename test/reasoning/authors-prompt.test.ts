// The 'authors' prompt preset against main.py of the authors' repo: the committed excerpt
// (test/fixtures/prompts/authors-main.py.excerpt, naming its commit) is read as Python source, its prompt
// literal decoded, and compared byte for byte; the chat template's system prompt and the generation settings
// come from the same lines. Where the repo's mirror is at hand the excerpt is checked against it too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import {
  AUTHORS_PROMPT,
  AUTHORS_PROMPT_SHA256,
  AUTHORS_SOURCE,
  AUTHORS_SYSTEM_PROMPT,
  FGMU_PROMPT_ZH,
  PROMPT_PRESETS,
  buildPrompt,
  legacyPreset,
  presetLang,
  promptFromSettings,
  resolvePrompt,
} from '../../src/core/reasoning/prompts';
import { DEFAULT_MAX_TOKENS, SAMPLING_TEMPERATURE, resolveSampling } from '../../src/core/reasoning/sampling';
import { readAuthorsExcerpt } from '../support/authorsExcerpt';

const MIRROR = process.env.MELLM_AUTHORS_MIRROR ?? '/work/.mirror/zyzhangUstc+mellmv1-base-on-Qwen2.5vl-7B-/repo';

const { lines, code, literal } = readAuthorsExcerpt();

test('the excerpt names the source commit, and equals main.py there (when the mirror is at hand)', { skip: existsSync(MIRROR) ? false : `no mirror at ${MIRROR}` }, () => {
  assert.ok(lines[0].includes(AUTHORS_SOURCE.commit), lines[0]);
  assert.ok(lines[0].includes('zyzhangUstc/mellmv1-base-on-Qwen2.5vl-7B-'));
  const main = execFileSync('git', ['-C', MIRROR, 'show', `${AUTHORS_SOURCE.commit}:main.py`], { encoding: 'utf8' }).split('\n');
  // Lines 41, 51 and 65-70 (1-based), as the header says.
  assert.deepEqual(code.slice(0, 8), [main[40], main[50], ...main.slice(64, 70)]);
});

test("the 'authors' preset is main.py's prompt byte for byte: after <image>, no class line, no trailing spaces", () => {
  assert.ok(lines[0].includes(AUTHORS_SOURCE.commit), 'the excerpt names the commit the constant was taken from');
  assert.ok(literal.startsWith('<image>'), 'main.py puts the image placeholder first');
  const text = literal.slice('<image>'.length);
  assert.ok(Buffer.from(AUTHORS_PROMPT, 'utf8').equals(Buffer.from(text, 'utf8')));
  const p = resolvePrompt();
  assert.equal(p.preset, 'authors');
  assert.equal(p.text, text);
  assert.equal(p.sha256, AUTHORS_PROMPT_SHA256);
  assert.equal(p.bytes, 1010);
  // What the issue found different from the paper's figure: eight table lines, no final 。, no class line.
  const t = text.split('\n');
  assert.equal(t.length, 13);
  assert.deepEqual(t.slice(1, 9), ['向上：紫色', '右上：品红色，粉红色', '向右：红色', '右下：橙黄色', '向下：黄绿色', '左下：绿色', '向左：青色', '左上：蓝色']);
  assert.ok(t.every((l) => l === l.trimEnd()));
  assert.doesNotMatch(text, /微表情归类为/);
});

test('the chat template and the generation settings are main.py\'s', () => {
  const tpl = code.find((l) => l.trim().startsWith('text = f'))!;
  // text = f'<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n{prompt.replace("<image>", ...)}...'
  const system = /<\|im_start\|>system\\n(.*?)<\|im_end\|>/.exec(tpl)?.[1];
  assert.equal(system, AUTHORS_SYSTEM_PROMPT);
  assert.match(tpl, /<\|im_start\|>user\\n\{prompt\.replace\("<image>", "<\|vision_start\|><\|image_pad\|><\|vision_end\|>"\)\}/);
  const gen = code.join('\n');
  assert.equal(Number(/max_new_tokens=(\d+)/.exec(gen)?.[1]), DEFAULT_MAX_TOKENS);
  assert.equal(Number(/temperature=([\d.]+)/.exec(gen)?.[1]), SAMPLING_TEMPERATURE.authors);
  assert.match(gen, /do_sample=True/);
  assert.deepEqual(resolveSampling(), { preset: 'authors', temperature: 0.7, maxTokens: 2048 });
  assert.deepEqual(resolveSampling({ preset: 'deterministic' }), { preset: 'deterministic', temperature: 0, maxTokens: 2048 });
  assert.deepEqual(resolveSampling({ preset: 'deterministic', temperature: 0.3 }), { preset: 'custom', temperature: 0.3, maxTokens: 2048 });
});

test('the other presets: the paper figure, its dataset-constrained variants, English; every one named and hashed', () => {
  assert.equal(resolvePrompt({ preset: 'paper' }).text, FGMU_PROMPT_ZH);
  assert.equal(resolvePrompt({ preset: 'paper-casme2' }).text, buildPrompt({ lang: 'zh', protocol: 'casme2' }));
  assert.equal(resolvePrompt({ preset: 'en-dfme' }).text, buildPrompt({ lang: 'en', protocol: 'dfme' }));
  // Each preset is its own text, except that DFME's seven classes are the figure's seven.
  const shas = new Set(PROMPT_PRESETS.map((p) => resolvePrompt({ preset: p }).sha256));
  assert.equal(shas.size, PROMPT_PRESETS.length - 2);
  assert.equal(resolvePrompt({ preset: 'paper-dfme' }).text, resolvePrompt({ preset: 'paper' }).text);
  assert.equal(presetLang('en-casme3a'), 'en');
  assert.equal(presetLang('authors'), 'zh');
  // The settings migration: what --lang / mellm.language chose before presets.
  assert.equal(legacyPreset('en'), 'en');
  assert.equal(legacyPreset('zh', 'casme2'), 'paper-casme2');
  assert.equal(promptFromSettings({}), 'authors');
  assert.equal(promptFromSettings({ language: 'en' }), 'en', 'a user who chose English before mellm.prompt keeps the English prompt');
  assert.equal(promptFromSettings({ language: 'zh' }), 'authors');
  assert.equal(promptFromSettings({ prompt: 'paper', language: 'en' }), 'paper', 'an explicit mellm.prompt wins');
  assert.equal(promptFromSettings({ prompt: 'bogus' }), 'authors');
  // MER: main.py has none; the authors' prior knowledge, then the word-only instruction and the class line.
  const mer = resolvePrompt({ preset: 'authors', task: 'mer', classes: ['happiness', 'disgust'] });
  assert.ok(mer.text.startsWith(AUTHORS_PROMPT.split('\n').slice(0, 9).join('\n') + '\n'));
  assert.ok(mer.text.endsWith('(微表情归类为以下两种情绪之一：开心或厌恶。)'));
  assert.throws(() => resolvePrompt({ preset: 'nonsense' as never }), /unknown prompt preset 'nonsense'/);
});
