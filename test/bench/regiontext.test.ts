// `mellm analyze --source region-text` and `mellm bench --source region-text` through the bundle
// (dist/cli.js), against local OpenAI-compatible servers in this process: a replayed Qwen3-style stream
// and a stand-in that answers from the region text it receives (test/support/regionTextStandIn.ts).
// Then the three sources side by side on one dataset: `mellm eval --report` over the built-in, MELLM
// (stand-in server) and region-text runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCliAsync } from '../support/cli';
import { startOpenAiServer } from '../support/openaiServer';
import { promptOf, standInAnswer } from '../support/regionTextStandIn';
import { makeWarpDataset } from '../support/warpDataset';

const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const PAIR = path.join(ROOT, 'test', 'fixtures', 'faces', 's3right_280x340');
const RECORDED = fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'answers', 'streams', 'vllm-qwen3-regiontext.sse'), 'utf8');
const RECORDED_TEXT = fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'answers', 'streams', 'vllm-qwen3-regiontext.txt'), 'utf8');

const cli = (args: string[]) => runCliAsync(args, 180_000);

interface Rec {
  clip: string;
  status: string;
  truth: string;
  predicted: string | null;
  prompt?: string;
  answer?: string;
}
const records = (run: string): Rec[] =>
  fs.readFileSync(path.join(run, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Rec);

test('analyze --source region-text: --prompt-only prints the text; a streamed answer is parsed; flags are checked', async () => {
  assert.ok(fs.existsSync(CLI), `${CLI} missing: run 'node esbuild.js' first`);
  const onset = path.join(PAIR, 'onset.png');
  const apex = path.join(PAIR, 'apex.png');
  const only = await cli(['analyze', onset, apex, '--source', 'region-text', '--prompt-only', '--lang', 'en', '--protocol', 'casme2']);
  assert.equal(only.status, 0, only.stderr);
  const lines = only.stdout.trimEnd().split('\n');
  assert.match(lines[0], /^Facial motion between the onset and the apex frame/);
  assert.equal(lines.filter((l) => l.startsWith('{"region":')).length, 20);
  assert.equal(lines.at(-1), '(The micro-expression is one of the following five emotions: happiness, sadness, fear, surprise or disgust.)');

  const server = await startOpenAiServer({ answer: () => ({ sse: RECORDED }) });
  try {
    const r = await cli(['analyze', onset, apex, '--source', 'region-text', '--endpoint', server.url, '--model', 'Qwen/Qwen3-8B', '--lang', 'en', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { source: { kind: string; label: string }; text: string; prompt: string; parsed: { emotion: string }; regionStats: { regions: unknown[] } };
    assert.equal(out.source.kind, 'region-text');
    assert.equal(out.text, RECORDED_TEXT);
    assert.equal(out.parsed.emotion, 'happiness');
    assert.equal(out.regionStats.regions.length, 20);
    // What was sent is exactly what --prompt-only prints (English, all seven classes here).
    assert.equal(promptOf(server.requests[0]), out.prompt);
    assert.ok(out.prompt.startsWith(lines.slice(0, 22).join('\n')));
  } finally {
    await server.close();
  }

  const noServer = await cli(['analyze', onset, apex, '--source', 'region-text']);
  assert.equal(noServer.status, 2);
  assert.match(noServer.stderr, /--source region-text needs the text LLM's server: give --endpoint URL .* or set MELLM_REGION_TEXT_ENDPOINTS/);
  const clash = await cli(['analyze', onset, apex, '--source', 'region-text', '--offline']);
  assert.equal(clash.status, 2);
  assert.match(clash.stderr, /--offline is the built-in reasoner: it excludes --source region-text/);
});

test('bench --source region-text: one prompt per clip, recorded; resumable; three sources side by side in the report', async () => {
  assert.ok(fs.existsSync(CLI), `${CLI} missing: run 'node esbuild.js' first`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mellm-regiontext-'));
  const textServer = await startOpenAiServer({ answer: (req) => standInAnswer(promptOf(req)) });
  const mapServer = await startOpenAiServer({ answer: () => '## 最终结论\n动作单元：AU12\n微表情：开心\n' });
  try {
    const ds = path.join(tmp, 'ds');
    await makeWarpDataset(ds, [
      ['EP01', 'happiness', 'happiness'],
      ['EP02', 'surprise', 'surprise'],
      ['EP03', 'lipCornerDepressor', 'sadness'],
      ['EP04', null, 'disgust'],
    ]);
    const rt = path.join(tmp, 'region-text');
    const args = ['bench', ds, '--protocol', 'casme2', '--out', rt, '--source', 'region-text', '--endpoint', textServer.url, '--model', 'stand-in', '--lang', 'en'];
    const r1 = await cli(args);
    assert.equal(r1.status, 0, r1.stderr);
    const recs = records(rt);
    assert.equal(recs.length, 4);
    for (const rec of recs) {
      assert.equal(rec.status, 'ok', JSON.stringify(rec));
      assert.ok(rec.prompt && rec.prompt.split('\n').filter((l) => l.startsWith('{"region":')).length === 20, `${rec.clip}: the clip's own region text is recorded`);
    }
    const byClip = new Map(recs.map((x) => [x.clip.split('/').at(-1), x]));
    assert.equal(byClip.get('EP01')?.predicted, 'happiness');
    assert.equal(byClip.get('EP02')?.predicted, 'surprise');
    assert.equal(byClip.get('EP03')?.predicted, 'sadness');
    // Nothing moved: the text says so, and the answer names no emotion (counted wrong, not defaulted).
    assert.equal(byClip.get('EP04')?.predicted, null);
    assert.match(byClip.get('EP04')!.answer!, /No micro-expression was found/);
    // Each request carried exactly the recorded prompt, text only.
    assert.deepEqual(textServer.requests.map(promptOf).sort(), recs.map((x) => x.prompt!).sort());
    assert.ok(!JSON.stringify(textServer.requests).includes('image_url'));
    const config = JSON.parse(fs.readFileSync(path.join(rt, 'config.json'), 'utf8')) as { source: { kind: string; model: string }; input: string };
    assert.equal(config.source.kind, 'region-text');
    assert.equal(config.source.model, 'stand-in');
    assert.equal(config.input, 'regions');
    // 3 of 4 right; F1 1, 1, 1 and 0 (disgust) over the four classes with samples (fear has none).
    assert.match(r1.stdout, /UF1 0\.7500 {2}UAR 0\.7500 {2}ACC 0\.7500/);

    // Rerun: every clip is resumed, nothing is asked again; another model in the same directory is refused.
    const before = textServer.count();
    const r2 = await cli(args);
    assert.equal(r2.status, 0, r2.stderr);
    assert.equal(textServer.count(), before);
    assert.match(r2.stdout, /4 clips \(4 resumed, 0 this run/);
    const other = await cli([...args.slice(0, -4), '--model', 'other', '--lang', 'en']);
    assert.equal(other.status, 1);
    assert.match(other.stderr, /different configuration \(source: run has .*"stand-in".*"other"/);

    // The other two sources on the same dataset, then the report with all three side by side.
    const builtin = path.join(tmp, 'builtin');
    const mellm = path.join(tmp, 'mellm');
    assert.equal((await cli(['bench', ds, '--protocol', 'casme2', '--out', builtin, '--offline'])).status, 0);
    assert.equal((await cli(['bench', ds, '--protocol', 'casme2', '--out', mellm, '--endpoint', mapServer.url, '--model', 'mellm'])).status, 0);
    const report = path.join(tmp, 'report');
    const ev = await cli(['eval', builtin, mellm, rt, '--report', report]);
    assert.equal(ev.status, 0, ev.stderr);
    assert.match(ev.stdout, /side by side \(casme2, same clips\): all 3 runs name the same emotion on 1 of 4 clips/);
    const mdText = fs.readFileSync(path.join(report, 'report.md'), 'utf8');
    assert.match(mdText, /## Side by side: casme2 on /);
    assert.match(mdText, /region text → stand-in @ http:\/\/127\.0\.0\.1:\d+/);
    assert.match(mdText, /\| builtin · region-text \| 4 \| 3 \(75\.0%\) \| 3 \| 0 \| 0 \| 1 \|/);
    const html = fs.readFileSync(path.join(report, 'report.html'), 'utf8');
    assert.match(html, /<section class="side-by-side" data-runs="3">/);
    assert.ok(!/<script/i.test(html));
  } finally {
    await textServer.close();
    await mapServer.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
