// Streaming in the panel: a 2,000-token answer pushed at ~2,000 tokens/s (10 tokens every 5 ms, far faster
// than a real server) into a lane of the real panel in headless Chromium. Measures the long tasks (> 50 ms)
// and the largest gap between animation frames while it streams. Reference in the same run: the largest
// frame gap of the same page, idle, over the same time, so a loaded machine shows as a ratio near 1.
// The test (test/webview/panel.test.ts) checks what keeps the cost bounded (the rendered prefix is kept,
// one tail rebuild per frame at most); the timings live here.
// Run alone: node --import tsx scripts/bench/stream.ts
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runAlone, type BenchRow, round } from './_common';
import { openPanel, ROOT, CHROMIUM } from '../../test/webview/harness';
import { testClip, longAnswer } from '../../test/webview/fixtures';
import { PROTOCOL_VERSION } from '../../src/shared/protocol';

const CLIP = 'sub01/EP02_01f';

/** Page-side driver as a plain-JS string (tsx's helpers do not exist in the page). */
const driver = (deltas: string[] | null, ms: number): string => `(async (deltas, ms) => {
  const long = [];
  const obs = new PerformanceObserver((l) => l.getEntries().forEach((e) => long.push(e.duration)));
  obs.observe({ type: 'longtask' });
  const frames = [];
  let last = performance.now();
  let raf = 0;
  const tick = () => { const t = performance.now(); frames.push(t - last); last = t; raf = requestAnimationFrame(tick); };
  raf = requestAnimationFrame(tick);
  const t0 = performance.now();
  if (deltas) {
    let i = 0;
    await new Promise((res) => {
      const timer = setInterval(() => {
        for (let k = 0; k < 10 && i < deltas.length; k++, i++)
          window.postMessage({ type: 'streamDelta', clipId: '${CLIP}', lane: 'a', text: deltas[i] }, '*');
        if (i >= deltas.length) { clearInterval(timer); res(); }
      }, 5);
    });
  } else await new Promise((r) => setTimeout(r, ms));
  const took = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 300));
  cancelAnimationFrame(raf);
  obs.disconnect();
  return { long, took, maxFrameGap: Math.max(...frames.slice(1)) };
})(${JSON.stringify(deltas)}, ${ms})`;

interface Run { long: number[]; took: number; maxFrameGap: number }

export async function stream(): Promise<BenchRow[]> {
  if (!existsSync(CHROMIUM) || !existsSync(join(ROOT, 'dist/webview.js'))) {
    throw new Error(`stream bench needs ${CHROMIUM} (apt-get install chromium) and dist/webview.js (node esbuild.js)`);
  }
  const p = await openPanel();
  try {
    await p.send(
      { type: 'init', version: PROTOCOL_VERSION, settings: { lang: 'en', trusted: true, defaultSource: { kind: 'builtin' }, endpoints: [], model: 'mellm' } },
      { type: 'clip', clip: await testClip() },
    );
    const { deltas } = longAnswer(2000);
    const runs: Array<{ stream: Run; idle: Run }> = [];
    for (let r = 0; r < 3; r++) {
      await p.send({ type: 'streamStart', clipId: CLIP, lane: 'a', label: 'Built-in FACS reasoner', kind: 'builtin' });
      const s = (await p.page.evaluate(driver(deltas, 0))) as Run;
      await p.send({ type: 'streamDone', clipId: CLIP, lane: 'a', stop: 'stop', incomplete: false, totalMs: s.took });
      const idle = (await p.page.evaluate(driver(null, s.took))) as Run;
      runs.push({ stream: s, idle });
    }
    // The run with the median stream frame gap.
    runs.sort((a, b) => a.stream.maxFrameGap - b.stream.maxFrameGap);
    const m = runs[1];
    const note = `${deltas.length} tokens in ${round(m.stream.took, 0)} ms; 3 runs, the median by frame gap`;
    return [
      { bench: 'stream', metric: 'long tasks (> 50 ms) while streaming', value: m.stream.long.length, unit: 'count', note },
      { bench: 'stream', metric: 'longest task while streaming', value: round(Math.max(0, ...m.stream.long), 0), unit: 'ms' },
      { bench: 'stream', metric: 'max frame gap while streaming', value: round(m.stream.maxFrameGap, 0), unit: 'ms' },
      { bench: 'stream', metric: 'max frame gap, same page idle (reference)', value: round(m.idle.maxFrameGap, 0), unit: 'ms' },
      { bench: 'stream', metric: 'frame gap streaming / idle', value: round(m.stream.maxFrameGap / Math.max(1, m.idle.maxFrameGap), 2), unit: 'x' },
    ];
  } finally {
    await p.close();
  }
}

if (require.main === module) runAlone('stream', stream);
