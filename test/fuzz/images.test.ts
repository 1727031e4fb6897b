// Fuzz: mutated PNG/JPEG/BMP/TIFF headers and bodies (test/fuzz/targets/images.ts), seeded and bounded,
// in a child process under a per-case watchdog. Counts are printed as a diagnostic line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeRun, runFuzzTarget } from '../support/fuzzHarness';
import { RSS_MARGIN_MIB } from './targets/images';

test('fuzz images: every mutated file decodes within the limit or is refused in one line; mmc never exits 70; memory bounded', async (t) => {
  const r = await runFuzzTarget('images', { perCaseMs: 15_000, totalMs: 120_000 });
  t.diagnostic(describeRun('images', r));
  for (const n of r.notes) t.diagnostic(n);
  assert.ok(r.total >= 6400, `${r.total} cases`);
  assert.ok((r.cases['png bomb'] ?? 0) > 100 && (r.cases['bmp bomb'] ?? 0) > 100, 'bomb-like headers were generated');
  assert.ok(r.maxRssMiB - r.baselineRssMiB < RSS_MARGIN_MIB, `peak RSS ${r.maxRssMiB} MiB vs baseline ${r.baselineRssMiB} MiB`);
});
