// `mellm export --format llamafactory` on a synthetic CASME II-style dataset made of real-face warps:
// JSON schema, image paths, MER/MEU ratio, no subject in two splits, every MEU answer parsed back to the
// clip's annotated AUs and emotion (zh and en), failures reported and left out, DFME-style named splits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { EXPRESSIONS, fixtureLandmarks, loadFixtureFace } from '../fixtures/reasoning/face';
import { warpFace } from '../support/warp';
import { tmpDir, writeCsv, writeXlsx, type Cell } from '../dataset/helpers';
import { loadImage } from '../../src/core/image';
import { parseAnswer } from '../../src/core/reasoning/parse';
import { AUTHORS_PROMPT, resolvePrompt } from '../../src/core/reasoning/prompts';
import { parseAus } from '../../src/core/dataset/normalise';
import { assignSubjects, parseSplitSpec, type ShareGptSample } from '../../src/core/export/llamafactory';
import { readAuthorsExcerpt } from '../support/authorsExcerpt';

const CLI = path.join(__dirname, '..', '..', 'dist', 'cli.js');

interface ClipSpec {
  subject: number;
  clip: string;
  expr: keyof typeof EXPRESSIONS | 'blank';
  aus: string;
  emotion: string;
}

const CLIPS: ClipSpec[] = [
  { subject: 1, clip: 'EP01_01', expr: 'happiness', aus: '6+12', emotion: 'happiness' },
  { subject: 1, clip: 'EP02_01', expr: 'surprise', aus: '1+2', emotion: 'surprise' },
  { subject: 2, clip: 'EP01_02', expr: 'happiness', aus: 'AU6+R12B', emotion: 'happiness' },
  { subject: 3, clip: 'EP03_01', expr: 'surprise', aus: 'L1+R2+26', emotion: 'surprise' },
  { subject: 4, clip: 'EP04_01', expr: 'happiness', aus: '12', emotion: 'happiness' },
  { subject: 5, clip: 'EP05_01', expr: 'surprise', aus: '1+2', emotion: 'fear' },
  // No face on the onset frame: reported, left out.
  { subject: 6, clip: 'EP06_01', expr: 'blank', aus: '4', emotion: 'disgust' },
];

async function writeGrey(file: string, img: { width: number; height: number; data: Uint8Array }): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await sharp(Buffer.from(img.data), { raw: { width: img.width, height: img.height, channels: 1 } }).toFile(file);
}

let dataset: string | undefined;
async function buildCasme2(): Promise<string> {
  if (dataset) return dataset;
  const root = tmpDir('export');
  const { onset } = await loadFixtureFace();
  const points = fixtureLandmarks().points;
  for (const c of CLIPS) {
    const dir = path.join(root, 'CASME2-RAW', `sub${String(c.subject).padStart(2, '0')}`, c.clip);
    if (c.expr === 'blank') {
      const flat = { ...onset, data: new Uint8Array(onset.data.length).fill(120) };
      await writeGrey(path.join(dir, 'img1.jpg'), flat);
      await writeGrey(path.join(dir, 'img2.jpg'), flat);
      continue;
    }
    const { apex } = warpFace(onset, points, EXPRESSIONS[c.expr] as Parameters<typeof warpFace>[2]);
    await writeGrey(path.join(dir, 'img1.png'), onset);
    await writeGrey(path.join(dir, 'img2.png'), apex);
  }
  const rows: Cell[][] = [['Subject', 'Filename', 'OnsetFrame', 'ApexFrame', 'OffsetFrame', 'Action Units', 'Estimated Emotion']];
  for (const c of CLIPS) rows.push([c.subject, c.clip, 1, 2, 2, c.aus, c.emotion]);
  await writeXlsx(path.join(root, 'CASME2-coding-20140508.xlsx'), [{ name: 'Sheet1', rows }]);
  dataset = root;
  return root;
}

function runExport(args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'export', ...args], { encoding: 'utf8', timeout: 240_000 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function readSamples(out: string, file: string): ShareGptSample[] {
  return JSON.parse(fs.readFileSync(path.join(out, file), 'utf8')) as ShareGptSample[];
}

for (const lang of ['zh', 'en'] as const) {
  test(`export (${lang}): schema, images, MER ratio, subject splits, answers parse back to the annotation`, async () => {
    const root = await buildCasme2();
    const out = tmpDir(`export-out-${lang}`);
    // zh: the default for a clip without a face (preprocess.py's grey onset); en: --no-face skip leaves it out.
    const skip = lang === 'en';
    const r = runExport([root, '--format', 'llamafactory', '--out', out, '--lang', lang, '--mer-ratio', '0.5', '--split', 'train=0.6,test=0.4', '--jobs', '2', ...(skip ? ['--no-face', 'skip'] : [])]);
    const report = JSON.parse(fs.readFileSync(path.join(out, 'export-report.json'), 'utf8')) as {
      splits: Record<string, { file: string; meu: number; mer: number; subjects: string[] }>;
      failures: { clip: string }[];
      noFace: string[];
      prompt: { preset: string; meuSha256: string; merSha256: string; meuBytes: number };
    };
    if (skip) {
      assert.equal(r.status, 3, `one clip is left out (no face), the rest is exported: exit 3 (some failed)\n${r.stderr}`);
      assert.match(r.stdout, /failed: casme2\/sub06\/EP06_01: no face found on the onset frame .*img1\.jpg/);
      assert.deepEqual(report.failures.map((f) => f.clip), ['casme2/sub06/EP06_01']);
      assert.deepEqual(report.noFace, []);
    } else {
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(report.failures, []);
      assert.deepEqual(report.noFace, ['casme2/sub06/EP06_01']);
    }
    // --lang zh: main.py's prompt (preset authors); --lang en without --prompt: the English rendering.
    const meuPrompt = resolvePrompt({ preset: lang === 'zh' ? 'authors' : 'en', task: 'meu' });
    assert.equal(report.prompt.preset, lang === 'zh' ? 'authors' : 'en');
    assert.equal(report.prompt.meuSha256, meuPrompt.sha256);
    const merPrompt = resolvePrompt({ preset: lang === 'zh' ? 'authors' : 'en', task: 'mer' });
    assert.equal(report.prompt.merSha256, merPrompt.sha256);
    if (lang === 'zh') {
      // Against the committed excerpt of main.py itself: the MEU user turn is its literal ("<image>" + text);
      // the MER text begins with its first nine lines (the prior knowledge and the eight-line colour table).
      const { literal } = readAuthorsExcerpt();
      assert.equal(meuPrompt.text, AUTHORS_PROMPT);
      assert.equal(`<image>${meuPrompt.text}`, literal);
      assert.ok(`<image>${merPrompt.text}`.startsWith(literal.split('\n').slice(0, 9).join('\n') + '\n'));
      assert.match(merPrompt.text, /只回答一个情绪类别词[^\n]*\n\(微表情归类为以下七种情绪之一：[^\n]+。\)$/);
    }
    const info = JSON.parse(fs.readFileSync(path.join(out, 'dataset_info.json'), 'utf8')) as Record<string, { file_name: string; formatting: string; columns: Record<string, string> }>;
    const splitNames = Object.keys(report.splits).sort();
    assert.deepEqual(splitNames, ['test', 'train']);

    const seenSubjects = new Map<string, string>();
    let meuTotal = 0;
    for (const name of splitNames) {
      const s = report.splits[name];
      const entry = info[`mellm_${name}`];
      assert.deepEqual(entry.columns, { messages: 'messages', images: 'images' });
      assert.equal(entry.formatting, 'sharegpt');
      assert.equal(entry.file_name, s.file);
      const samples = readSamples(out, s.file);
      const meu = samples.filter((x) => x.meta.task === 'meu');
      const mer = samples.filter((x) => x.meta.task === 'mer');
      assert.equal(meu.length, s.meu);
      assert.equal(mer.length, Math.round(meu.length * 0.5), 'MER samples at the given ratio');
      meuTotal += meu.length;
      for (const x of samples) {
        assert.equal(x.messages.length, 2);
        assert.equal(x.messages[0].role, 'user');
        assert.ok(x.messages[0].content.startsWith('<image>'));
        assert.equal(x.messages[1].role, 'assistant');
        assert.equal(x.images.length, 1);
        assert.ok(fs.existsSync(path.join(out, x.images[0])), `image ${x.images[0]} exists`);
        const prev = seenSubjects.get(x.meta.subject);
        assert.ok(prev === undefined || prev === name, `subject ${x.meta.subject} in ${prev} and ${name}`);
        seenSubjects.set(x.meta.subject, name);
      }
      for (const x of meu) {
        // The user turn is main.py's "<image>" + prompt, byte for byte, and the sample names it.
        assert.ok(Buffer.from(x.messages[0].content, 'utf8').equals(Buffer.from(`<image>${meuPrompt.text}`, 'utf8')));
        assert.equal(x.meta.prompt, meuPrompt.preset);
        assert.equal(x.meta.promptSha256, meuPrompt.sha256);
        if (x.meta.clip === 'casme2/sub06/EP06_01') {
          assert.equal(x.meta.image, 'grey-onset');
          assert.equal((await loadImage(path.join(out, x.images[0]))).channels, 1, 'the grey onset, 1 channel, as preprocess.py');
        } else assert.equal(x.meta.image, 'mmc');
        const parsed = parseAnswer(x.messages[1].content);
        assert.equal(parsed.status, 'parsed', x.messages[1].content);
        assert.equal(parsed.emotion, x.meta.emotion, `${x.meta.clip} emotion`);
        const want = parseAus(x.meta.aus).aus.map((a) => `${a.side === 'both' ? '' : a.side}${a.au}${a.intensity ?? ''}`).sort();
        const got = parsed.aus.map((a) => `${a.side ?? ''}${a.au}${a.intensity ?? ''}`).sort();
        assert.deepEqual(got, want, `${x.meta.clip} AUs\n${x.messages[1].content}`);
      }
      for (const x of mer) {
        // MER: main.py has no MER prompt; the sample carries the preset's MER text (for 'authors': main.py's
        // prior knowledge and colour table, byte for byte, then the word-only instruction and the class line).
        assert.ok(Buffer.from(x.messages[0].content, 'utf8').equals(Buffer.from(`<image>${merPrompt.text}`, 'utf8')));
        assert.equal(x.meta.prompt, merPrompt.preset);
        assert.equal(x.meta.promptSha256, merPrompt.sha256);
        const parsed = parseAnswer(x.messages[1].content);
        assert.equal(parsed.emotion, x.meta.emotion, 'MER answer is the emotion word');
      }
    }
    assert.equal(meuTotal, skip ? CLIPS.length - 1 : CLIPS.length);
    // Grounded: the smile clips describe lip-corner motion, in the answer's language.
    const smile = readSamples(out, report.splits[seenSubjects.get('sub01')!].file).find((x) => x.meta.clip === 'casme2/sub01/EP01_01' && x.meta.task === 'meu')!;
    assert.match(smile.messages[1].content, lang === 'zh' ? /嘴角（受试者(左|右)侧）：颜色：/ : /Lip corner \(subject's (left|right)\): colour: /);
  });
}

test('split helpers: shares, and subjects kept whole', () => {
  assert.deepEqual(parseSplitSpec('train=3,test=1'), [
    { name: 'train', fraction: 0.75 },
    { name: 'test', fraction: 0.25 },
  ]);
  assert.throws(() => parseSplitSpec('train=0'), /positive/);
  assert.throws(() => parseSplitSpec('train=1,train=2'), /twice/);
  const clips = Array.from({ length: 100 }, (_, i) => ({ subject: `s${i % 17}` }));
  const a = assignSubjects(clips, parseSplitSpec('train=0.8,test=0.2'));
  assert.equal(a.size, 17);
  const inTest = clips.filter((c) => a.get(c.subject) === 'test').length;
  assert.ok(inTest >= 12 && inTest <= 28, `test share ${inTest}/100`);
});

test('named splits (DFME TestA/TestB through a mapping file) are kept as their own files', async () => {
  const root = tmpDir('export-dfme');
  const { onset } = await loadFixtureFace();
  const points = fixtureLandmarks().points;
  const { apex } = warpFace(onset, points, EXPRESSIONS.happiness as Parameters<typeof warpFace>[2]);
  const rows: Cell[][] = [['subject', 'clip', 'onset', 'apex', 'aus', 'emotion', 'set']];
  const sets = ['train', 'train', 'TestA', 'TestB'];
  for (let i = 0; i < 4; i++) {
    const dir = path.join(root, 'frames', `s${i}`, `c${i}`);
    await writeGrey(path.join(dir, '1.png'), onset);
    await writeGrey(path.join(dir, '2.png'), apex);
    rows.push([`s${i}`, `c${i}`, 1, 2, '6+12', 'happiness', sets[i]]);
  }
  writeCsv(path.join(root, 'labels.csv'), rows);
  fs.writeFileSync(
    path.join(root, 'mellm-dataset.json'),
    JSON.stringify({
      name: 'dfme',
      annotations: 'labels.csv',
      columns: { subject: 'subject', clip: 'clip', onset: 'onset', apex: 'apex', aus: 'aus', emotion: 'emotion', split: 'set' },
      frames: 'frames/{subject}/{clip}/{frame}.png',
    }),
  );
  const out = tmpDir('export-dfme-out');
  const r = runExport([root, '--format', 'llamafactory', '--out', out, '--lang', 'en']);
  assert.equal(r.status, 0, r.stderr + r.stdout);
  const info = JSON.parse(fs.readFileSync(path.join(out, 'dataset_info.json'), 'utf8')) as Record<string, unknown>;
  assert.deepEqual(Object.keys(info).sort(), ['mellm_testa', 'mellm_testb', 'mellm_train']);
  assert.equal(readSamples(out, 'mellm_testa.json').length, 1);
  assert.equal(readSamples(out, 'mellm_train.json').length, 2);
});

test('export usage errors name the option', () => {
  const r = runExport(['/nonexistent', '--format', 'csv', '--out', '/tmp/x']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--format must be llamafactory/);
  const r2 = runExport(['/nonexistent', '--format', 'llamafactory', '--out', '/tmp/x', '--mer-ratio', '2']);
  assert.match(r2.stderr, /--mer-ratio must be a number from 0 to 1/);
  const r3 = runExport(['/nonexistent-dataset-dir', '--format', 'llamafactory', '--out', tmpDir('x')]);
  assert.equal(r3.status, 1);
  assert.match(r3.stderr, /nonexistent-dataset-dir/);
});
