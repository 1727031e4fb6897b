// Fuzz: mutated annotation workbooks (sheet XML and zip) through the dataset scanner's reader and
// `mellm dataset scan` in-process (test/fuzz/targets/xlsx.ts), in a child process under a per-case watchdog.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeRun, runFuzzTarget } from '../support/fuzzHarness';

test('fuzz xlsx: every mutated workbook gives string rows or one DatasetError line naming it, in bounded time; dataset scan never exits 70', async (t) => {
  const r = await runFuzzTarget('xlsx', { perCaseMs: 15_000, totalMs: 120_000 });
  t.diagnostic(describeRun('xlsx', r));
  assert.ok(r.total >= 1000, `${r.total} cases`);
  assert.ok(r.maxRssMiB - r.baselineRssMiB < 1024, `peak RSS ${r.maxRssMiB} MiB vs baseline ${r.baselineRssMiB} MiB`);
});
