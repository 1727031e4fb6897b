// Runs test/exthost/suite/index.js inside a real VS Code extension host:
//  1. @vscode/test-electron when a desktop VS Code build is present (VSCODE_EXECUTABLE, or one already in
//     .vscode-test/; it cannot be downloaded here), else
//  2. code-server's bundled VS Code server (Node 24) driven by Chromium (tools outside the repo, see
//     vscodeServer.ts), else the test is skipped with the reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findTools, makeWorkspace, ROOT, runSuiteInServer, vscodeVersion } from './vscodeServer';

const SUITE = join(ROOT, 'test/exthost/suite/index.js');

function desktopVsCode(): string | null {
  if (process.env.VSCODE_EXECUTABLE && existsSync(process.env.VSCODE_EXECUTABLE)) return process.env.VSCODE_EXECUTABLE;
  const dir = join(ROOT, '.vscode-test');
  if (!existsSync(dir)) return null;
  for (const d of readdirSync(dir)) {
    const exe = join(dir, d, 'code');
    if (existsSync(exe)) return exe;
  }
  return null;
}


const desktop = desktopVsCode();
const tools = findTools();

test('extension-host suite in a desktop VS Code (@vscode/test-electron)', { skip: desktop ? false : 'no desktop VS Code build here (set VSCODE_EXECUTABLE; @vscode/test-electron cannot download one offline)' }, async () => {
  const { runTests } = await import('@vscode/test-electron');
  const dir = mkdtempSync(join(tmpdir(), 'mellm-electron-'));
  try {
    const ws = makeWorkspace(dir);
    const code = await runTests({ vscodeExecutablePath: desktop!, extensionDevelopmentPath: ROOT, extensionTestsPath: SUITE, launchArgs: [ws, '--disable-extensions', '--disable-workspace-trust'], extensionTestsEnv: { MELLM_EXTHOST_OUT: join(dir, 'result.json') } });
    assert.equal(code, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('extension-host suite in code-server\'s VS Code server', { skip: typeof tools === 'string' ? tools : false, timeout: 300_000 }, async () => {
  if (typeof tools === 'string') return;
  const { code, result, console } = await runSuiteInServer(tools);
  assert.ok(result, `the suite wrote no result; page console:\n${console.slice(-30).join('\n')}`);
  process.stdout.write(`# VS Code ${result.vscodeVersion} (code-server bundle ${vscodeVersion(tools)})\n`);
  for (const x of result.results) process.stdout.write(`# ${x.ok ? 'ok' : 'FAIL'} ${x.name} (${x.ms} ms) ${x.detail ? JSON.stringify(x.detail) : x.error ?? ''}\n`);
  if (result.results.some((x) => !x.ok)) process.stdout.write(`# page console (last 40):\n${console.slice(-40).map((l) => '#   ' + l.slice(0, 300)).join('\n')}\n`);
  assert.deepEqual(result.results.filter((x) => !x.ok).map((x) => `${x.name}: ${x.error}`), []);
  assert.equal(result.results.length, 14);
  assert.equal(code, 0);
});
