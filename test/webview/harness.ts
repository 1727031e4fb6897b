// Loads the real panel page (the host's HTML shell with its CSP, dist/webview.js, media/panel.css) in
// headless Debian Chromium, with a fake acquireVsCodeApi that records what the panel posts.
// Host messages are simulated with window.postMessage. Shared by the webview tests and the README
// screenshot script.
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { panelHtml } from '../../src/vscode/panelHtml';
import type { HostMessage } from '../../src/shared/protocol';

export const ROOT = resolve(__dirname, '..', '..');
const ORIGIN = 'https://panel.test';
export const CHROMIUM = '/usr/bin/chromium';
const SYNC = '__harness_sync';

export interface PanelPage {
  page: Page;
  context: BrowserContext;
  send(...msgs: HostMessage[]): Promise<void>;
  /** Everything the panel posted to the host so far. */
  posted(): Promise<Array<Record<string, unknown>>>;
  close(): Promise<void>;
}

export async function openPanel(opts: { width?: number; height?: number; themeCss?: string; bodyClass?: string; state?: unknown } = {}): Promise<PanelPage> {
  const userDir = mkdtempSync(join(tmpdir(), 'mellm-chromium-'));
  // A fresh profile per page: launchPersistentContext is playwright's way to name the user-data-dir.
  const context = await chromium.launchPersistentContext(userDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: opts.width ?? 1280, height: opts.height ?? 760 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const nonce = 'testNonce' + Math.random().toString(36).slice(2, 10);
  const html = panelHtml({ cspSource: ORIGIN, nonce, scriptUri: `${ORIGIN}/dist/webview.js`, styleUri: `${ORIGIN}/media/panel.css`, codiconUri: `${ORIGIN}/dist/codicons/codicon.css` });
  const theme = opts.themeCss ?? '';
  await page.route(`${ORIGIN}/**`, async (route) => {
    const url = new URL(route.request().url());
    if (url.pathname === '/' || url.pathname === '/index.html') return route.fulfill({ contentType: 'text/html', body: html });
    if (url.pathname === '/dist/webview.js') return route.fulfill({ contentType: 'text/javascript', body: readFileSync(join(ROOT, 'dist/webview.js')) });
    if (url.pathname === '/dist/codicons/codicon.css') return route.fulfill({ contentType: 'text/css', body: readFileSync(join(ROOT, 'dist/codicons/codicon.css')) });
    if (url.pathname === '/dist/codicons/codicon.ttf') return route.fulfill({ contentType: 'font/ttf', body: readFileSync(join(ROOT, 'dist/codicons/codicon.ttf')) });
    if (url.pathname === '/media/panel.css')
      return route.fulfill({ contentType: 'text/css', body: readFileSync(join(ROOT, 'media/panel.css'), 'utf8') + theme });
    return route.fulfill({ status: 404, body: 'not found' });
  });
  // A string, not a function: tsx's transform would insert helpers that do not exist in the page.
  await page.addInitScript(`(() => {
    const w = window;
    w.__posted = [];
    w.__state = ${JSON.stringify(opts.state ?? null)};
    // VS Code puts the theme kind on the webview's body (vscode-dark / vscode-light / vscode-high-contrast).
    const bodyClass = ${JSON.stringify(opts.bodyClass ?? '')};
    if (bodyClass) document.addEventListener('DOMContentLoaded', () => document.body.classList.add(...bodyClass.split(' ')));
    let acquired = false;
    w.acquireVsCodeApi = () => {
      if (acquired) throw new Error('acquireVsCodeApi called twice');
      acquired = true;
      return {
        postMessage: (m) => w.__posted.push(JSON.parse(JSON.stringify(m))),
        getState: () => w.__state,
        setState: (s) => { w.__state = s; },
      };
    };
  })();`);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${ORIGIN}/`);
  await page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'ready'));
  if (errors.length) throw new Error('panel page errors: ' + errors.join('; '));
  return {
    page,
    context,
    // Resolves once the panel has handled the messages and painted: a sentinel posted after them arrives
    // after them (same task source), then one animation frame.
    send: async (...msgs) => {
      await page.evaluate(`new Promise((res) => {
        const ms = ${JSON.stringify(msgs)};
        const h = (e) => { if (e.data && e.data.type === '${SYNC}') { window.removeEventListener('message', h); requestAnimationFrame(() => res()); } };
        window.addEventListener('message', h);
        ms.forEach((m) => window.postMessage(m, '*'));
        window.postMessage({ type: '${SYNC}' }, '*');
      })`);
    },
    // The panel logs the sentinel as an unknown message: left out here.
    posted: async () =>
      (await page.evaluate(() => (window as unknown as { __posted: Array<Record<string, unknown>> }).__posted)).filter((m) => !(m.type === 'log' && String(m.message).includes(SYNC))),
    close: async () => {
      await context.close();
      rmSync(userDir, { recursive: true, force: true });
    },
  };
}
