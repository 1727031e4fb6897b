// End to end in a real VS Code (code-server 4.139.1's workbench, driven by headless Chromium): the extension
// is installed from this checkout, a workspace holds a real face clip; right-click the clip folder in the
// Explorer, run "Analyze clip" from the context menu, then see the MMC-Map and the built-in reasoner's
// streamed answer inside the panel's webview. Skips with the reason when the tools are absent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Frame, Page } from 'playwright-core';
import sharp from 'sharp';
import { findTools, startSession } from '../exthost/vscodeServer';

const tools = findTools();
const EXT_FOLDER = 'mellm-studio.mellm-studio-0.1.0';

async function panelFrame(page: Page, timeoutMs: number): Promise<Frame> {
  const t0 = Date.now();
  for (;;) {
    for (const f of page.frames()) {
      if (await f.locator('.stage').count().catch(() => 0)) return f;
    }
    if (Date.now() - t0 > timeoutMs) throw new Error('no MELLM panel webview frame appeared');
    await page.waitForTimeout(250);
  }
}

test('explorer right-click -> MELLM: Analyze clip -> map and streamed answer in the panel', { skip: typeof tools === 'string' ? tools : false, timeout: 300_000 }, async () => {
  if (typeof tools === 'string') return;
  // The extension is installed by linking this checkout into code-server's extensions folder.
  const s = await startSession(tools, { mode: 'code-server', installAs: EXT_FOLDER });
  try {
    const page = s.page;
    await page.goto(`http://127.0.0.1:${s.port}/?folder=${encodeURIComponent(s.ws)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
    // The Explorer shows the workspace; right-click the clip folder's row.
    const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'clip1' }).first();
    await row.waitFor({ timeout: 60_000 });
    // The extension's menu entries appear once the remote extension host has scanned it: retry the menu.
    const item = page.locator('.context-view .action-item', { hasText: 'Analyze clip' }).first();
    for (let attempt = 0; ; attempt++) {
      await row.click({ button: 'right' });
      if (await item.waitFor({ timeout: 3000 }).then(() => true, () => false)) break;
      if (attempt >= 15) throw new Error('"Analyze clip" never appeared in the Explorer context menu');
      await page.keyboard.press('Escape');
      await page.waitForTimeout(1000);
    }
    await item.hover();
    await page.keyboard.press('Enter');

    const frame = await panelFrame(page, 90_000);
    // The map arrives as a PNG data URL; the built-in reasoner streams its four-part answer.
    await frame.waitForFunction(() => (document.querySelector('.layer img.overlay') as HTMLImageElement | null)?.src.startsWith('data:image/png') === true, undefined, { timeout: 90_000 });
    await frame.waitForFunction(() => /AU\s?\d+/.test(document.querySelector('.lane[data-lane="a"] .md')?.textContent ?? '') && document.querySelector('.lane[data-lane="a"] .lane-status')?.getAttribute('data-state') === 'done', undefined, { timeout: 90_000 });
    const answer = await frame.locator('.lane[data-lane="a"] .md').innerText();
    const title = await frame.locator('.clip-title').innerText();
    const chips = await frame.locator('.lane[data-lane="a"] .chip').allInnerTexts();
    assert.equal(title, 'clip1');
    assert.match(answer, /AU\d+/);
    assert.ok(chips.length > 0, 'parsed AUs shown as chips');

    // The map is really painted: the stage shows colour (not just the grey onset).
    const box = await frame.locator('.stage').boundingBox();
    assert.ok(box);
    const shot = await page.screenshot({ clip: box! });
    const { data, info } = await sharp(shot).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    let coloured = 0;
    for (let i = 0; i < info.width * info.height; i++) {
      const [r, g, b] = [data[3 * i], data[3 * i + 1], data[3 * i + 2]];
      if (Math.max(r, g, b) - Math.min(r, g, b) > 60) coloured++;
    }
    assert.ok(coloured > 200, `coloured pixels on the stage: ${coloured}`);
    if (process.env.MELLM_E2E_SHOT) await page.screenshot({ path: process.env.MELLM_E2E_SHOT });
    process.stdout.write(`# e2e: panel "${title}", ${answer.length} chars of answer, chips ${chips.join(' ')}, ${coloured} coloured stage pixels\n`);
  } finally {
    await s.close();
  }
});
