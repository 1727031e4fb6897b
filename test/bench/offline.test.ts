// `mellm bench --offline` end to end (bundled CLI): the built-in reasoner over the real pipeline (face on the
// onset, TV-L1, nose-tip compensation, regional motion) on synthetic micro-expressions of a real face,
// then scored; and the MMC-Map input path through the dataset map cache. Needs the bundle and the native addon (`npm run install`); npm test builds both first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCliAsync } from '../support/cli';
import { startOpenAiServer } from '../support/openaiServer';
import { AUTHORS_PROMPT, AUTHORS_PROMPT_SHA256 } from '../../src/core/reasoning/prompts';
import { makeWarpDataset } from '../support/warpDataset';

const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');

const cli = (args: string[]) => runCliAsync(args, 120_000);

test('--offline: the built-in reasoner recovers the emotions of warped real-face clips, scored as the paper', async () => {
  assert.ok(fs.existsSync(CLI), `${CLI} missing: run 'node esbuild.js' first`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mellm-offline-'));
  try {
    await makeWarpDataset(path.join(tmp, 'ds'));
    const run = path.join(tmp, 'run');
    const r = await cli(['bench', path.join(tmp, 'ds'), '--protocol', 'casme2', '--out', run, '--offline']);
    assert.equal(r.status, 0, r.stderr);
    const recs = fs
      .readFileSync(path.join(run, 'results.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { clip: string; status: string; truth: string; predicted: string | null; answer?: string });
    assert.equal(recs.length, 3);
    for (const rec of recs) {
      assert.equal(rec.status, 'ok', JSON.stringify(rec));
      assert.equal(rec.predicted, rec.truth, `${rec.clip}: ${rec.answer ?? ''}`);
    }
    assert.match(r.stdout, /UF1 1\.0000 {2}UAR 1\.0000 {2}ACC 1\.0000/);
    const config = JSON.parse(fs.readFileSync(path.join(run, 'config.json'), 'utf8')) as { source: { kind: string } };
    assert.deepEqual(config.source, { kind: 'builtin' });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('MMC-Map input: the request carries the cached map; another run with the same --maps reuses it', async () => {
  assert.ok(fs.existsSync(CLI), `${CLI} missing: run 'node esbuild.js' first`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mellm-mmcin-'));
  const server = await startOpenAiServer({ answer: () => '## 最终结论\n动作单元：AU12\n微表情：开心\n' });
  try {
    await makeWarpDataset(path.join(tmp, 'ds'));
    const maps = path.join(tmp, 'maps');
    const args = (out: string): string[] => ['bench', path.join(tmp, 'ds'), '--protocol', 'casme2', '--out', out, '--maps', maps, '--endpoint', server.url];
    const r1 = await cli(args(path.join(tmp, 'run1')));
    assert.equal(r1.status, 0, r1.stderr);
    assert.match(r1.stderr, /MMC-Maps 3\/3 \(0 cached, 3 computed, 0 failed\)/);
    const manifest = JSON.parse(fs.readFileSync(path.join(maps, 'manifest.json'), 'utf8')) as { clips: Record<string, { map: string }> };
    const mapFiles = new Set(Object.values(manifest.clips).map((e) => fs.readFileSync(path.join(maps, e.map)).toString('base64')));
    assert.equal(mapFiles.size, 3);
    const sent = server.requests.map((q) => /data:image\/png;base64,([A-Za-z0-9+/=]+)/.exec(JSON.stringify(q.messages))?.[1]);
    assert.equal(sent.length, 3);
    for (const b64 of sent) assert.ok(b64 !== undefined && mapFiles.has(b64), 'the image sent is a cached map');
    // The prompt is main.py's by default (no class line); config and every line name it and its SHA-256.
    const user = (server.requests[0].messages ?? []).find((m) => m.role === 'user')?.content as { type: string; text?: string }[];
    assert.equal(user[1].text, AUTHORS_PROMPT);
    assert.ok((server.requests[0].max_tokens ?? 0) >= 2048);
    const config = JSON.parse(fs.readFileSync(path.join(tmp, 'run1', 'config.json'), 'utf8'));
    assert.equal(config.promptPreset, 'authors');
    assert.equal(config.promptSha256, AUTHORS_PROMPT_SHA256);
    assert.equal(config.promptBytes, 1010);
    assert.deepEqual(config.sampling, { preset: 'authors', temperature: 0.7, maxTokens: 2048 });
    const lines = fs.readFileSync(path.join(tmp, 'run1', 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    for (const l of lines) {
      assert.equal(l.promptPreset, 'authors');
      assert.equal(l.promptSha256, AUTHORS_PROMPT_SHA256);
      assert.equal(l.sampling, 'authors');
      assert.equal(l.mapOutput, undefined, 'a face on every clip: MMC-Maps');
    }
    const r2 = await cli([...args(path.join(tmp, 'run2')), '--prompt', 'paper-casme2', '--sampling', 'deterministic']);
    assert.equal(r2.status, 0, r2.stderr);
    assert.match(r2.stderr, /MMC-Maps 3\/3 \(3 cached, 0 computed, 0 failed\)/);
    // The constrained variant (as the paper prompted other MLLMs) and greedy decoding, both recorded.
    assert.match(JSON.stringify(server.requests[3].messages), /微表情归类为以下五种情绪之一/);
    assert.equal(server.requests[3].temperature, 0);
    const config2 = JSON.parse(fs.readFileSync(path.join(tmp, 'run2', 'config.json'), 'utf8'));
    assert.equal(config2.promptPreset, 'paper-casme2');
    assert.equal(config2.sampling.preset, 'deterministic');
    assert.match(r1.stdout, /ACC 0\.3333/); // every answer says happiness: one clip of three is right
  } finally {
    await server.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
