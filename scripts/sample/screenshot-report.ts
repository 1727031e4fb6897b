// Screenshots of a benchmark report (report.html of `mellm eval --report` or `mellm bench`) in headless
// Chromium, light and dark: the page is the one VS Code shows in its webview, with VS Code's theme
// variables set as the webview would set them. Used for media/screenshot-report-regiontext*.png:
//   node --import tsx scripts/bench/regiontext.ts --report /tmp/rt-report
//   node --import tsx scripts/sample/screenshot-report.ts /tmp/rt-report/report.html media/screenshot-report-regiontext
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM } from '../../test/support/chromium';

const THEMES = {
  light: { '--vscode-editor-background': '#ffffff', '--vscode-foreground': '#3b3b3b' },
  dark: { '--vscode-editor-background': '#1f1f1f', '--vscode-foreground': '#cccccc' },
} as const;

async function main(): Promise<void> {
  const [html, stem] = process.argv.slice(2);
  if (!html || !stem) throw new Error('usage: screenshot-report.ts REPORT.html OUT_STEM');
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
  try {
    for (const [name, vars] of Object.entries(THEMES)) {
      const page = await browser.newPage({ viewport: { width: 1200, height: 1000 } });
      await page.goto(`file://${path.resolve(html)}`);
      await page.evaluate((v) => {
        for (const [k, x] of Object.entries(v)) document.documentElement.style.setProperty(k, x);
      }, vars);
      // The summary, the comparison figure and the side-by-side section: what a reader compares first.
      const end = await page.evaluate(() => {
        const s = document.querySelector('section.side-by-side');
        return s ? Math.ceil(s.getBoundingClientRect().bottom + window.scrollY + 16) : 1000;
      });
      const out = `${stem}-${name}.png`;
      await page.screenshot({ path: out, fullPage: true, clip: { x: 0, y: 0, width: 1200, height: end } });
      process.stdout.write(`${out}\n`);
      await page.close();
    }
  } finally {
    await browser.close();
  }
}

void main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
