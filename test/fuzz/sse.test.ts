// Fuzz: mutated SSE streams from a local server through the streaming client (test/fuzz/targets/sse.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeRun, runFuzzTarget } from '../support/fuzzHarness';

test('fuzz SSE: every mutated stream gives one ReasoningError line before text, or text and exactly one done; no key in messages; no hang', async (t) => {
  const r = await runFuzzTarget('sse', { perCaseMs: 10_000, totalMs: 120_000 });
  t.diagnostic(describeRun('sse', r));
  assert.ok(r.total >= 1500, `${r.total} cases`);
});
