// "Never blocks the extension host": two TV-L1 flows run at once off the JS thread; one is cancelled
// mid-way (rejects with CancelledError) while the other completes, and a timer keeps ticking throughout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CancelledError, computeFlow, type GreyImage, type TvL1Params } from '../../src/core/native';

function pair(w: number, h: number): [GreyImage, GreyImage] {
  const a = new Uint8Array(w * h);
  const b = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      a[y * w + x] = 128 + 60 * Math.sin(x / 9) * Math.cos(y / 11);
      b[y * w + x] = 128 + 60 * Math.sin((x - 1.3) / 9) * Math.cos((y + 0.7) / 11);
    }
  }
  return [
    { width: w, height: h, data: a },
    { width: w, height: h, data: b },
  ];
}

test('two concurrent flows: one cancelled mid-way, the other completes, the event loop keeps ticking', async () => {
  const [onset, apex] = pair(640, 480);
  // A stopping threshold no flow reaches, so that every iteration runs: a fixed amount of work (about
  // 1 s on one core here) whatever the images, long enough to be cancelled mid-way on a fast machine too.
  const params: Partial<TvL1Params> = { epsilon: 1e-9, warps: 2 };
  const ticks: number[] = [];
  const timer = setInterval(() => ticks.push(performance.now()), 10);
  try {
    const t0 = performance.now();
    const ac = new AbortController();
    const cancelled = computeFlow(onset, apex, params, { signal: ac.signal, threads: 1 }).then(
      () => ({ ok: true as const, at: performance.now() - t0, error: undefined }),
      (error: unknown) => ({ ok: false as const, at: performance.now() - t0, error }),
    );
    const completed = computeFlow(onset, apex, params, { threads: 1 }).then((flow) => ({ flow, at: performance.now() - t0 }));
    setTimeout(() => ac.abort(), 100);
    const [a, b] = await Promise.all([cancelled, completed]);

    assert.equal(a.ok, false, 'the aborted flow must reject');
    assert.ok(a.error instanceof CancelledError, `rejected with ${String(a.error)}`);
    assert.ok(a.at < b.at * 0.7, `cancelled at ${a.at.toFixed(0)} ms, the other finished at ${b.at.toFixed(0)} ms`);

    assert.equal(b.flow.width, 640);
    assert.equal(b.flow.u.length, 640 * 480);
    // The pair is shifted by about (1.3, -0.7) px: the completed flow found it.
    let su = 0;
    let sv = 0;
    for (let i = 0; i < b.flow.u.length; i++) {
      su += b.flow.u[i];
      sv += b.flow.v[i];
    }
    const n = b.flow.u.length;
    assert.ok(Math.abs(su / n - 1.3) < 0.2 && Math.abs(sv / n + 0.7) < 0.2, `mean flow (${su / n}, ${sv / n})`);

    // Responsiveness: the 10 ms timer ran all along. A flow computed on the JS thread would stall it for about
    // a whole flow's duration; scheduling noise on a busy machine stays far below half of it.
    const gaps = ticks.slice(1).map((t, i) => t - ticks[i]);
    const worst = Math.max(...gaps);
    assert.ok(ticks.length >= (b.at / 10) * 0.5, `${ticks.length} ticks in ${b.at.toFixed(0)} ms`);
    assert.ok(worst < b.at / 2, `longest gap between ticks ${worst.toFixed(0)} ms of ${b.at.toFixed(0)} ms`);
  } finally {
    clearInterval(timer);
  }
});

test('an already aborted signal rejects at once without starting', async () => {
  const [onset, apex] = pair(64, 48);
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(computeFlow(onset, apex, {}, { signal: ac.signal }), CancelledError);
});
