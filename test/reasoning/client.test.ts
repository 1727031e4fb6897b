// MellmServerClient against real local HTTP servers (node:http on 127.0.0.1, port 0) replaying
// vLLM-style SSE streams. Nothing here reaches the network.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MellmServerClient, normaliseEndpoint, parseEndpointList, type ServerClientOptions } from '../../src/core/reasoning/client';
import { collectAnswer, ReasoningError, type ReasoningEvent, type ReasoningRequest } from '../../src/core/reasoning/source';

const STREAMS = join(__dirname, '..', 'fixtures', 'answers', 'streams');
const RECORDED = readFileSync(join(STREAMS, 'vllm-mellm-disgust.sse'), 'utf8');
const RECORDED_TEXT = readFileSync(join(STREAMS, 'vllm-mellm-disgust.txt'), 'utf8');
const KEY = 'sk-test-SECRET-1234567890';
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
const REQ: ReasoningRequest = { mapPng: PNG, prompt: '这是一个人脸图像', lang: 'zh', task: 'meu' };

interface Hit {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

type Handler = (req: IncomingMessage, res: ServerResponse, hit: Hit, n: number) => void | Promise<void>;

interface TestServer {
  url: string;
  hits: Hit[];
  close: () => Promise<void>;
}

async function startServer(handler: Handler): Promise<TestServer> {
  const hits: Hit[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (body += d));
    req.on('end', () => {
      const hit = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      hits.push(hit);
      void Promise.resolve(handler(req, res, hit, hits.length)).catch(() => res.destroy());
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A port that refuses connections: bind, note it, close. */
async function closedPort(): Promise<string> {
  const s = await startServer(() => undefined);
  await s.close();
  return s.url;
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

function sseHead(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.flushHeaders();
}

function chunk(content: string | null, finish: string | null = null): string {
  const delta = content === null ? {} : { content };
  return `data: ${JSON.stringify({
    id: 'chatcmpl-t',
    object: 'chat.completion.chunk',
    created: 1764000000,
    model: 'mellm',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  })}\n\n`;
}

/** Replay SSE text event by event, waiting gapMs between events. */
async function replay(res: ServerResponse, sse: string, gapMs = 0): Promise<void> {
  sseHead(res);
  for (const ev of sse.split(/(?<=\n\n)/)) {
    if (ev === '') continue;
    res.write(ev);
    if (gapMs) await delay(gapMs);
  }
  res.end();
}

async function streamTokens(res: ServerResponse, tokens: string[], gapMs: number, finish = 'stop'): Promise<void> {
  sseHead(res);
  for (const t of tokens) {
    if (res.destroyed) return;
    res.write(chunk(t));
    await delay(gapMs);
  }
  res.write(chunk(null, finish));
  res.write('data: [DONE]\n\n');
  res.end();
}

const FAST: Partial<ServerClientOptions> = { backoffBaseMs: 5, backoffMaxMs: 20, connectTimeoutMs: 2000, firstTokenTimeoutMs: 2000, idleTimeoutMs: 2000 };

function client(endpoints: string[], extra: Partial<ServerClientOptions> = {}, log?: string[]): MellmServerClient {
  return new MellmServerClient({ endpoints, model: 'mellm', apiKey: KEY, ...FAST, ...extra, log: log ? (l) => log.push(l) : undefined });
}

async function collectEvents(events: AsyncIterable<ReasoningEvent>): Promise<ReasoningEvent[]> {
  const out: ReasoningEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

async function rejectsWith(p: Promise<unknown>, code: string): Promise<ReasoningError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ReasoningError, `expected ReasoningError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    assert.ok(!err.message.includes(KEY), 'API key leaked into an error message');
    assert.ok(!err.message.includes('\n'), 'error message must be one line');
    return err;
  }
  assert.fail(`expected a ReasoningError ${code}`);
}

test('normal stream: recorded vLLM answer, request shape, usage, key only in the header', async () => {
  const s = await startServer((_req, res) => replay(res, RECORDED));
  const log: string[] = [];
  try {
    const events = await collectEvents(client([s.url], {}, log).stream(REQ));
    const text = events.flatMap((e) => (e.type === 'delta' ? [e.text] : [])).join('');
    assert.equal(text, RECORDED_TEXT);
    assert.equal(events[0].type, 'start');
    const done = events[events.length - 1];
    assert.equal(done.type, 'done');
    if (done.type !== 'done') return;
    assert.equal(done.stop, 'stop');
    assert.equal(done.incomplete, false);
    assert.equal(done.finishReason, 'stop');
    assert.equal(done.endpoint, s.url);
    assert.deepEqual(done.usage, { promptTokens: 812, completionTokens: 176, totalTokens: 988 });
    assert.equal(events.filter((e) => e.type === 'done').length, 1);

    assert.equal(s.hits.length, 1);
    const hit = s.hits[0];
    assert.equal(hit.method, 'POST');
    assert.equal(hit.url, '/v1/chat/completions');
    assert.equal(hit.headers.authorization, `Bearer ${KEY}`);
    const body = JSON.parse(hit.body);
    assert.equal(body.model, 'mellm');
    assert.equal(body.stream, true);
    // main.py's generation: temperature 0.7, 2048 new tokens; top_p / top_k are left to the weights'
    // generation_config.json (vLLM --generation-config auto), so the request does not send them.
    assert.equal(body.temperature, 0.7);
    assert.equal(body.max_tokens, 2048);
    assert.equal(body.top_p, undefined);
    assert.equal(body.top_k, undefined);
    assert.deepEqual(body.stream_options, { include_usage: true });
    assert.deepEqual(body.messages[0], { role: 'system', content: 'You are a helpful assistant.' });
    assert.equal(body.messages.length, 2);
    assert.equal(body.messages[1].role, 'user');
    const content = body.messages[1].content;
    assert.equal(content[0].type, 'image_url');
    assert.equal(content[0].image_url.url, `data:image/png;base64,${Buffer.from(PNG).toString('base64')}`);
    assert.deepEqual(content[1], { type: 'text', text: REQ.prompt });
    assert.ok(!JSON.stringify(events).includes(KEY));
    assert.ok(!log.join('\n').includes(KEY));
  } finally {
    await s.close();
  }
});

test('slow tokens within the idle timeout complete', async () => {
  const s = await startServer((_req, res) => streamTokens(res, ['最终', '结论', '：', '开心'], 60));
  try {
    const a = await collectAnswer(client([s.url], { idleTimeoutMs: 400 }).stream(REQ));
    assert.equal(a.text, '最终结论：开心');
    assert.equal(a.done.incomplete, false);
  } finally {
    await s.close();
  }
});

test('idle timeout after the first token keeps the partial text, marked incomplete', async () => {
  const s = await startServer(async (_req, res) => {
    sseHead(res);
    res.write(chunk('视觉检查'));
    res.write(chunk('：眉部'));
    await delay(1500); // longer than the idle timeout
    if (!res.destroyed) res.end();
  });
  try {
    const a = await collectAnswer(client([s.url], { idleTimeoutMs: 150 }).stream(REQ));
    assert.equal(a.text, '视觉检查：眉部');
    assert.equal(a.done.stop, 'idle-timeout');
    assert.equal(a.done.incomplete, true);
    assert.match(a.done.message ?? '', /mellm\.timeouts\.idleMs/);
    assert.equal(s.hits.length, 1, 'nothing is retried after the first token');
  } finally {
    await s.close();
  }
});

test('first-token timeout: headers but no token -> typed error naming the setting', async () => {
  const s = await startServer(async (_req, res) => {
    sseHead(res);
    res.write(chunk('')); // role-only/empty deltas do not count as a token
    await delay(1500);
    if (!res.destroyed) res.end();
  });
  try {
    const err = await rejectsWith(collectAnswer(client([s.url], { firstTokenTimeoutMs: 150, maxAttempts: 1 }).stream(REQ)), 'first-token-timeout');
    assert.match(err.message, /mellm\.timeouts\.firstTokenMs/);
    assert.ok(err.message.includes(s.url));
  } finally {
    await s.close();
  }
});

test('HTTP 500 is retried with backoff, then a typed error with the status', async () => {
  const s = await startServer((_req, res) => {
    res.writeHead(500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ object: 'error', message: 'CUDA out of memory', type: 'InternalServerError', code: 500 }));
  });
  const log: string[] = [];
  try {
    const err = await rejectsWith(collectAnswer(client([s.url], { maxAttempts: 3 }, log).stream(REQ)), 'http');
    assert.equal(err.status, 500);
    assert.equal(s.hits.length, 3);
    assert.equal(err.attempts.length, 3);
    assert.match(err.message, /HTTP 500: CUDA out of memory/);
    assert.match(err.message, /3 attempts/);
    assert.ok(log.some((l) => /Retrying/.test(l)));
  } finally {
    await s.close();
  }
});

test('HTTP 500 once, then the retry streams the answer', async () => {
  const s = await startServer((_req, res, _hit, n) => {
    if (n === 1) {
      res.writeHead(503);
      res.end();
      return;
    }
    return streamTokens(res, ['开心'], 0);
  });
  try {
    const a = await collectAnswer(client([s.url]).stream(REQ));
    assert.equal(a.text, '开心');
    assert.equal(a.start?.attempt, 2);
    assert.equal(s.hits.length, 2);
  } finally {
    await s.close();
  }
});

test('401 is not retried and names the API key setting', async () => {
  const s = await startServer((_req, res) => {
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'Unauthorized' }));
  });
  try {
    const err = await rejectsWith(collectAnswer(client([s.url]).stream(REQ)), 'auth');
    assert.match(err.message, /MELLM_API_KEY/);
    assert.equal(s.hits.length, 1);
  } finally {
    await s.close();
  }
});

test('404 unknown model names the model setting', async () => {
  const s = await startServer((_req, res) => {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ object: 'error', message: 'The model `mellm` does not exist.', type: 'NotFoundError', code: 404 }));
  });
  try {
    const err = await rejectsWith(collectAnswer(client([s.url], { settingNames: { model: '--model' } }).stream(REQ)), 'model');
    assert.match(err.message, /--model/);
    assert.match(err.message, /does not exist/);
  } finally {
    await s.close();
  }
});

test('connection refused on a closed port', async () => {
  const url = await closedPort();
  const err = await rejectsWith(collectAnswer(client([url], { maxAttempts: 2 }).stream(REQ)), 'connect-refused');
  assert.ok(err.message.includes(url));
  assert.match(err.message, /connection refused/);
  assert.match(err.message, /mellm\.endpoints/);
});

test('connect timeout: a server that never sends headers', async () => {
  const s = await startServer(() => undefined); // accepts, reads the body, never answers
  try {
    const err = await rejectsWith(collectAnswer(client([s.url], { connectTimeoutMs: 200, maxAttempts: 1 }).stream(REQ)), 'connect-timeout');
    assert.match(err.message, /mellm\.timeouts\.connectMs/);
  } finally {
    await s.close();
  }
});

test('drop mid-stream keeps the partial text and marks it incomplete', async () => {
  const s = await startServer(async (_req, res) => {
    sseHead(res);
    res.write(chunk('##### 视觉检查\n'));
    res.write(chunk('- 嘴角区域：'));
    await delay(50);
    res.socket?.destroy();
  });
  try {
    const a = await collectAnswer(client([s.url]).stream(REQ));
    assert.equal(a.text, '##### 视觉检查\n- 嘴角区域：');
    assert.equal(a.done.stop, 'dropped');
    assert.equal(a.done.incomplete, true);
    assert.equal(s.hits.length, 1);
  } finally {
    await s.close();
  }
});

test('clean close without finish_reason or [DONE] is incomplete', async () => {
  const s = await startServer((_req, res) => {
    sseHead(res);
    res.write(chunk('最终结论：'));
    res.end();
  });
  try {
    const a = await collectAnswer(client([s.url]).stream(REQ));
    assert.equal(a.text, '最终结论：');
    assert.equal(a.done.stop, 'dropped');
    assert.equal(a.done.incomplete, true);
  } finally {
    await s.close();
  }
});

test('an error event mid-stream keeps the text and carries the server message', async () => {
  const s = await startServer((_req, res) => {
    sseHead(res);
    res.write(chunk('##### 视觉检查'));
    res.write(`data: ${JSON.stringify({ error: { message: 'EngineCore encountered an issue', type: 'InternalServerError', code: 500 } })}\n\n`);
    res.end();
  });
  try {
    const a = await collectAnswer(client([s.url]).stream(REQ));
    assert.equal(a.text, '##### 视觉检查');
    assert.equal(a.done.stop, 'dropped');
    assert.equal(a.done.incomplete, true);
    assert.match(a.done.message ?? '', /EngineCore encountered an issue/);
  } finally {
    await s.close();
  }
});

test('finish_reason length marks the answer cut', async () => {
  const s = await startServer((_req, res) => streamTokens(res, ['a', 'b'], 0, 'length'));
  try {
    const a = await collectAnswer(client([s.url], { maxTokens: 2 }).stream(REQ));
    assert.equal(a.done.stop, 'length');
    assert.equal(a.done.incomplete, true);
    assert.equal(JSON.parse(s.hits[0].body).max_tokens, 2);
  } finally {
    await s.close();
  }
});

test('malformed chunk after tokens: partial text kept; before tokens: protocol error', async () => {
  const s = await startServer((_req, res, _hit, n) => {
    sseHead(res);
    if (n === 1) res.write(chunk('开'));
    res.write('data: {"id":"chatcmpl-t","object":"chat.completion.chunk","choices":[{"delta":{"content":"心\n\n');
    res.end();
  });
  try {
    const a = await collectAnswer(client([s.url]).stream(REQ));
    assert.equal(a.text, '开');
    assert.equal(a.done.stop, 'malformed');
    assert.equal(a.done.incomplete, true);
    await rejectsWith(collectAnswer(client([s.url]).stream(REQ)), 'protocol');
  } finally {
    await s.close();
  }
});

test('abort by the caller: after the first token -> done aborted; before -> typed error', async () => {
  const s = await startServer((_req, res) => streamTokens(res, ['一', '二', '三', '四', '五', '六'], 100));
  try {
    const ac = new AbortController();
    const got: string[] = [];
    const a = await collectAnswer(client([s.url]).stream(REQ, ac.signal), (t) => {
      got.push(t);
      if (got.length === 2) ac.abort();
    });
    assert.equal(a.text, '一二');
    assert.equal(a.done.stop, 'aborted');
    assert.equal(a.done.incomplete, true);

    const ac2 = new AbortController();
    ac2.abort();
    await rejectsWith(collectAnswer(client([s.url]).stream(REQ, ac2.signal)), 'aborted');

    const ac3 = new AbortController();
    setTimeout(() => ac3.abort(), 50);
    const slow = await startServer(async (_req, res) => {
      sseHead(res);
      await delay(1000);
      if (!res.destroyed) res.end();
    });
    try {
      await rejectsWith(collectAnswer(client([slow.url]).stream(REQ, ac3.signal)), 'aborted');
    } finally {
      await slow.close();
    }
  } finally {
    await s.close();
  }
});

test('all endpoints down: one error listing each of them', async () => {
  const down = await closedPort();
  const err500 = await startServer((_req, res) => {
    res.writeHead(502);
    res.end();
  });
  try {
    const err = await rejectsWith(collectAnswer(client([down, err500.url]).stream(REQ)), 'all-endpoints-down');
    assert.ok(err.message.includes(`${down}: unreachable`), err.message);
    assert.ok(err.message.includes(`${err500.url}: HTTP 502`), err.message);
    assert.match(err.message, /built-in reasoner/);
    assert.equal(err.attempts.length, 3);
  } finally {
    await err500.close();
  }
});

test('round-robin over two endpoints', async () => {
  const a = await startServer((_req, res) => streamTokens(res, ['A'], 0));
  const b = await startServer((_req, res) => streamTokens(res, ['B'], 0));
  try {
    const c = client([a.url, b.url]);
    const texts: string[] = [];
    for (let i = 0; i < 4; i++) texts.push((await collectAnswer(c.stream(REQ))).text);
    assert.deepEqual(texts, ['A', 'B', 'A', 'B']);
    assert.equal(a.hits.length, 2);
    assert.equal(b.hits.length, 2);
  } finally {
    await a.close();
    await b.close();
  }
});

test('a failed endpoint is set aside for the cool-down, then used again', async () => {
  let t = 1_000_000;
  let failBad = true;
  const bad = await startServer((_req, res) => {
    if (failBad) {
      res.writeHead(500);
      res.end();
      return;
    }
    return streamTokens(res, ['bad-ok'], 0);
  });
  const good = await startServer((_req, res) => streamTokens(res, ['good'], 0));
  try {
    const c = client([bad.url, good.url], { cooldownMs: 30_000, now: () => t });
    assert.equal((await collectAnswer(c.stream(REQ))).text, 'good'); // bad fails, good answers
    assert.equal(bad.hits.length, 1);
    assert.deepEqual(c.coolingDown().map((x) => x.endpoint), [bad.url]);
    for (let i = 0; i < 3; i++) assert.equal((await collectAnswer(c.stream(REQ))).text, 'good');
    assert.equal(bad.hits.length, 1, 'cooling endpoint not tried');
    t += 31_000;
    failBad = false;
    const texts = [(await collectAnswer(c.stream(REQ))).text, (await collectAnswer(c.stream(REQ))).text].sort();
    assert.deepEqual(texts, ['bad-ok', 'good']);
    assert.deepEqual(c.coolingDown(), []);
  } finally {
    await bad.close();
    await good.close();
  }
});

test('health check reports served model names per endpoint', async () => {
  const s = await startServer((req, res) => {
    assert.equal(req.url, '/v1/models');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        object: 'list',
        data: [
          { id: 'mellm', object: 'model', created: 1764000000, owned_by: 'vllm', root: '/models/mellm-merged', max_model_len: 8192 },
          { id: 'qwen2.5-vl-7b', object: 'model', created: 1764000000, owned_by: 'vllm' },
        ],
      }),
    );
  });
  const down = await closedPort();
  try {
    const h = await client([`${s.url}/v1/`, down]).health();
    assert.equal(h.length, 2);
    assert.equal(h[0].endpoint, s.url);
    assert.equal(h[0].ok, true);
    assert.deepEqual(h[0].models, ['mellm', 'qwen2.5-vl-7b']);
    assert.equal(h[0].servesModel, true);
    assert.equal(h[1].ok, false);
    assert.equal(h[1].code, 'connect-refused');
    assert.ok(h[1].error?.includes(down));
    assert.equal(s.hits[0].headers.authorization, `Bearer ${KEY}`);
    const other = await client([s.url], { model: 'other' }).health();
    assert.equal(other[0].servesModel, false);
  } finally {
    await s.close();
  }
});

test('endpoint settings: list parsing, normalisation, bad values', () => {
  assert.deepEqual(parseEndpointList(' http://a:8000, http://b:8000\nhttp://c:8000 '), ['http://a:8000', 'http://b:8000', 'http://c:8000']);
  assert.deepEqual(normaliseEndpoint('http://gpu:8000/v1/'), { display: 'http://gpu:8000', apiBase: 'http://gpu:8000/v1' });
  assert.deepEqual(normaliseEndpoint('https://h/proxy/mellm'), { display: 'https://h/proxy/mellm', apiBase: 'https://h/proxy/mellm/v1' });
  assert.throws(() => normaliseEndpoint('gpu:8000x'), (e: unknown) => e instanceof ReasoningError && e.code === 'bad-endpoint');
  assert.throws(() => normaliseEndpoint('ftp://gpu'), /http:\/\//);
  assert.throws(() => normaliseEndpoint('http://u:p@gpu:8000'), /user name or password/);
  assert.throws(() => new MellmServerClient({ endpoints: [] }), (e: unknown) => e instanceof ReasoningError && e.code === 'no-endpoint');
  const c = new MellmServerClient({ endpoints: ['http://a:1/', 'http://a:1/v1'] });
  assert.deepEqual(c.endpointUrls, ['http://a:1']);
  assert.equal(c.label, 'MELLM @ http://a:1 (mellm)');
});
