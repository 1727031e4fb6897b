// Crash safety of `mellm bench` (the bundled CLI, spawned): SIGKILL mid-run, resume with the same
// command, and check no clip is lost or duplicated and no line is torn; then `mellm eval` scores it.
// Needs the bundle: `node esbuild.js` (npm test builds first).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCliAsync } from '../support/cli';
import { startOpenAiServer } from '../support/openaiServer';
import { makeSynthDataset, SYNTH_CLASSES } from './synthDataset';

const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const ZH = ['开心', '悲伤', '害怕', '惊讶', '厌恶'];

function lines(file: string): string[] {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter((l) => l !== '') : [];
}

const cli = (args: string[]) => runCliAsync(args, 60_000);

test('SIGKILL mid-run, resume: every clip exactly once, no torn line; eval scores the run', async () => {
  assert.ok(fs.existsSync(CLI), `${CLI} missing: run 'node esbuild.js' first`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mellm-crash-'));
  // 150 ms before the first byte, then the answer in 8-character SSE chunks 5 ms apart.
  const server = await startOpenAiServer({
    latencyMs: 150,
    chunkChars: 8,
    chunkDelayMs: 5,
    answer: (_req, i) => `## 视觉检查\n嘴角区域有运动。\n\n## 最终结论\n动作单元：AU12\n微表情：${ZH[i % 5]}\n`,
  });
  try {
    const ds = await makeSynthDataset(path.join(tmp, 'ds'), 42);
    const run = path.join(tmp, 'run');
    const results = path.join(run, 'results.jsonl');
    const args = ['bench', ds.root, '--protocol', 'casme2', '--out', run, '--endpoint', server.url, '--model', 'mellm', '--input', 'frames', '--concurrency', '4'];

    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, sig) => resolve(sig ?? code)));
    // Kill once some lines are on disk but well before the end.
    const deadline = Date.now() + 30_000;
    while (lines(results).length < 8) {
      assert.ok(Date.now() < deadline, `no progress before the kill; stderr: ${stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');
    const before = lines(results);
    assert.ok(before.length < ds.evaluated.length, `the run finished before the kill (${before.length} lines)`);
    const requestsBefore = server.count();
    // SIGKILL rarely lands inside write(): also leave the torn tail such a kill would leave.
    fs.appendFileSync(results, '{"clip":"synth/sub1/EP99","truth":"happ');

    const resumed = await cli(args);
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.match(resumed.stderr, /torn line/);
    assert.match(resumed.stdout, new RegExp(`${ds.evaluated.length} clips \\(${before.length} resumed`));
    assert.match(resumed.stdout, /report: .*report\.html/);

    const text = fs.readFileSync(results, 'utf8');
    assert.ok(text.endsWith('\n'), 'no torn last line');
    const recs = text
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { clip: string; status: string; truth: string; predicted: string | null });
    const ids = recs.map((r) => r.clip);
    assert.equal(new Set(ids).size, ids.length, 'no clip twice');
    assert.deepEqual([...ids].sort(), [...ds.evaluated].sort(), 'every evaluated clip once');
    assert.ok(recs.every((r) => r.status === 'ok' && SYNTH_CLASSES.includes(r.predicted ?? '')));
    // Lines written before the kill are kept byte for byte.
    assert.deepEqual(text.split('\n').slice(0, before.length), before);
    // Clips redone after the kill are at most those in flight when it landed.
    assert.ok(server.count() - requestsBefore <= ds.evaluated.length - before.length + 4, `requests after kill ${server.count() - requestsBefore}`);

    // A second rerun asks nothing and adds nothing.
    const n = server.count();
    const again = await cli(args);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(server.count(), n);
    assert.equal(lines(results).length, ds.evaluated.length);

    // Another model into the same run directory is refused, naming the difference and --force.
    const other = await cli([...args.slice(0, -6), '--model', 'qwen2.5-vl', '--input', 'frames', '--concurrency', '4']);
    assert.equal(other.status, 1);
    assert.match(other.stderr, /different configuration.*qwen2\.5-vl.*--force/);

    // eval: the same numbers as the records, paper rows beside them.
    const ev = await cli(['eval', run, '--json', '--report', path.join(tmp, 'rep')]);
    assert.equal(ev.status, 0, ev.stderr);
    const j = JSON.parse(ev.stdout) as { runs: Array<{ metrics: { n: number; acc: number }; paperTableII: { dataset: string } }> };
    const correct = recs.filter((r) => r.truth === r.predicted).length;
    assert.equal(j.runs[0].metrics.n, ds.evaluated.length);
    assert.equal(j.runs[0].metrics.acc, correct / ds.evaluated.length);
    assert.equal(j.runs[0].paperTableII.dataset, 'CASME II');
    assert.ok(fs.existsSync(path.join(tmp, 'rep', 'report.html')));
    const txt = await cli(['eval', run, run]);
    assert.equal(txt.status, 0);
    assert.match(txt.stdout, /paper Table II, CASME II/);
  } finally {
    await server.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('bench and eval refuse bad input with one line naming what to fix', async () => {
  assert.ok(fs.existsSync(CLI), `${CLI} missing: run 'node esbuild.js' first`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mellm-crash-'));
  try {
    const noProto = await cli(['bench', tmp, '--out', path.join(tmp, 'r'), '--endpoint', 'http://127.0.0.1:9']);
    assert.equal(noProto.status, 2);
    assert.match(noProto.stderr, /--protocol is required/);
    const both = await cli(['bench', tmp, '--protocol', 'casme2', '--out', path.join(tmp, 'r'), '--endpoint', 'http://x', '--offline']);
    assert.equal(both.status, 2);
    const notRun = await cli(['eval', tmp]);
    assert.equal(notRun.status, 1);
    assert.match(notRun.stderr, /config\.json not found/);
    assert.equal(notRun.stderr.trim().split('\n').length, 1);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
