// The panel's review features in headless Chromium, host simulated (see harness.ts): toolbar layout and
// codicons, claims and AU chips beyond the text, zoom controls and the value under the cursor, the head
// arrow's screen size, panel reuse without reload, the scrubber, the region table and display gain,
// ground truth and the agreement line, the nose window, lane actions, a later language change, and
// axe-core in dark, light and high-contrast themes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { openPanel, ROOT, type PanelPage } from './harness';
import { LIP_REGION, TEST_FRAMES, TEST_MOTION, testClip, testFlow } from './fixtures';
import { THEMES } from './themes';
import { chromiumSkip } from '../support/chromium';
import { PROTOCOL_VERSION, type AnalysisResult, type HostMessage } from '../../src/shared/protocol';

const skip = chromiumSkip() || (!existsSync(join(ROOT, 'dist/webview.js')) ? 'dist/webview.js missing: run node esbuild.js' : false);
const CLIP = 'sub01/EP02_01f';
const init = (over: Record<string, unknown> = {}): HostMessage => ({
  type: 'init',
  version: PROTOCOL_VERSION,
  settings: { lang: 'en', uiLang: 'en', trusted: true, defaultSource: { kind: 'builtin' }, endpoints: ['http://gpu1:8000'], model: 'mellm', ...over },
});

const ANSWER = '## Visual inspection\n\n- Lip corners: purple patches, moving up.\n- Inner brows: blue, moving up-left (AU1).\n\n## Final conclusion\n\nAU1 + AU12, happiness.';
const span = (s: string) => [ANSWER.indexOf(s), ANSWER.indexOf(s) + s.length] as const;
const [s1, e1] = span('purple patches, moving up');
const [s2, e2] = span('blue, moving up-left (AU1)');
const RESULT: AnalysisResult = {
  aus: [{ au: 1 }, { au: 12 }],
  emotion: 'happiness',
  claims: [
    { start: s1, end: e1, status: 'supported', region: 'lipCornerL', regions: ['lipCornerL'], why: { kind: 'direction-match', claimed: ['up'], measured: [{ region: 'lipCornerL', direction: 'up', intensity: 'strong', px: 3 }] } },
    { start: s2, end: e2, status: 'contradicted', region: 'innerBrowL', regions: ['innerBrowL'], why: { kind: 'moves-but-still', claimed: ['up-left'], measured: [{ region: 'innerBrowL', direction: 'right', intensity: 'none', px: 0.05 }] } },
  ],
  auRegions: { '1': ['innerBrowL'], '12': ['lipCornerL'] },
  auChecks: [
    { au: 1, verdict: 'contradicted', why: 'regions-still', measured: [{ region: 'innerBrowL', direction: 'right', intensity: 'none', px: 0.05 }] },
    { au: 12, verdict: 'supported', why: 'inferred', measured: [{ region: 'lipCornerL', direction: 'up', intensity: 'strong', px: 3 }] },
  ],
};

function answer(lane: 'a' | 'b', kind: 'builtin' | 'server', result: AnalysisResult = RESULT, text = ANSWER): HostMessage[] {
  return [
    { type: 'streamStart', clipId: CLIP, lane, label: kind === 'builtin' ? 'Built-in FACS reasoner' : 'MELLM @ http://gpu1:8000', kind },
    { type: 'streamDelta', clipId: CLIP, lane, text },
    { type: 'streamDone', clipId: CLIP, lane, stop: 'stop', incomplete: false, totalMs: kind === 'builtin' ? 2 : 4200 },
    { type: 'analysis', clipId: CLIP, lane, result },
  ];
}

let p: PanelPage;
before(async () => {
  if (skip) return;
  p = await openPanel({ width: 1600, height: 900 });
  await p.send(init(), { type: 'clip', clip: await testClip({ motion: TEST_MOTION, frames: TEST_FRAMES, noseWindow: 11 }) }, { type: 'flow', clipId: CLIP, flow: testFlow() });
  await p.page.waitForFunction(() => (document.querySelector('.layer img.base') as HTMLImageElement | null)?.complete === true);
});
after(async () => {
  await p?.close();
});

const posted = async (type: string) => (await p.posted()).filter((m) => m.type === type);

test('toolbar: one row at 1600 px with codicons from the bundled font; icons only but every control named at 900 px', { skip }, async () => {
  const tops = await p.page.locator('.toolbar > *:not(.tb-sep):not(.tb-spacer)').evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().top + e.getBoundingClientRect().height / 2)));
  assert.equal(new Set(tops).size, 1, `one row: centres ${[...new Set(tops)]}`);
  const fontOk = await p.page.evaluate(async () => {
    await document.fonts.ready;
    return document.fonts.check('16px codicon');
  });
  assert.ok(fontOk, 'the codicon font loaded under the CSP');
  const glyph = await p.page.locator('button[data-action="prev"] .codicon').evaluate((e) => getComputedStyle(e, '::before').content);
  assert.notEqual(glyph, 'none');
  assert.equal(await p.page.locator('.toolbar').innerText().then((t) => /[◀▶⚙]/.test(t)), false, 'no ◀ ▶ ⚙ characters');
  await p.page.setViewportSize({ width: 900, height: 900 });
  try {
    const height = await p.page.locator('.toolbar').evaluate((e) => e.getBoundingClientRect().height);
    assert.ok(height < 45, `still one row at 900 px (icons only): ${height}`);
    const unnamed = await p.page.locator('.toolbar button').evaluateAll((bs) => bs.filter((b) => !(b.getAttribute('aria-label') || b.textContent?.trim())).length);
    assert.equal(unnamed, 0);
    assert.equal(await p.page.locator('button[data-action="compare"] .tb-label').isVisible(), false, 'labels collapse');
  } finally {
    await p.page.setViewportSize({ width: 1600, height: 900 });
  }
});

test('claims: hover lights the region, the reason is in words with region names; a contradicted AU chip is marked', { skip }, async () => {
  await p.send(...answer('a', 'server'));
  const lane = p.page.locator('.lane[data-lane="a"]');
  await lane.locator('mark.claim-contradicted').waitFor();
  await lane.locator('mark.claim-contradicted').hover();
  await p.page.locator('.marks .highlight polygon[data-region="innerBrowL"]').waitFor();
  const detail = await lane.locator('.claim-detail').innerText();
  assert.match(detail, /Contradicted/);
  assert.match(detail, /Inner brow \(subject's left\)/);
  const words = await lane.locator('.lane-foot').innerText();
  assert.doesNotMatch(words, /\b[a-z]+[A-Z][a-z]*[LR]\b/, 'no internal region ids');
  assert.match(await lane.locator('.claim-list').innerText(), /Says it moves, but no motion is measured in Inner brow/);
  const chip = lane.locator('.chip[data-au="1"]');
  assert.equal(await chip.getAttribute('data-verdict'), 'contradicted');
  assert.equal(await chip.locator('.chip-text').evaluate((e) => getComputedStyle(e).textDecorationLine), 'line-through');
  assert.match((await chip.getAttribute('aria-label')) ?? '', /contradicted: None of its regions moves: Inner brow/);
  const normal = lane.locator('.chip[data-au="12"]');
  assert.equal(await normal.getAttribute('data-verdict'), 'supported');
  assert.notEqual(await normal.evaluate((e) => getComputedStyle(e).backgroundColor), await chip.evaluate((e) => getComputedStyle(e).backgroundColor));
  // Keyboard: focusing the chip lights its regions too.
  await chip.focus();
  await p.page.locator('.marks .highlight polygon[data-region="innerBrowL"]').waitFor();
  await p.page.mouse.move(2, 2);
  await chip.blur();
});

test('the built-in answer: no "streaming" label, restated claims neutral (not green), answer time in theme colours', { skip }, async () => {
  const measured: AnalysisResult = { ...RESULT, claims: RESULT.claims.map((c) => ({ ...c, status: 'measured' as const })), auChecks: RESULT.auChecks!.map((a) => ({ ...a, verdict: 'measured' as const, why: 'builtin' as const })) };
  await p.send({ type: 'streamStart', clipId: CLIP, lane: 'a', label: 'Built-in FACS reasoner', kind: 'builtin' });
  const status = p.page.locator('.lane[data-lane="a"] .lane-status');
  assert.doesNotMatch(await status.innerText(), /streaming/);
  await p.send(...answer('a', 'builtin', measured).slice(1));
  await p.page.locator('.lane[data-lane="a"] mark.claim-measured').first().waitFor();
  assert.equal(await p.page.locator('.lane[data-lane="a"] mark.claim-supported').count(), 0);
  const bg = await p.page.locator('.lane[data-lane="a"] mark.claim-measured').first().evaluate((e) => getComputedStyle(e).backgroundColor);
  assert.equal(bg, 'rgba(0, 0, 0, 0)', 'no coloured background for restated motion');
  assert.match(await status.innerText(), /answered in 2 ms/);
  assert.equal(await status.locator('.status-text').evaluate((e) => getComputedStyle(e).color), await p.page.locator('.lane-label').first().evaluate((e) => getComputedStyle(e).color), 'the time is in the description colour');
});

test('zoom: +, -, 1:1 and fit; the head arrow keeps its screen length; the value under the cursor comes from the flow', { skip }, async () => {
  const arrowLen = () => p.page.locator('.screen-marks .head line').evaluate((l) => Math.hypot(+l.getAttribute('x2')! - +l.getAttribute('x1')!, +l.getAttribute('y2')! - +l.getAttribute('y1')!));
  const zoomText = () => p.page.locator('.zoom-value').innerText();
  await p.page.locator('button[data-action="fit"]').click();
  const len0 = await arrowLen();
  await p.page.locator('button[data-action="zoom-1"]').click();
  assert.equal(await zoomText(), '100%');
  await p.page.locator('button[data-action="zoom-in"]').click();
  assert.equal(await zoomText(), '125%');
  await p.page.locator('button[data-action="zoom-in"]').click();
  await p.page.locator('button[data-action="zoom-in"]').click();
  assert.ok(Math.abs((await arrowLen()) - len0) < 0.01, 'the arrow does not grow with the zoom');
  await p.page.locator('button[data-action="zoom-out"]').click();
  assert.equal(await zoomText(), '156%');
  await p.page.locator('button[data-action="fit"]').click();
  // Point at a lip-corner pixel: flow (0.4, -3.2) minus the head (0.4, -0.2) = (0, -3): up.
  const box = (await p.page.locator('.layer').boundingBox())!;
  const z = box.width / 200;
  await p.page.mouse.move(box.x + 50.5 * z, box.y + 180.5 * z);
  const probe = await p.page.locator('.probe').innerText();
  assert.match(probe, /x 50, y 180/);
  // The flow travels as int16 in 1/64 px: 0.4 arrives as 0.40625.
  assert.match(probe, /u 0\.01, v -3\.00 px · 3\.00 px · up \(270°\)/);
  await p.page.mouse.move(box.x + 150.5 * z, box.y + 40.5 * z);
  assert.match(await p.page.locator('.probe').innerText(), /u 1\.10, v -0\.30 px/);
});

test('scrubber: the curve is drawn; a click sets the apex, Shift+click the onset; the keys do both', { skip }, async () => {
  const track = p.page.locator('.scrub-track');
  assert.ok((await track.locator('polyline.curve').getAttribute('points'))!.split(' ').length === 11);
  assert.match(await p.page.locator('.scrub-title').innerText(), /onset 1, apex 6 \(annotated\)/);
  const b = (await track.boundingBox())!;
  const xOf = (i: number) => b.x + (i / 10) * b.width;
  await p.page.mouse.click(xOf(7), b.y + b.height / 2); // frame 8
  let sets = await posted('setFrames');
  assert.deepEqual(sets.at(-1), { type: 'setFrames', clipId: CLIP, onset: 1, apex: 8 });
  assert.match(await p.page.locator('.scrub-status').innerText(), /Recomputing/);
  // The host answers with the new pair (no curve: the onset did not change, the scrubber keeps its curve).
  await p.send({ type: 'clip', clip: await testClip({ motion: TEST_MOTION, frames: { ...TEST_FRAMES, apex: 8, apexFrom: 'chosen', curve: undefined } }) });
  assert.equal(await track.locator('polyline.curve').count(), 1, 'the curve stays for another apex from the same onset');
  assert.equal(await p.page.locator('.scrub-status').innerText(), '');
  await p.page.keyboard.down('Shift');
  await p.page.mouse.click(xOf(2), b.y + b.height / 2); // frame 3
  await p.page.keyboard.up('Shift');
  sets = await posted('setFrames');
  assert.deepEqual(sets.at(-1), { type: 'setFrames', clipId: CLIP, onset: 3, apex: 8 });
  await p.send({ type: 'clip', clip: await testClip({ motion: TEST_MOTION, frames: { ...TEST_FRAMES, onset: 3, apex: 8, apexFrom: 'chosen' } }) });
  await track.focus();
  assert.equal(await track.getAttribute('aria-valuenow'), '8');
  await p.page.keyboard.press('ArrowRight');
  await p.page.keyboard.press('ArrowRight');
  assert.match((await track.getAttribute('aria-valuetext')) ?? '', /frame 10/);
  await p.page.keyboard.press('Enter');
  assert.deepEqual((await posted('setFrames')).at(-1), { type: 'setFrames', clipId: CLIP, onset: 3, apex: 10 });
  await p.send({ type: 'clip', clip: await testClip({ motion: TEST_MOTION, frames: { ...TEST_FRAMES, onset: 3, apex: 10, apexFrom: 'chosen' } }) });
  await track.focus();
  await p.page.keyboard.press('Home');
  await p.page.keyboard.press('o');
  assert.deepEqual((await posted('setFrames')).at(-1), { type: 'setFrames', clipId: CLIP, onset: 1, apex: 10 });
  // An onset after the apex is refused with a sentence, nothing is posted.
  const n = (await posted('setFrames')).length;
  await p.send({ type: 'clip', clip: await testClip({ motion: TEST_MOTION, frames: TEST_FRAMES }) });
  await track.focus();
  await p.page.keyboard.press('End');
  await p.page.keyboard.press('o');
  assert.equal((await posted('setFrames')).length, n);
  assert.match(await p.page.locator('.scrub-status').innerText(), /onset must come before the apex/);
  await p.send({ type: 'flow', clipId: CLIP, flow: testFlow() });
});

test('region table, magnitude scale and display gain (display only: nothing is posted)', { skip }, async () => {
  const rows = p.page.locator('.region-table tbody tr');
  await rows.first().waitFor();
  const names = await rows.locator('th').allInnerTexts();
  assert.ok(names.includes('Lip corner L'), names.join('|'));
  const lip = p.page.locator('.region-table tr[data-region="lipCornerL"]');
  assert.match(await lip.innerText(), /↑[\s\S]*3\.00\s+15\.0/);
  await lip.hover();
  await p.page.locator('.marks .highlight polygon[data-region="lipCornerL"]').waitFor();
  // Scale: the map's brightness is normalised to the fastest pixel, 3.00 px here.
  assert.match(await p.page.locator('.scale-ticks').innerText(), /3\.0 px/);
  const before = await p.posted();
  const overlaySrc = () => p.page.locator('.layer img.overlay').getAttribute('src');
  const original = await overlaySrc();
  await p.page.locator('#display-gain').fill('4');
  await p.page.waitForFunction((o) => document.querySelector('.layer img.overlay')?.getAttribute('src') !== o, original);
  // Brightness 0 is the slowest pixel (1.14 px: the still face minus the head) and x4 saturates at a quarter of the span.
  assert.match(await p.page.locator('.scale-ticks').innerText(), /^1\.1 px[\s\S]*≥ 1\.6 px$/, 'the top of the scale moves with the gain');
  await p.page.locator('#display-gain').fill('1');
  await p.page.waitForFunction((o) => document.querySelector('.layer img.overlay')?.getAttribute('src') === o, original);
  const after = await p.posted();
  assert.deepEqual(after.slice(before.length).filter((m) => m.type !== 'log'), [], 'the gain never goes to the host (the map MELLM gets is unchanged)');
});

test('ground truth outlined; the agreement line compares every lane present with the annotation', { skip }, async () => {
  // The fixture annotation is AU6 + AU12: their regions that the clip has are outlined.
  assert.deepEqual(await p.page.locator('.marks .truth polygon').evaluateAll((ps) => ps.map((x) => x.getAttribute('data-region'))), ['lipCornerL']);
  await p.send(...answer('a', 'builtin'));
  await p.page.locator('button[data-action="compare"]').click();
  const other: AnalysisResult = { ...RESULT, aus: [{ au: 4 }], emotion: 'disgust', auChecks: undefined, claims: [] };
  await p.send(...answer('b', 'server', other, 'Final conclusion: AU4, disgust.'));
  const line = p.page.locator('.agreement');
  await line.locator('.agree-lane[data-lane="b"]').waitFor();
  const txt = await line.evaluate((e) => (e.textContent ?? '').replace(/\s+/g, ' '));
  assert.match(txt, /Answer: Happiness · AU1\+AU12/);
  assert.match(txt, /emotion as annotated/);
  assert.match(txt, /Compared: Disgust · AU4/);
  assert.match(txt, /emotion differs/);
  assert.match(txt, /lanes differ on the emotion · AUs shared: 0 of 3/);
  assert.match(txt, /Annotation: Happiness · AU6\+AU12/);
});

test('panel reuse: another clip arrives without a reload; Compare stays open and runs, zoom stays', { skip }, async () => {
  await p.page.evaluate(() => ((window as unknown as { __marker: number }).__marker = 42));
  await p.page.locator('button[data-action="zoom-in"]').click();
  const zoom = await p.page.locator('.zoom-value').innerText();
  const n = (await posted('analyze')).length;
  await p.send({ type: 'clip', clip: await testClip({ clipId: 'sub01/EP03_02', title: 'sub01 / EP03_02', index: 3 }) });
  assert.equal(await p.page.evaluate(() => (window as unknown as { __marker?: number }).__marker), 42, 'same page');
  assert.equal(await p.page.locator('.lane[data-lane="b"]').isVisible(), true);
  assert.equal(await p.page.locator('button[data-action="compare"]').getAttribute('aria-pressed'), 'true');
  assert.equal(await p.page.locator('.zoom-value').innerText(), zoom);
  const analyses = (await posted('analyze')).slice(n);
  // Both Compare lanes (the other source and the region-text lane) analyse the new clip.
  assert.deepEqual(analyses.map((m) => [m.clipId, m.lane]), [['sub01/EP03_02', 'b'], ['sub01/EP03_02', 'c']]);
  assert.equal(await p.page.locator('.clip-title').innerText(), 'sub01 / EP03_02');
  await p.send({ type: 'clip', clip: await testClip({ motion: TEST_MOTION, frames: TEST_FRAMES }) }, { type: 'flow', clipId: CLIP, flow: testFlow() });
});

test('nose window: shown 11x11 at the nose, moved with the keys (preview), Enter asks the host to recompute', { skip }, async () => {
  const rect = p.page.locator('.marks .nose-window rect');
  assert.deepEqual(await rect.evaluate((r) => ['x', 'y', 'width', 'height'].map((k) => r.getAttribute(k))), ['95', '115', '11', '11']);
  const handle = p.page.locator('.nose-handle');
  assert.match((await handle.getAttribute('aria-label')) ?? '', /Nose point \(100, 120\)/);
  const original = await p.page.locator('.layer img.overlay').getAttribute('src');
  await handle.focus();
  await p.page.keyboard.press('ArrowRight');
  await p.page.keyboard.press('Shift+ArrowDown');
  assert.deepEqual(await rect.evaluate((r) => [r.getAttribute('x'), r.getAttribute('y')]), ['96', '120']);
  await p.page.waitForFunction((o) => document.querySelector('.layer img.overlay')?.getAttribute('src') !== o, original);
  await p.page.keyboard.press('Enter');
  assert.deepEqual((await posted('setNose')).at(-1), { type: 'setNose', clipId: CLIP, nose: { x: 101, y: 125 } });
  // Drag: the handle follows the pointer in image pixels.
  const hb = (await handle.boundingBox())!;
  await p.page.mouse.move(hb.x + hb.width / 2, hb.y + hb.height / 2);
  await p.page.mouse.down();
  const z = (await p.page.locator('.layer').boundingBox())!.width / 200;
  await p.page.mouse.move(hb.x + hb.width / 2 + 20 * z, hb.y + hb.height / 2, { steps: 3 });
  await p.page.mouse.up();
  const last = (await posted('setNose')).at(-1) as { nose: { x: number; y: number } };
  assert.ok(Math.abs(last.nose.x - 121) < 1.5 && Math.abs(last.nose.y - 125) < 1.5, JSON.stringify(last.nose));
  await p.send({ type: 'clip', clip: await testClip({ motion: TEST_MOTION, frames: TEST_FRAMES, noseFrom: 'user', nose: { x: 121, y: 125 } }) });
  assert.match(await p.page.locator('.info').innerText(), /Nose window moved by you to \(121, 125\)/);
  await handle.focus();
  await p.page.keyboard.press('Escape');
  assert.deepEqual((await posted('setNose')).at(-1), { type: 'setNose', clipId: CLIP, nose: null });
  await p.send({ type: 'clip', clip: await testClip({ motion: TEST_MOTION, frames: TEST_FRAMES }) }, { type: 'flow', clipId: CLIP, flow: testFlow() });
});

test('a failed lane shows the host actions as buttons; a click posts laneAction', { skip }, async () => {
  await p.send({
    type: 'streamError',
    clipId: CLIP,
    lane: 'b',
    message: 'http://gpu1:8000: connection refused',
    actions: [
      { id: 'retry', label: 'Retry' },
      { id: 'useBuiltin', label: 'Use built-in reasoner' },
      { id: 'openSettings', label: 'Open settings' },
    ],
  });
  const acts = p.page.locator('.lane[data-lane="b"] .lane-actions button');
  assert.deepEqual(await acts.allInnerTexts(), ['Retry', 'Use built-in reasoner', 'Open settings']);
  await acts.nth(1).click();
  assert.deepEqual((await posted('laneAction')).at(-1), { type: 'laneAction', clipId: CLIP, lane: 'b', action: 'useBuiltin' });
  await p.send({ type: 'panelCommand', command: 'compare' });
  assert.equal(await p.page.locator('.lane[data-lane="b"]').isVisible(), false, 'panelCommand compare toggles the lane');
});

test('a later language change re-words the panel and the legend without a reload', { skip }, async () => {
  const bundle = { 'Previous clip': '上一个片段', '{0}: {1}': '{0}：{1}', up: '向上', purple: '紫色', Agreement: '一致性' };
  await p.send(...answer('a', 'builtin'));
  await p.send(init({ uiLang: 'zh', l10n: bundle }));
  assert.equal(await p.page.locator('button[data-action="prev"]').getAttribute('aria-label'), '上一个片段');
  assert.match(await p.page.locator('.legend-list').innerText(), /向上：紫色/);
  assert.match(await p.page.locator('.region-table').innerText(), /嘴角（左）/, 'region names in the display language');
  assert.equal(await p.page.locator('html').getAttribute('lang'), 'zh');
  await p.send(init());
  assert.match(await p.page.locator('.legend-list').innerText(), /up: purple/);
  assert.equal(await p.page.locator('button[data-action="prev"]').getAttribute('aria-label'), 'Previous clip');
});

test('axe-core: no serious or critical violation in the dark, light and high-contrast themes', { skip }, async () => {
  const axe = readFileSync(join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');
  const counts: Record<string, Record<string, number>> = {};
  for (const theme of THEMES) {
    const q = await openPanel({ width: 1600, height: 900, themeCss: theme.css, bodyClass: theme.bodyClass });
    try {
      await q.send(init(), { type: 'clip', clip: await testClip({ motion: TEST_MOTION, frames: TEST_FRAMES }) }, { type: 'flow', clipId: CLIP, flow: testFlow() });
      await q.send(...answer('a', 'server'));
      await q.page.locator('button[data-action="compare"]').click();
      await q.send({ type: 'streamError', clipId: CLIP, lane: 'b', message: 'connection refused', actions: [{ id: 'retry', label: 'Retry' }] });
      await q.page.waitForTimeout(300);
      // axe runs in the page as a classic script (the CSP allows the test's evaluate, not a <script> tag).
      await q.page.evaluate(axe);
      const r = (await q.page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, n: v.nodes.length, help: v.help, target: v.nodes.map((x) => x.target.join(' ') + ': ' + (x.failureSummary || '').replace(/\\s+/g, ' ')).join(' | ') })))`)) as { id: string; impact: string; n: number; help: string; target: string }[];
      const c = { critical: 0, serious: 0, moderate: 0, minor: 0, rules: r.length, nodes: 0 };
      for (const v of r) {
        c[v.impact as 'critical' | 'serious' | 'moderate' | 'minor'] += v.n;
        c.nodes += v.n;
      }
      counts[theme.name] = c;
      // The per-theme figures are printed before the assertion, so a failing theme still reports them.
      console.log(`# axe ${theme.name}: critical ${c.critical}, serious ${c.serious}, moderate ${c.moderate}, minor ${c.minor}; total ${c.nodes} nodes in ${c.rules} rules${r.length ? ': ' + r.map((v) => `${v.id} (${v.impact}) x${v.n} ${v.target}`).join(', ') : ''}`);
      const severe = r.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      assert.deepEqual(severe, [], `${theme.name}: ${JSON.stringify(severe)}`);
    } finally {
      await q.close();
    }
  }
  console.log(`# axe counts per theme: ${JSON.stringify(counts)}`);
});

test('high contrast: the chosen view is the most prominent toolbar button; light: the answer time is readable', { skip }, async () => {
  const hc = THEMES.find((t) => t.name === 'hc')!;
  const q = await openPanel({ width: 1600, height: 900, themeCss: hc.css, bodyClass: hc.bodyClass });
  try {
    await q.send(init(), { type: 'clip', clip: await testClip() });
    const outline = (sel: string) => q.page.locator(sel).evaluate((e) => ({ w: parseFloat(getComputedStyle(e).outlineWidth), style: getComputedStyle(e).outlineStyle, c: getComputedStyle(e).outlineColor }));
    const on = await outline('button[data-action="mode-map"]');
    const off = await outline('button[data-action="mode-apex"]');
    assert.equal(on.c, 'rgb(243, 133, 24)', 'contrastActiveBorder');
    assert.ok(on.w >= 2 && (off.style === 'none' || off.w < on.w), JSON.stringify({ on, off }));
  } finally {
    await q.close();
  }
  const light = THEMES.find((t) => t.name === 'light')!;
  const l = await openPanel({ width: 1600, height: 900, themeCss: light.css, bodyClass: light.bodyClass });
  try {
    await l.send(init(), { type: 'clip', clip: await testClip() });
    await l.send(...answer('a', 'builtin').map((m) => m));
    const color = await l.page.locator('.lane[data-lane="a"] .status-text').evaluate((e) => getComputedStyle(e).color);
    assert.equal(color, 'rgb(106, 106, 106)', 'descriptionForeground, not a hard-coded green');
    const lum = (c: number[]) => {
      const f = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
      return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
    };
    const ratio = (lum([255, 255, 255]) + 0.05) / (lum([106, 106, 106]) + 0.05);
    assert.ok(ratio >= 4.5, `contrast ${ratio.toFixed(2)}`);
  } finally {
    await l.close();
  }
});

test('AU chip hover still lights the region pixels (image check)', { skip }, async () => {
  await p.send(...answer('a', 'server'));
  const box = (await p.page.locator('.layer').boundingBox())!;
  const cx = (LIP_REGION[0][0] + LIP_REGION[1][0]) / 2;
  const cy = (LIP_REGION[0][1] + LIP_REGION[2][1]) / 2;
  const at = async () => {
    const png = await p.page.screenshot({ clip: { x: Math.round(box.x + (cx / 200) * box.width), y: Math.round(box.y + (cy / 240) * box.height), width: 1, height: 1 } });
    const { data } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    return [data[0], data[1], data[2]];
  };
  const plain = await at();
  await p.page.locator('.lane[data-lane="a"] .chip[data-au="12"]').hover();
  await p.page.locator('.marks .highlight polygon[data-region="lipCornerL"]').waitFor();
  const lit = await at();
  assert.ok(lit[1] > plain[1] + 20, `${plain} -> ${lit}`);
});
