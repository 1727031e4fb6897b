// Fuzz: hostile values for every setting and task property that reaches a command line, the planned
// lines actually run by sh in a temp folder with a PWNED marker check (test/fuzz/targets/settings.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeRun, runFuzzTarget } from '../support/fuzzHarness';

test('fuzz settings: hostile setting and task values are refused naming them or quoted; run by sh, no payload ever executes', async (t) => {
  const r = await runFuzzTarget('settings', { perCaseMs: 15_000, totalMs: 120_000 });
  t.diagnostic(describeRun('settings', r));
  assert.ok(r.total >= 1000, `${r.total} cases`);
  assert.ok(Object.keys(r.cases).some((k) => k.endsWith('planned and run')), 'some plans ran');
});
