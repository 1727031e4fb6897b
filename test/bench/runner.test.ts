// The benchmark runner in-process, against the local OpenAI-compatible server through the real client:
// one line per clip, resume without redoing or duplicating, config mismatch refused, retries, per-clip
// failures recorded, fatal errors stop the run, a torn last line is cut off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runBench, BenchError, type BenchClip, type ParsedAnswer } from '../../src/core/bench/runner';
import { loadResults, latestByClip, RESULTS_FILE, RUN_FORMAT, type RunConfig } from '../../src/core/bench/runDir';
import { MellmServerClient } from '../../src/core/reasoning/client';
import { startOpenAiServer, type ChatRequest } from '../support/openaiServer';

const CLASSES = ['happiness', 'sadness', 'fear', 'surprise', 'disgust'];
const ZH: Record<string, string> = { happiness: '开心', sadness: '悲伤', fear: '害怕', surprise: '惊讶', disgust: '厌恶' };

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'mellm-bench-'));
}

function clips(n: number): BenchClip[] {
  return Array.from({ length: n }, (_, i) => ({ id: `sub${i % 3}/EP${i}`, subject: `sub${i % 3}`, emotion: CLASSES[i % CLASSES.length], aus: ['AU12'] }));
}

function config(dir: string, endpoint: string, extra: Partial<RunConfig> = {}): RunConfig {
  return {
    format: RUN_FORMAT,
    extensionVersion: '0.0.0-test',
    dataset: dir,
    protocol: 'casme2',
    classes: CLASSES,
    task: 'meu',
    input: 'mmc',
    lang: 'zh',
    promptSha256: 'f'.repeat(64),
    source: { kind: 'server', model: 'mellm', endpoints: [endpoint] },
    clips: 0,
    createdAt: new Date().toISOString(),
    ...extra,
  };
}

/** Test-only parser: the word after 微表情：in the conclusion. */
function parse(text: string): ParsedAnswer {
  const m = /微表情：(\S+)/.exec(text);
  const e = m ? Object.keys(ZH).find((k) => ZH[k] === m[1]) ?? null : null;
  return { emotion: e, aus: [...text.matchAll(/AU\d+/g)].map((x) => x[0]) };
}

/** The server answers with the emotion named in the image bytes' first byte (clip index mod 5), or garbage. */
function answerFor(req: ChatRequest): string {
  const msg = JSON.stringify(req.messages);
  const m = /"url":"data:image\/png;base64,([^"]+)"/.exec(msg);
  const idx = m ? Buffer.from(m[1], 'base64')[0] : 255;
  if (idx === 99) return '## 最终结论\n无法判断。';
  return `## 最终结论\n动作单元：AU12\n微表情：${ZH[CLASSES[idx % 5]]}\n`;
}

function client(url: string): MellmServerClient {
  return new MellmServerClient({ endpoints: [url], model: 'mellm', maxAttempts: 1, connectTimeoutMs: 5000 });
}

const input = (c: BenchClip): Promise<{ png: Uint8Array }> => {
  const i = Number(c.id.split('EP')[1]);
  return Promise.resolve({ png: Uint8Array.from([i === 7 ? 99 : i % 5, 1, 2, 3]) });
};

test('a run writes one line per clip, scores from the parsed conclusion, and a rerun asks nothing again', async () => {
  const server = await startOpenAiServer({ answer: answerFor, latencyMs: 5, chunkChars: 3 });
  const dir = tmpDir();
  try {
    const cs = clips(20);
    const opts = { runDir: dir, config: config(dir, server.url), clips: cs, loadInput: input, source: client(server.url), prompt: 'p', parse, concurrency: 4 };
    const s1 = await runBench(opts);
    assert.equal(s1.done, 20);
    assert.equal(s1.unparsed, 1); // clip 7 answers without an emotion
    assert.equal(server.count(), 20);
    assert.ok(server.maxInFlight() <= 4);
    const recs = loadResults(dir).records;
    assert.equal(recs.length, 20);
    assert.equal(new Set(recs.map((r) => r.clip)).size, 20);
    const r3 = recs.find((r) => r.clip === 'sub0/EP3');
    assert.equal(r3?.predicted, CLASSES[3]);
    assert.deepEqual(r3?.aus, ['AU12']);
    assert.equal(recs.find((r) => r.clip === 'sub1/EP7')?.predicted, null);
    assert.ok(fs.readFileSync(path.join(dir, 'config.json'), 'utf8').includes('"promptSha256"'));
    const s2 = await runBench(opts);
    assert.equal(s2.resumed, 20);
    assert.equal(s2.done, 0);
    assert.equal(server.count(), 20);
    assert.equal(loadResults(dir).records.length, 20);
  } finally {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('resuming with a different configuration is refused unless forced', async () => {
  const server = await startOpenAiServer({ answer: answerFor });
  const dir = tmpDir();
  try {
    const base = { runDir: dir, clips: clips(3), loadInput: input, source: client(server.url), prompt: 'p', parse };
    await runBench({ ...base, config: config(dir, server.url) });
    await assert.rejects(
      runBench({ ...base, config: config(dir, server.url, { source: { kind: 'server', model: 'qwen2.5-vl', endpoints: [server.url] } }) }),
      (e: unknown) => e instanceof BenchError && /different configuration/.test(e.message) && /qwen2\.5-vl/.test(e.message) && /--force/.test(e.message),
    );
    const forced = await runBench({ ...base, force: true, config: config(dir, server.url, { source: { kind: 'server', model: 'qwen2.5-vl', endpoints: [server.url] } }) });
    assert.equal(forced.resumed, 3);
    assert.ok(fs.readFileSync(path.join(dir, 'config.json'), 'utf8').includes('qwen2.5-vl'));
  } finally {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('transient failures are retried; a clip that keeps failing is recorded and retried on the next run', async () => {
  let phase = 1;
  const server = await startOpenAiServer({
    answer: (req, i) => {
      const msg = JSON.stringify(req.messages);
      if (phase === 1 && /base64,AwECAw/.test(msg)) return { status: 503 }; // clip index 3 always fails in phase 1
      if (phase === 1 && i === 0) return { status: 500 }; // the very first request fails once
      if (phase === 1 && i === 1) return { dropAfterChars: 4, text: answerFor(req) }; // cut mid-answer once
      return answerFor(req);
    },
  });
  const dir = tmpDir();
  try {
    const failedIds: string[] = [];
    const opts = {
      runDir: dir,
      config: config(dir, server.url),
      clips: clips(6),
      loadInput: input,
      source: client(server.url),
      prompt: 'p',
      parse,
      concurrency: 1,
      retries: 2,
      backoffMs: 5,
      onClipFailed: (c: BenchClip) => failedIds.push(c.id),
    };
    const s1 = await runBench(opts);
    assert.equal(s1.done, 6);
    assert.equal(s1.failed, 1);
    assert.deepEqual(failedIds, ['sub0/EP3']);
    const latest = latestByClip(loadResults(dir).records);
    const failed = latest.get('sub0/EP3');
    assert.equal(failed?.status, 'failed');
    assert.equal(failed?.attempts, 3);
    assert.equal(failed?.error?.code, 'http');
    // EP0: HTTP 500, then an answer cut mid-stream, then a whole answer: three attempts, not marked incomplete.
    assert.equal(latest.get('sub0/EP0')?.attempts, 3);
    assert.equal(latest.get('sub0/EP0')?.predicted, CLASSES[0]);
    assert.equal(latest.get('sub0/EP0')?.incomplete, undefined);
    phase = 2;
    const s2 = await runBench(opts);
    assert.equal(s2.resumed, 5);
    assert.equal(s2.done, 1);
    const recs = loadResults(dir).records;
    assert.equal(recs.length, 7); // the failed line stays; the new line for the same clip wins
    assert.equal(latestByClip(recs).get('sub0/EP3')?.status, 'ok');
  } finally {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('an input that cannot be loaded is that clip\'s failure; the run goes on', async () => {
  const server = await startOpenAiServer({ answer: answerFor });
  const dir = tmpDir();
  try {
    const s = await runBench({
      runDir: dir,
      config: config(dir, server.url),
      clips: clips(4),
      loadInput: (c) => (c.id.endsWith('EP2') ? Promise.reject(new Error('apex frame missing: /data/sub2/EP2/img9.jpg')) : input(c)),
      source: client(server.url),
      prompt: 'p',
      parse,
    });
    assert.equal(s.failed, 1);
    const r = latestByClip(loadResults(dir).records).get('sub2/EP2');
    assert.equal(r?.error?.code, 'input');
    assert.match(r?.error?.message ?? '', /img9\.jpg/);
  } finally {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a failure every clip would hit (unknown model) stops the run with one message; finished lines stay', async () => {
  const server = await startOpenAiServer({ answer: (_r, i) => (i < 2 ? answerFor(_r) : { status: 404, body: JSON.stringify({ error: { message: 'The model `x` does not exist.' } }) }) });
  const dir = tmpDir();
  try {
    await assert.rejects(
      runBench({ runDir: dir, config: config(dir, server.url), clips: clips(10), loadInput: input, source: client(server.url), prompt: 'p', parse, concurrency: 1 }),
      (e: unknown) => e instanceof BenchError && /the run stopped; 2 clip\(s\)/.test(e.message),
    );
    assert.equal(loadResults(dir).records.length, 2);
  } finally {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a torn last line left by a crash is ignored on read and cut off before appending', async () => {
  const server = await startOpenAiServer({ answer: answerFor });
  const dir = tmpDir();
  try {
    const opts = { runDir: dir, config: config(dir, server.url), clips: clips(5), loadInput: input, source: client(server.url), prompt: 'p', parse };
    await runBench({ ...opts, clips: clips(5).slice(0, 3) });
    const file = path.join(dir, RESULTS_FILE);
    fs.appendFileSync(file, '{"clip":"sub0/EP3","truth":"surp');
    const loaded = loadResults(dir);
    assert.equal(loaded.records.length, 3);
    assert.ok(loaded.tornBytes > 0);
    let recovered = 0;
    const s = await runBench({ ...opts, onRecovered: (r) => (recovered = r.truncatedBytes) });
    assert.equal(recovered, loaded.tornBytes);
    assert.equal(s.done, 2);
    const text = fs.readFileSync(file, 'utf8');
    assert.ok(text.endsWith('\n'));
    const lines = text.trimEnd().split('\n');
    assert.equal(lines.length, 5);
    for (const l of lines) JSON.parse(l);
  } finally {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('aborting stops the run promptly and records only finished clips', async () => {
  const server = await startOpenAiServer({ answer: answerFor, latencyMs: 200 });
  const dir = tmpDir();
  try {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    const t0 = Date.now();
    const s = await runBench({ runDir: dir, config: config(dir, server.url), clips: clips(40), loadInput: input, source: client(server.url), prompt: 'p', parse, concurrency: 2, signal: ac.signal });
    assert.ok(Date.now() - t0 < 2000);
    assert.equal(s.aborted, true);
    assert.ok(s.done >= 1 && s.done < 40);
    const recs = loadResults(dir).records;
    assert.equal(recs.length, s.done);
    assert.ok(recs.every((r) => r.status === 'ok'));
  } finally {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a server that is down stops the run after a streak of unreachable clips, not after every clip', async () => {
  const server = await startOpenAiServer();
  const url = server.url;
  await server.close(); // nothing listens on this port any more
  const dir = tmpDir();
  try {
    await assert.rejects(
      runBench({ runDir: dir, config: config(dir, url), clips: clips(50), loadInput: input, source: client(url), prompt: 'p', parse, concurrency: 2, retries: 0, maxUnreachableStreak: 5 }),
      (e: unknown) => e instanceof BenchError && /5 clips in a row could not reach the server/.test(e.message) && /rerun the same command/.test(e.message),
    );
    const recs = loadResults(dir).records;
    assert.ok(recs.length >= 5 && recs.length <= 7, `${recs.length} lines`);
    assert.ok(recs.every((r) => r.status === 'failed'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('progress lines read back as they were written (the benchmark task parses them)', async () => {
  const { formatProgress, parseProgressLine } = await import('../../src/core/bench/job');
  const line = formatProgress({ resumed: 3, done: 7, total: 40, failed: 1, unparsed: 2, rate: 12.345, etaS: 95 } as Parameters<typeof formatProgress>[0]);
  assert.deepEqual(parseProgressLine(`bench: ${line}`), { finished: 10, total: 40, rate: 12.3, eta: '1:35' });
  assert.equal(parseProgressLine('report: /x/report.html'), null);
});
