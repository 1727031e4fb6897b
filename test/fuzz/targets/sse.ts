// Fuzz target: mutated server streams fed to the streaming client (MellmServerClient) by a local HTTP
// server: vLLM-style SSE events dropped, duplicated, garbled (bad JSON, wrong types, error events, huge
// deltas), byte-mutated, split at random points, cut off or stalled, under varied statuses and content
// types. Outcomes (source.ts's contract): a ReasoningError before any text, or start, deltas and exactly
// one 'done' last; never a throw after a delta, never the API key in a message, within the timeouts.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { MellmServerClient } from '../../../src/core/reasoning/client';
import { ReasoningError, type ReasoningEvent } from '../../../src/core/reasoning/source';
import { applyMutations, mutationsArb } from '../../support/fuzzBytes';
import type { FuzzContext } from '../../support/fuzzChild';

const KEY = 'sk-fuzz-SECRET-0123456789';

const chunk = (delta: unknown, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'mellm', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;

const GARBAGE = [
  'data: {\n\n',
  'data: null\n\n',
  'data: []\n\n',
  'data: {"choices":[{"delta":{"content":123}}]}\n\n',
  'data: {"choices":null}\n\n',
  'data: {"error":{"message":"boom sk-fuzz","code":500}}\n\n',
  'event: error\ndata: {"error":"x"}\n\n',
  ': keep-alive\n\n',
  'retry: -1\n\n',
  'data: [DONE]\n\n',
  `data: ${JSON.stringify({ choices: [{ delta: { content: 'x'.repeat(200_000) } }] })}\n\n`,
  chunk({ reasoning_content: 'thinking...' }),
  chunk({ content: null }, 'length'),
  chunk({}, 'weird_reason'),
  'data: \u0000\ud800\n\n',
  '\r\n\r\n',
  'data:' + '{'.repeat(5000) + '\n\n',
];

const caseArb = fc.record({
  parts: fc.array(fc.oneof({ weight: 4, arbitrary: fc.string({ maxLength: 12 }).map((s) => chunk({ content: s })) }, { weight: 2, arbitrary: fc.constantFrom(...GARBAGE) }), { maxLength: 8 }),
  finish: fc.constantFrom('stop', 'length', null),
  done: fc.boolean(),
  bytes: fc.option(mutationsArb(4, false), { nil: undefined }),
  status: fc.constantFrom(200, 200, 200, 200, 200, 200, 400, 401, 404, 429, 500, 503),
  type: fc.constantFrom('text/event-stream', 'text/event-stream', 'text/event-stream', 'application/json', 'text/html'),
  end: fc.oneof({ weight: 20, arbitrary: fc.constantFrom('end', 'destroy') }, { weight: 1, arbitrary: fc.constant('stall') }),
  splits: fc.array(fc.nat(), { maxLength: 4 }),
});
type Case = typeof caseArb extends fc.Arbitrary<infer C> ? C : never;

export async function run(ctx: FuzzContext) {
  let current: Case | undefined;
  const open = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const c = current!;
      open.add(res);
      res.on('close', () => open.delete(res));
      let body: Buffer = Buffer.from(c.parts.join('') + (c.finish ? chunk({}, c.finish) : '') + (c.done ? 'data: [DONE]\n\n' : ''), 'utf8');
      if (c.bytes) body = applyMutations(body, c.bytes);
      res.writeHead(c.status, { 'content-type': c.type });
      const cuts = [...new Set(c.splits.map((s) => (body.length ? s % body.length : 0)))].sort((a, b) => a - b);
      let at = 0;
      for (const cut of cuts) {
        res.write(body.subarray(at, cut));
        at = cut;
      }
      res.write(body.subarray(at));
      if (c.end === 'end') res.end();
      else if (c.end === 'destroy') setTimeout(() => res.destroy(), 1);
      // 'stall': leave it open; the client's timeouts must end it.
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  ctx.baseline();
  let n = 0;
  await fc.assert(
    fc.asyncProperty(caseArb, async (c) => {
      const i = n++;
      ctx.beat(`sse #${i}`);
      current = c;
      const client = new MellmServerClient({ endpoints: [url], apiKey: KEY, maxAttempts: 1, connectTimeoutMs: 200, firstTokenTimeoutMs: 150, idleTimeoutMs: 100, backoffBaseMs: 1, backoffMaxMs: 1 });
      const events: ReasoningEvent[] = [];
      try {
        for await (const e of client.stream({ mapPng: new Uint8Array([0x89, 0x50]), prompt: 'p', lang: 'zh', task: 'meu' })) events.push(e);
      } catch (e) {
        if (!(e instanceof ReasoningError)) throw new Error(`case ${i}: not a ReasoningError: ${(e as Error)?.name}: ${(e as Error)?.message}`);
        if (events.some((x) => x.type === 'delta')) throw new Error(`case ${i}: threw after a delta: ${e.message}`);
        if (e.message.includes(KEY) || e.message.includes('\n')) throw new Error(`case ${i}: message leaks the key or has several lines: ${e.message}`);
        ctx.count(`sse refused (${e.code})`);
        for (const r of open) r.destroy();
        return;
      }
      const dones = events.filter((e) => e.type === 'done');
      if (dones.length !== 1 || events[events.length - 1].type !== 'done') throw new Error(`case ${i}: ${dones.length} done events, last ${events[events.length - 1]?.type}`);
      const d = dones[0] as Extract<ReasoningEvent, { type: 'done' }>;
      if (d.incomplete !== (d.stop !== 'stop')) throw new Error(`case ${i}: incomplete ${d.incomplete} with stop ${d.stop}`);
      if ((d.message ?? '').includes(KEY)) throw new Error(`case ${i}: done message leaks the key`);
      ctx.count(`sse streamed (${d.stop})`);
      for (const r of open) r.destroy();
    }),
    { seed: ctx.seed, numRuns: Math.round(1500 * ctx.scale), timeout: 5_000, endOnFailure: true },
  );
  server.closeAllConnections();
  server.close();
  return [];
}
