// The CLI bundle end to end: scan output, a batch killed with SIGKILL and rerun, Ctrl-C (SIGINT).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadRgb } from '../../src/core/image';
import { listFiles, makePairs, tmpDir, touchFrames, range, writeXlsx } from './helpers';

const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');

before(() => {
  if (!fs.existsSync(CLI)) {
    const b = spawnSync(process.execPath, ['esbuild.js'], { cwd: ROOT, stdio: 'inherit' });
    assert.equal(b.status, 0);
  }
});



function run(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Start the batch; `when(stderrSoFar)` decides when to send `sig`. Resolves with the exit code/signal. */
function runAndSignal(args: string[], when: (err: string) => boolean, sig: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    let sent = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!sent && when(stderr)) {
        sent = true;
        child.kill(sig);
      }
    });
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

const computedSoFar = (err: string): number => Math.max(0, ...[...err.matchAll(/\((\d+) computed/g)].map((m) => Number(m[1])));

test('dataset scan: text report and --json', async () => {
  const root = tmpDir('cliscan');
  touchFrames(path.join(root, 'sub01', 'EP01_01'), range(1, 9).map((n) => `img${n}.jpg`));
  await writeXlsx(path.join(root, 'coding.xlsx'), [
    { name: 'Sheet1', rows: [['Subject', 'Filename', 'OnsetFrame', 'ApexFrame', 'Estimated Emotion'], [1, 'EP01_01', 1, 4, 'others'], [1, 'EP01_02', 1, 4, 'fear']] },
  ]);
  const text = run(['dataset', 'scan', root]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /: casme2 \(casme2\), 1 clip\(s\), 1 unusable/);
  assert.match(text.stdout, /error: casme2\/sub01\/EP01_02: .*clip folder 'EP01_02' not found/);
  assert.match(text.stdout, /protocol casme2 .*: 0 clip\(s\) in, 2 excluded/);
  const json = run(['dataset', 'scan', root, '--json']);
  const parsed = JSON.parse(json.stdout);
  assert.equal(parsed.clips[0].id, 'casme2/sub01/EP01_01');
  assert.equal(parsed.clips[0].apex.frame, 4);
  const bad = run(['dataset', 'scan', path.join(root, 'nope')]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^mellm dataset scan: dataset folder .*nope does not exist\n$/);
  assert.equal(run(['dataset', 'mmc', root]).code, 2, '--out is required');
  assert.equal(run(['dataset', 'mmc', root, '--out', `${root}-cache`, '--jobs', '0']).code, 2);
  assert.equal(run(['dataset', 'mmc', root, '--out', `${root}-cache`, '--device', 'gpu']).code, 2);
});

test('dataset mmc: SIGKILL mid-run loses no finished map, leaves no partial file, and the rerun redoes only unfinished clips', async () => {
  const root = tmpDir('clikill');
  const N = 100; // enough that even a fast machine is still computing when the kill comes
  await makePairs(root, N, 'subj', 'clip', 3);
  const out = `${root}-cache`;
  const args = ['dataset', 'mmc', root, '--out', out, '--jobs', '2', '--device', 'cpu'];
  const killed = await runAndSignal(args, (err) => computedSoFar(err) >= 4, 'SIGKILL');
  assert.equal(killed.signal, 'SIGKILL', `the batch finished before the kill: ${killed.stderr}`);

  // Every map whose metadata exists is complete and decodes; nothing else but temp files of the dead writer.
  const after = listFiles(out);
  const metas = after.filter((f) => /^maps\/..\/[0-9a-f]{64}\.json$/.test(f));
  assert.ok(metas.length >= 4, `finished maps at kill: ${metas.length}`);
  const finished = new Map<string, number>();
  for (const m of metas) {
    const png = m.replace(/\.json$/, '.png');
    assert.ok(after.includes(png), `${png} beside ${m}`);
    const img = await loadRgb(path.join(out, png));
    assert.equal(img.width * img.height, 64 * 64);
    finished.set(png, fs.statSync(path.join(out, png)).mtimeMs);
  }
  for (const f of after) {
    assert.ok(/^maps\/..\/[0-9a-f]{64}\.(png|json)$/.test(f) || /^(manifest|summary)\.json$/.test(f) || /(^|\/)\.[^/]*\.tmp$/.test(f), `unexpected file ${f}`);
    if (/^(manifest|summary)\.json$/.test(f)) JSON.parse(fs.readFileSync(path.join(out, f), 'utf8'));
  }

  const rerun = run([...args, '--json']);
  assert.equal(rerun.code, 0, rerun.stderr);
  const s = JSON.parse(rerun.stdout);
  assert.equal(s.status, 'done');
  assert.equal(s.total, N);
  // A map finished but not yet in the manifest (killed in between) is still a cache hit.
  assert.ok(s.cached >= metas.length, `cached ${s.cached} >= finished ${metas.length}`);
  assert.equal(s.cached + s.computed, N);
  assert.ok(s.computed > 0 && s.computed <= N - metas.length);
  for (const [png, mtime] of finished) assert.equal(fs.statSync(path.join(out, png)).mtimeMs, mtime, `${png} was not rewritten`);

  const final = listFiles(out);
  assert.deepEqual(final.filter((f) => f.endsWith('.tmp')), [], 'no temp files after the rerun');
  const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8'));
  assert.equal(Object.keys(manifest.clips).length, N);
  for (const e of Object.values(manifest.clips) as { map: string }[]) assert.ok(final.includes(e.map));
});

test('dataset mmc: Ctrl-C (SIGINT) stops cleanly with exit code 130 and a cancelled summary', async () => {
  const root = tmpDir('cliint');
  await makePairs(root, 80, 'subj', 'clip', 3);
  const out = `${root}-cache`;
  const r = await runAndSignal(['dataset', 'mmc', root, '--out', out, '--jobs', '2'], (err) => computedSoFar(err) >= 2, 'SIGINT');
  assert.equal(r.code, 130, r.stderr);
  assert.match(r.stdout, /^cancelled: 80 clip\(s\): \d+ computed/);
  assert.match(r.stdout, /rerun the same command to finish/);
  const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
  assert.equal(summary.status, 'cancelled');
  assert.ok(summary.skipped > 0);
  assert.deepEqual(listFiles(out).filter((f) => f.endsWith('.tmp')), []);
});
