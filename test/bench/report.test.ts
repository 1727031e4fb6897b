// The benchmark report: Markdown content, HTML escaping, and the HTML page rendered in real headless
// Chromium — the figures are drawn (screenshot pixels checked), heat-map colours follow the values,
// nothing is fetched, no script runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { chromium } from 'playwright-core';
import { evaluateRun } from '../../src/core/bench/evaluate';
import { esc, heatColour, renderHtml, renderMarkdown, writeReport } from '../../src/core/bench/report';
import { RESULTS_FILE, RUN_FORMAT, type ResultRecord, type RunConfig } from '../../src/core/bench/runDir';
import { CHROMIUM, chromiumSkip } from '../support/chromium';

const CLASSES = ['happiness', 'sadness', 'fear', 'surprise', 'disgust'];
const EVIL = '<script>document.title="pwned"</script><img src=x onerror="document.title=1">';

/** A run directory written by hand: happiness always right, sadness half right, fear never predicted, disgust without samples. */
function makeRun(root: string, name: string, model: string): string {
  const dir = path.join(root, name);
  fs.mkdirSync(dir, { recursive: true });
  const config: RunConfig = {
    format: RUN_FORMAT,
    extensionVersion: '0.1.0',
    dataset: '/data/CASME2 & co',
    protocol: 'casme2',
    classes: CLASSES,
    task: 'meu',
    input: 'mmc',
    lang: 'zh',
    promptSha256: 'a'.repeat(64),
    source: { kind: 'server', model, endpoints: ['http://gpu1:8000'] },
    clips: 12,
    createdAt: '2026-01-01T00:00:00.000Z',
  };
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
  const rec = (clip: string, truth: string, predicted: string | null, status: 'ok' | 'failed' = 'ok'): ResultRecord => ({
    clip,
    truth,
    status,
    predicted,
    attempts: 1,
    ms: 200,
    at: '2026-01-01T00:00:00.000Z',
    truthAus: ['AU12'],
    aus: predicted === 'happiness' ? ['AU12'] : [],
    ...(status === 'ok' ? { answer: EVIL } : {}),
  });
  const lines = [
    ...[0, 1, 2, 3].map((i) => rec(`h${i}`, 'happiness', 'happiness')),
    rec('s0', 'sadness', 'sadness'),
    rec('s1', 'sadness', 'sadness'),
    rec('s2', 'sadness', null),
    rec('s3', 'sadness', 'contempt'),
    rec('f0', 'fear', 'sadness'),
    rec('f1', 'fear', null, 'failed'),
    rec('u0', 'surprise', 'surprise'),
    rec('u1', 'surprise', 'happiness'),
  ];
  fs.writeFileSync(path.join(dir, RESULTS_FILE), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  return dir;
}

test('esc covers the five HTML specials', () => {
  assert.equal(esc(`<a href="x" title='y'>&</a>`), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
});

test('heat colours get darker with the value', () => {
  const lum = (hex: string): number => {
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
    return 0.299 * r + 0.587 * g + 0.114 * b;
  };
  const ls = [0, 0.25, 0.5, 0.75, 1].map((v) => lum(heatColour(v)));
  for (let i = 1; i < ls.length; i++) assert.ok(ls[i] < ls[i - 1]);
});

test('Markdown and HTML carry our figures beside the paper rows, notes, and escape user text', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mellm-report-'));
  try {
    const e = evaluateRun(makeRun(root, 'run|a', `qwen${EVIL}`));
    // 12 clips; correct: 4 + 2 + 0 + 1 = 7
    assert.equal(e.metrics.n, 12);
    assert.equal(e.metrics.acc, 7 / 12);
    const md = renderMarkdown([e], 'T');
    assert.match(md, /MELLM \(paper Table II, CASME II\) \| 0\.4849 \| 0\.5337 \| 0\.6434/);
    assert.match(md, /run\\\|a/);
    assert.match(md, /Class 'disgust' has no ground-truth samples/);
    assert.ok(!md.includes('<script>'));
    const html = renderHtml([e], 'T');
    assert.ok(!/<script/i.test(html));
    assert.ok(!/<img/i.test(html));
    assert.ok(html.includes('&lt;script&gt;'));
    assert.ok(!/https?:\/\/(?!gpu1)/.test(html.replace(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g, '')), 'no external URL besides the endpoint text');
    assert.ok(!html.includes(EVIL.slice(0, 20)));
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('the HTML report renders its figures in headless Chromium', { skip: chromiumSkip() }, async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mellm-report-'));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const runs = [evaluateRun(makeRun(root, 'mellm', `mellm${EVIL}`)), evaluateRun(makeRun(root, 'baseline', 'qwen2.5-vl-7b'))];
    const { html } = await writeReport(path.join(root, 'report'), runs, 'T');
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    const consoleErrors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    await page.goto(`file://${html}`);
    assert.deepEqual(requests, [`file://${html}`], 'the page loads nothing else');
    assert.equal(await page.title(), 'MELLM benchmark: mellm, baseline');
    assert.equal(await page.locator('script').count(), 0);
    assert.equal(await page.locator('img').count(), 0);
    assert.ok((await page.locator('body').innerText()).includes('<script>document.title="pwned"</script>'), 'model name shown as text');
    assert.deepEqual(consoleErrors, []);

    // The confusion matrix of the first run: screenshot its box, expect many non-white pixels.
    const svg = page.locator('svg.confusion[data-run="0"]');
    const box = await svg.boundingBox();
    assert.ok(box && box.width > 200 && box.height > 150, `confusion box ${JSON.stringify(box)}`);
    const shot = await page.screenshot({ fullPage: true });
    const { data, info } = await sharp(shot).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const px = (x: number, y: number): [number, number, number] => {
      const i = (Math.round(y) * info.width + Math.round(x)) * 3;
      return [data[i], data[i + 1], data[i + 2]];
    };
    const scroll = await page.evaluate(() => window.scrollY);
    assert.equal(scroll, 0);
    let painted = 0; // anything but the white page
    let dark = 0; // saturated cells and text
    let total = 0;
    for (let y = box.y; y < box.y + box.height; y += 2) {
      for (let x = box.x; x < box.x + box.width; x += 2) {
        const [r, g, b] = px(x, y);
        total += 1;
        if (r + g + b < 3 * 254) painted += 1;
        if (r + g + b < 3 * 200) dark += 1;
      }
    }
    assert.ok(painted / total > 0.4, `confusion matrix mostly blank: ${painted}/${total} painted`);
    assert.ok(dark / total > 0.05, `confusion matrix has almost no dark pixels: ${dark}/${total}`);

    // Cell colours in the screenshot follow the row share: happiness->happiness (4/4) darkest, a zero cell lightest.
    const cellColour = async (row: number, col: number): Promise<[number, number, number]> => {
      const b = await page.locator(`svg.confusion[data-run="0"] rect.cell[data-row="${row}"][data-col="${col}"]`).boundingBox();
      assert.ok(b);
      return px(b.x + 4, b.y + 4); // a corner, away from the count text
    };
    const lum = ([r, g, b]: [number, number, number]): number => 0.299 * r + 0.587 * g + 0.114 * b;
    const full = await cellColour(0, 0); // 4 of 4
    const half = await cellColour(1, 1); // 2 of 4
    const quarter = await cellColour(1, 6); // sadness -> (unparsed): 1 of 4
    const zero = await cellColour(0, 1); // 0 of 4
    assert.ok(lum(full) < lum(half) && lum(half) < lum(quarter) && lum(quarter) < lum(zero), `luminance order ${[full, half, quarter, zero].map(lum).join(' ')}`);
    assert.ok(lum(zero) > 230 && lum(full) < 90);

    // Per-class bars on a 180 px axis: happiness F1 = 8/9 (one surprise clip predicted happiness), sadness
    // recall = 1/2, fear F1 = 0 (never right) has no height.
    const f1Happy = await page.locator('svg.class-bars[data-run="0"] rect.bar[data-metric="f1"][data-class="happiness"]').boundingBox();
    const f1Fear = await page.locator('svg.class-bars[data-run="0"] rect.bar[data-metric="f1"][data-class="fear"]').boundingBox();
    const recallSad = await page.locator('svg.class-bars[data-run="0"] rect.bar[data-metric="recall"][data-class="sadness"]').boundingBox();
    assert.ok(f1Happy && f1Fear && recallSad);
    assert.ok(Math.abs(recallSad.height - 90) < 1, `recall 0.5 bar ${recallSad.height}`);
    assert.ok(Math.abs(f1Happy.height - (8 / 9) * 180) < 1, `F1 8/9 bar ${f1Happy.height}`);
    assert.equal(f1Fear.height, 0);
    const [r, g, b] = px(f1Happy.x + f1Happy.width / 2, f1Happy.y + f1Happy.height / 2);
    assert.ok(Math.abs(r - 0x59) < 12 && Math.abs(g - 0xa1) < 12 && Math.abs(b - 0x4f) < 12, `F1 bar colour ${r},${g},${b}`);
    // The comparison chart shows both runs and the four paper rows.
    assert.equal(await page.locator('svg.comparison rect.cmp-bar[data-metric="uf1"]').count(), 6);
    await page.close();
  } finally {
    await browser.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
});
