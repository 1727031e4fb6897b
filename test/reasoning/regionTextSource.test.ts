// The region-text lane against a local OpenAI-compatible server (test/support/openaiServer.ts) replaying
// a vLLM stream of a thinking model (test/fixtures/answers/streams/vllm-qwen3-regiontext.sse, made by
// scripts/fixtures/make-regiontext-stream.ts): text-only request with the lane's own model, sampling and
// key; thinking deltas kept out of the answer but keeping the stream alive; inline <think> hidden; the
// answer read by the same parser and claim check as the MELLM lane; cancel and errors as that lane.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkClaims } from '../../src/core/reasoning/claimCheck';
import { parseAnswer } from '../../src/core/reasoning/parse';
import { measureRegionMotion } from '../../src/core/reasoning/regionMotion';
import { measureRegionStats } from '../../src/core/reasoning/regionStats';
import { buildRegionTextPrompt } from '../../src/core/reasoning/regionText';
import { RegionTextSource, withoutThinking, type RegionTextOptions } from '../../src/core/reasoning/regionTextSource';
import { collectAnswer, ReasoningError, type ReasoningEvent, type ReasoningRequest } from '../../src/core/reasoning/source';
import { regionTextFromFlags } from '../../src/cli/regionTextOptions';
import { EXPRESSIONS, loadFixtureFace } from '../fixtures/reasoning/face';
import { startOpenAiServer } from '../support/openaiServer';
import { warpFace } from '../support/warp';

const STREAMS = join(__dirname, '..', 'fixtures', 'answers', 'streams');
const RECORDED = readFileSync(join(STREAMS, 'vllm-qwen3-regiontext.sse'), 'utf8');
const RECORDED_TEXT = readFileSync(join(STREAMS, 'vllm-qwen3-regiontext.txt'), 'utf8');
const KEY = 'sk-region-text-SECRET-42';
const FAST: Partial<RegionTextOptions> = { backoffBaseMs: 5, backoffMaxMs: 20, connectTimeoutMs: 2000, firstTokenTimeoutMs: 2000, idleTimeoutMs: 2000 };

async function smile() {
  const { onset, face } = await loadFixtureFace();
  const { flow } = warpFace(onset, face.points, EXPRESSIONS.happiness);
  const motion = measureRegionMotion(flow, face);
  const stats = measureRegionStats(flow, face, { background: motion.background });
  return { motion, stats, prompt: buildRegionTextPrompt(stats, { lang: 'en', protocol: 'casme2' }) };
}

function request(prompt: string): ReasoningRequest {
  return { mapPng: new Uint8Array(0), prompt, lang: 'en', task: 'meu' };
}

function source(url: string, extra: Partial<RegionTextOptions> = {}): RegionTextSource {
  return new RegionTextSource({ endpoints: [url], model: 'Qwen/Qwen3-8B', apiKey: KEY, ...FAST, ...extra });
}

async function events(it: AsyncIterable<ReasoningEvent>): Promise<ReasoningEvent[]> {
  const out: ReasoningEvent[] = [];
  for await (const e of it) out.push(e);
  return out;
}

test('recorded Qwen3 stream: text-only request, the answer without the thinking, parsed and claim-checked', async () => {
  const { motion, prompt } = await smile();
  const server = await startOpenAiServer({ answer: () => ({ sse: RECORDED }) });
  try {
    const src = source(server.url);
    assert.equal(src.kind, 'region-text');
    assert.match(src.label, /^Region text @ http:\/\/127\.0\.0\.1:\d+ \(Qwen\/Qwen3-8B\)$/);
    const evs = await events(src.stream(request(prompt)));
    const start = evs[0];
    assert.equal(start.type, 'start');
    assert.equal(start.type === 'start' && start.source, 'region-text');
    const text = evs.map((e) => (e.type === 'delta' ? e.text : '')).join('');
    assert.equal(text, RECORDED_TEXT, 'the answer is the content deltas only: no thinking');
    const done = evs.at(-1)!;
    assert.ok(done.type === 'done' && done.stop === 'stop' && !done.incomplete);
    assert.ok(done.type === 'done' && done.usage?.promptTokens === 1304, 'usage comes through');

    // The request: one user message holding the whole prompt as plain text, no image anywhere.
    const body = server.requests[0];
    assert.equal(body.model, 'Qwen/Qwen3-8B');
    assert.deepEqual(body.messages, [{ role: 'user', content: prompt }]);
    assert.ok(!JSON.stringify(body).includes('image_url'));
    assert.equal(body.temperature, 0.6);
    assert.equal(body.top_p, 0.95);
    assert.equal(body.max_tokens, 8192);
    assert.equal(body.stream, true);
    assert.equal(server.authorizations[0], `Bearer ${KEY}`);

    // The same parser and claim check as the MELLM lane.
    const parsed = parseAnswer(text);
    assert.equal(parsed.emotion, 'happiness');
    assert.deepEqual(parsed.aus.map((a) => a.au).sort((a, b) => a - b), [6, 12]);
    const report = checkClaims(text, motion);
    const corners = report.claims.filter((c) => c.regions.some((r) => r.startsWith('lipCorner')));
    assert.ok(corners.length >= 2, `lip-corner claims found: ${JSON.stringify(report.claims.map((c) => c.text))}`);
    for (const c of corners) assert.equal(c.verdict, 'supported', `${c.text}: ${c.reason}`);
    const brows = report.claims.find((c) => /Forehead, brows/.test(c.text));
    assert.ok(brows && brows.verdict === 'supported' && brows.noMotion, 'a claim of no motion where nothing moved is supported');
  } finally {
    await server.close();
  }
});

test('a thinking model keeps the stream alive: reasoning deltas count against the idle timeout, not the first-token one', async () => {
  const { prompt } = await smile();
  // The recorded stream at 15 ms per event spends ~1.5 s thinking before the first answer token.
  const server = await startOpenAiServer({ answer: () => ({ sse: RECORDED, gapMs: 15 }) });
  try {
    const res = await collectAnswer(source(server.url, { firstTokenTimeoutMs: 400, idleTimeoutMs: 400 }).stream(request(prompt)));
    assert.equal(res.text, RECORDED_TEXT);
    assert.ok(res.done.firstTokenMs! > 400, `the first answer token came after ${res.done.firstTokenMs} ms`);
  } finally {
    await server.close();
  }
  // The same silence without any thinking (headers and the role chunk, then 1 s of nothing) is a first-token timeout.
  const head = RECORDED.split('\n\n')[0] + '\n\n';
  const late = RECORDED.split('\n\n').find((e) => e.includes('"content":"###'))! + '\n\n';
  const silent = await startOpenAiServer({ answer: () => ({ sse: head + late, gapMs: 1000 }) });
  try {
    await assert.rejects(collectAnswer(source(silent.url, { firstTokenTimeoutMs: 300, maxAttempts: 1 }).stream(request(prompt))), (e: unknown) => {
      assert.ok(e instanceof ReasoningError && e.code === 'first-token-timeout', String(e));
      assert.match((e as Error).message, /region-text server at http:\/\/127\.0\.0\.1:\d+ sent no answer within 300 ms/);
      return true;
    });
  } finally {
    await silent.close();
  }
});

test('inline <think>…</think> (no reasoning parser on the server) is hidden from the answer, across chunk boundaries', async () => {
  const answer = '## Final conclusion\nAU4 + AU9. Micro-expression: disgust.\n';
  const inline = `<think>\nMaybe happiness? The lip corners... no, the nose wing rises: disgust.\n</think>\n\n${answer}`;
  for (const chunkChars of [1, 3, 7, 64]) {
    const server = await startOpenAiServer({ answer: () => ({ text: inline, chunkChars }) });
    try {
      const res = await collectAnswer(source(server.url).stream(request('x')));
      assert.equal(res.text, answer, `chunks of ${chunkChars}`);
      assert.equal(parseAnswer(res.text).emotion, 'disgust');
      assert.equal(res.start?.source, 'region-text');
    } finally {
      await server.close();
    }
  }
});

test('withoutThinking: only a leading block is dropped; other text passes unchanged', async () => {
  async function* of(...parts: string[]): AsyncGenerator<ReasoningEvent> {
    yield { type: 'start', source: 'region-text', attempt: 1 };
    for (const text of parts) yield { type: 'delta', text };
    yield { type: 'done', stop: 'stop', incomplete: false, totalMs: 1 };
  }
  const run = async (...parts: string[]) => (await collectAnswer(withoutThinking(of(...parts)))).text;
  assert.equal(await run('  <th', 'ink>a</th', 'ink>  ', '\nAnswer'), 'Answer');
  assert.equal(await run('Answer with <think> inside'), 'Answer with <think> inside');
  assert.equal(await run('<', 'b>bold</b>'), '<b>bold</b>');
  assert.equal(await run('<th'), '<th', 'a stream that ends on what might have been a tag keeps it');
  assert.equal(await run('<think>cut off while thinking'), '');
});

test('all tokens spent thinking: one line naming the max-tokens setting; noThinking asks the server not to think', async () => {
  const onlyThinking =
    `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { reasoning_content: 'hmm '.repeat(20) }, finish_reason: null }] })}\n\n` +
    `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: {}, finish_reason: 'length' }] })}\n\n` +
    'data: [DONE]\n\n';
  const server = await startOpenAiServer({ answer: () => ({ sse: onlyThinking }) });
  try {
    await assert.rejects(collectAnswer(source(server.url, { maxTokens: 64 }).stream(request('x'))), (e: unknown) => {
      assert.ok(e instanceof ReasoningError && e.code === 'empty');
      assert.match((e as Error).message, /spent the whole max-tokens budget \(64\) thinking and gave no answer; raise mellm\.regionText\.maxTokens\.$/);
      return true;
    });
    await collectAnswer(source(server.url, { noThinking: true }).stream(request('x'))).catch(() => undefined);
    assert.deepEqual(server.requests.at(-1)?.chat_template_kwargs, { enable_thinking: false });
    assert.equal(server.requests[0].chat_template_kwargs, undefined, 'thinking is left to the server by default');
  } finally {
    await server.close();
  }
});

test('cancel mid-answer keeps the text so far, marked incomplete, as in the MELLM lane', async () => {
  const { prompt } = await smile();
  const server = await startOpenAiServer({ answer: () => ({ text: RECORDED_TEXT, chunkChars: 8, chunkDelayMs: 10 }) });
  try {
    const ac = new AbortController();
    let got = '';
    const res = await collectAnswer(source(server.url).stream(request(prompt), ac.signal), (t) => {
      got += t;
      if (got.length > 80) ac.abort();
    });
    assert.equal(res.done.stop, 'aborted');
    assert.ok(res.done.incomplete);
    assert.ok(res.text.length > 80 && RECORDED_TEXT.startsWith(res.text));
  } finally {
    await server.close();
  }
});

test('errors name the lane\'s own settings; the CLI reads its own key, never MELLM_API_KEY', async () => {
  assert.throws(() => new RegionTextSource({ endpoints: [], model: 'q' }), /No region-text server is configured: set mellm\.regionText\.endpoints/);
  const server = await startOpenAiServer({ answer: () => ({ status: 404, body: JSON.stringify({ error: { message: 'The model `qwen9` does not exist.' } }) }) });
  try {
    await assert.rejects(collectAnswer(source(server.url, { model: 'qwen9' }).stream(request('x'))), /region-text server at .* does not serve model "qwen9".*check mellm\.regionText\.model/);
  } finally {
    await server.close();
  }
  const ok = await startOpenAiServer({ answer: () => 'fine' });
  try {
    const env = { MELLM_API_KEY: 'sk-MELLM-ONLY', MELLM_REGION_TEXT_ENDPOINTS: ok.url, MELLM_REGION_TEXT_MODEL: 'q3' };
    await collectAnswer(regionTextFromFlags({}, env).stream(request('x')));
    assert.equal(ok.authorizations[0], 'Bearer EMPTY', 'no region-text key: the MELLM key is not sent instead');
    await collectAnswer(regionTextFromFlags({}, { ...env, MELLM_REGION_TEXT_API_KEY: KEY }).stream(request('x')));
    assert.equal(ok.authorizations[1], `Bearer ${KEY}`);
    assert.equal(ok.requests[1].model, 'q3');
  } finally {
    await ok.close();
  }
  assert.throws(() => regionTextFromFlags({}, {}), /--endpoint URL .* or set MELLM_REGION_TEXT_ENDPOINTS/);
  assert.throws(() => regionTextFromFlags({ endpoint: ['http://127.0.0.1:9'] }, {}), /--model NAME or set MELLM_REGION_TEXT_MODEL/);
});
