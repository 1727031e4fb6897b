// End to end in code-server (VS Code 1.139's workbench, headless Chromium), the daily review loop on a real
// frame sequence (the sample face with its known smile warp at a rising and falling strength):
//  - Explorer right-click -> "Analyze clip": the panel shows the spotted apex on the scrubber with the
//    apex curve; clicking another frame makes it the apex, the host recomputes, the map changes;
//  - Compare against a local OpenAI-compatible server replaying the paper's recorded Qwen2.5-VL-7B answer
//    (Fig. 4): the AUs the measured motion contradicts get marked chips, with the reason in words.
// Skips with the reason when code-server, Node 24 or Chromium are missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { findTools, ROOT, startSession } from '../exthost/vscodeServer';
import { startOpenAiServer } from '../support/openaiServer';
import { SEQUENCE_APEX_INDEX, writeSampleSequence } from '../support/sampleSequence';

const tools = findTools();
const EXT_FOLDER = 'mellm-studio.mellm-studio-0.1.0';

async function panelFrame(page: Page, timeoutMs: number): Promise<Frame> {
  const t0 = Date.now();
  for (;;) {
    for (const f of page.frames()) if (await f.locator('.stage').count().catch(() => 0)) return f;
    if (Date.now() - t0 > timeoutMs) throw new Error('no MELLM panel webview frame appeared');
    await page.waitForTimeout(250);
  }
}

async function contextMenu(page: Page, rowText: string, entry: string): Promise<void> {
  const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: rowText }).first();
  await row.waitFor({ timeout: 60_000 });
  // The entries sit in the MELLM submenu, shown on frame folders once the extension has indexed them.
  const submenu = page.locator('.context-view .action-item', { hasText: /^MELLM$/ }).first();
  for (let attempt = 0; ; attempt++) {
    await row.click({ button: 'right' });
    if (await submenu.waitFor({ timeout: 3000 }).then(() => true, () => false)) break;
    if (attempt >= 15) throw new Error('the MELLM submenu never appeared in the Explorer context menu');
    await page.keyboard.press('Escape');
    await page.waitForTimeout(1000);
  }
  await submenu.hover();
  const item = page.locator('.context-view .monaco-submenu .action-item', { hasText: entry }).first();
  await item.waitFor({ timeout: 5000 });
  await item.hover();
  await page.keyboard.press('Enter');
}

test('scrubber changes the apex; a contradicted AU chip is marked (code-server)', { skip: typeof tools === 'string' ? tools : false, timeout: 400_000 }, async () => {
  if (typeof tools === 'string') return;
  const recorded = readFileSync(join(ROOT, 'test/fixtures/answers/fig4-1-qwen25vl7b.md'), 'utf8');
  const server = await startOpenAiServer({ answer: () => ({ text: recorded, chunkChars: 24, chunkDelayMs: 5 }) });
  const s = await startSession(tools, { mode: 'code-server', installAs: EXT_FOLDER });
  try {
    await writeSampleSequence(join(s.ws, 'seq1'));
    // The server lane: a machine setting, so it goes into the user settings (read when the window opens).
    const settingsFile = join(s.dir, 'user', 'User', 'settings.json');
    const settings = JSON.parse(readFileSync(settingsFile, 'utf8')) as Record<string, unknown>;
    writeFileSync(settingsFile, JSON.stringify({ ...settings, 'mellm.endpoints': [server.url.replace(/\/v1$/, '')], 'mellm.model': 'mellm' }));
    const page = s.page;
    await page.goto(`http://127.0.0.1:${s.port}/?folder=${encodeURIComponent(s.ws)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
    await contextMenu(page, 'seq1', 'Analyze clip');
    const frame = await panelFrame(page, 90_000);

    // The spotted apex and its curve.
    const title = frame.locator('.scrub-title');
    const apex = SEQUENCE_APEX_INDEX + 1;
    await frame.waitForFunction((a) => new RegExp(`apex ${a} \\(spotted\\)`).test(document.querySelector('.scrub-title')?.textContent ?? ''), apex, { timeout: 120_000 });
    await frame.waitForFunction(() => (document.querySelector('.scrub-track polyline.curve')?.getAttribute('points') ?? '').split(' ').length >= 10, undefined, { timeout: 120_000 });
    const mapBefore = await frame.locator('.layer img.overlay').getAttribute('src');
    // Click frame 3 (of 1..11): it becomes the apex, the host recomputes onset 1 -> 3.
    const track = frame.locator('.scrub-track');
    const b = (await track.boundingBox())!;
    await page.mouse.click(b.x + (2 / 10) * b.width, b.y + b.height / 2);
    await frame.waitForFunction(() => /apex 3 \(chosen\)/.test(document.querySelector('.scrub-title')?.textContent ?? ''), undefined, { timeout: 120_000 });
    await frame.waitForFunction((m) => {
      const src = document.querySelector('.layer img.overlay')?.getAttribute('src');
      return !!src && src !== m;
    }, mapBefore, { timeout: 60_000 });
    assert.match(await title.innerText(), /onset 1, apex 3 \(chosen\)/);
    // The keyboard takes it back to the peak.
    await track.focus();
    for (let i = 0; i < apex - 3; i++) await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    await frame.waitForFunction((a) => new RegExp(`apex ${a} \\(chosen\\)`).test(document.querySelector('.scrub-title')?.textContent ?? ''), apex, { timeout: 120_000 });
    await frame.waitForFunction(() => document.querySelector('.lane[data-lane="a"] .lane-status')?.getAttribute('data-state') === 'done', undefined, { timeout: 90_000 });

    // Compare: the recorded model answer against this clip's motion.
    await frame.locator('button[data-action="compare"]').click();
    const chip = frame.locator('.lane[data-lane="b"] .chip[data-verdict="contradicted"]').first();
    await chip.waitFor({ timeout: 120_000 });
    const marked = await frame.locator('.lane[data-lane="b"] .chip[data-verdict="contradicted"]').allInnerTexts();
    const label = (await chip.getAttribute('aria-label')) ?? '';
    const decoration = await chip.locator('.chip-text').evaluate((e) => getComputedStyle(e).textDecorationLine);
    assert.ok(marked.some((t) => /AU45/.test(t)), `contradicted chips: ${marked.join(' ')}`);
    assert.equal(decoration, 'line-through');
    assert.match(label, /contradicted/);
    assert.doesNotMatch(label, /\b[a-z]+[A-Z][a-z]*[LR]\b/, 'no internal region ids in the reason');
    const supported = await frame.locator('.lane[data-lane="b"] .chip[data-verdict="supported"]').allInnerTexts();
    assert.ok(supported.some((t) => /AU12/.test(t)), `AU12 is what the warp does: ${supported.join(' ')}`);
    assert.equal(server.count(), 1);
    if (process.env.MELLM_E2E_SHOT) await page.screenshot({ path: process.env.MELLM_E2E_SHOT });
    process.stdout.write(`# e2e review: apex ${apex} spotted -> 3 chosen -> ${apex}; contradicted chips ${marked.join(' ')}; supported ${supported.join(' ')}\n`);
  } finally {
    await s.close();
    await server.close();
  }
});
