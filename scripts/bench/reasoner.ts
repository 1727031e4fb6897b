// Built-in reasoner latency: from "MMC-Map ready" (flow, head vector and face known) to the first streamed
// token, i.e. regional motion measurement + FACS inference + answer writing + the first delta. Target < 50 ms.
// Input: the real-face fixture (280x340) warped with a synthetic smile, native TV-L1 flow; and the same face
// placed in a 640x480 frame (CASME II frame size). Reference in the same run: the TV-L1 flow of that pair.
// Also the lighting estimate (estimatePhotometric, run on every pair before the flow is measured) on that
// smile under a lit, shifted head: the first call in the process and the median after warm-up, against the
// same reference.
// Run alone: node --import tsx scripts/bench/reasoner.ts
import { performance } from 'node:perf_hooks';
import { runAlone, type BenchRow } from './_common';
import { computeFlow, type FlowField, type GreyImage } from '../../src/core/native';
import type { FaceResult } from '../../src/core/face/types';
import { measureRegionMotion } from '../../src/core/reasoning/regionMotion';
import { estimatePhotometric } from '../../src/core/reasoning/photometric';
import { faceExtent } from '../../src/core/reasoning/lightingFlow';
import { BuiltinReasoner } from '../../src/core/reasoning/reasoner';
import { buildPrompt } from '../../src/core/reasoning/prompts';
import { EXPRESSIONS, faceFromPoints, fixtureLandmarks, loadFixtureFace } from '../../test/fixtures/reasoning/face';
import { warpFace } from '../../test/support/warp';

/** The fixture face pasted at (dx, dy) into a larger frame (edge pixels replicated), with moved landmarks. */
function inFrame(onset: GreyImage, w: number, h: number, dx: number, dy: number): { img: GreyImage; shift: [number, number] } {
  const data = new Uint8Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const sx = Math.min(onset.width - 1, Math.max(0, x - dx));
      const sy = Math.min(onset.height - 1, Math.max(0, y - dy));
      data[y * w + x] = onset.data[sy * onset.width + sx];
    }
  return { img: { width: w, height: h, data }, shift: [dx, dy] };
}

async function firstToken(r: BuiltinReasoner, flow: FlowField, face: FaceResult, head: [number, number]): Promise<{ first: number; measure: number; total: number }> {
  const t0 = performance.now();
  const motion = measureRegionMotion(flow, face, { head });
  const t1 = performance.now();
  let first = -1;
  for await (const ev of r.stream({ mapPng: new Uint8Array(0), prompt: PROMPT, lang: 'zh', task: 'meu', motion })) {
    if (ev.type === 'delta' && first < 0) first = performance.now() - t0;
  }
  return { first, measure: t1 - t0, total: performance.now() - t0 };
}

/**
 * estimatePhotometric on the smile with the head shifted by (1.3, -0.7) px under a 4% gain, a lighting
 * gradient and banding (the full path: rigid fit, cells, robust fit, rows): cold (only on the first case) and
 * the median of 30 warm calls, as a share of the flow time measured in the same run.
 */
function lightingRows(name: string, onset: GreyImage, face: FaceResult, flowMs: number, cold: boolean): BenchRow[] {
  const { apex: smile } = warpFace(onset, face.points, { ...EXPRESSIONS.happiness, shift: [1.3, -0.7] });
  const data = new Uint8Array(smile.data.length);
  for (let y = 0; y < onset.height; y++)
    for (let x = 0; x < onset.width; x++) {
      const g = (1.04 + (0.04 * x) / onset.width) * (1 + 0.015 * Math.sin((2 * Math.PI * y) / 23));
      data[y * onset.width + x] = Math.min(255, Math.round(smile.data[y * onset.width + x] * g + 2));
    }
  const apex = { ...onset, data };
  const box = faceExtent(face);
  const out: BenchRow[] = [];
  const once = () => {
    const t = performance.now();
    const c = estimatePhotometric(onset, apex, { box });
    if (!c.significant) throw new Error(`reasoner bench: the lit pair's lighting was not found (${c.sentence.en})`);
    return performance.now() - t;
  };
  if (cold) {
    const ms = once();
    out.push({ bench: 'reasoner', metric: `lighting estimate (estimatePhotometric), cold (first call in process), ${name}`, value: ms, unit: 'ms', note: `${((100 * ms) / flowMs).toFixed(1)}% of the flow time; includes JIT warm-up` });
  }
  for (let i = 0; i < 5; i++) once();
  const ms = pct(Array.from({ length: 30 }, once), 0.5);
  out.push({ bench: 'reasoner', metric: `lighting estimate (estimatePhotometric), median, ${name}`, value: ms, unit: 'ms', note: `${((100 * ms) / flowMs).toFixed(1)}% of the flow time (same run)` });
  return out;
}

const PROMPT = buildPrompt({ lang: 'zh', protocol: 'dfme' });
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];

export async function reasoner(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const { onset, face } = await loadFixtureFace();
  const lm = fixtureLandmarks();
  const cases: { name: string; onset: GreyImage; face: FaceResult }[] = [{ name: '280x340', onset, face }];
  const big = inFrame(onset, 640, 480, 180, 70);
  const moved = lm.points.map(([x, y]) => [x + big.shift[0], y + big.shift[1]] as [number, number]);
  cases.push({ name: '640x480', onset: big.img, face: faceFromPoints(moved, { ...lm.box, x: lm.box.x + big.shift[0], y: lm.box.y + big.shift[1] }) });
  const r = new BuiltinReasoner();
  let coldDone = false;
  let lightingColdDone = false;
  for (const c of cases) {
    const { apex } = warpFace(c.onset, c.face.points, EXPRESSIONS.happiness);
    const tf = performance.now();
    const flow = await computeFlow(c.onset, apex, {}, {});
    const flowMs = performance.now() - tf;
    const head: [number, number] = [0, 0];
    if (!coldDone) {
      const cold = await firstToken(r, flow, c.face, head);
      rows.push({ bench: 'reasoner', metric: `map -> first token, cold (first call in process), ${c.name}`, value: cold.first, unit: 'ms', note: 'includes JIT warm-up' });
      coldDone = true;
    }
    for (let i = 0; i < 20; i++) await firstToken(r, flow, c.face, head);
    const firsts: number[] = [];
    const measures: number[] = [];
    const totals: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t = await firstToken(r, flow, c.face, head);
      firsts.push(t.first);
      measures.push(t.measure);
      totals.push(t.total);
    }
    const med = pct(firsts, 0.5);
    rows.push({ bench: 'reasoner', metric: `map -> first token, median, ${c.name}`, value: med, unit: 'ms', note: `target < 50 ms; ${(50 / med).toFixed(0)}x under` });
    rows.push({ bench: 'reasoner', metric: `map -> first token, p95, ${c.name}`, value: pct(firsts, 0.95), unit: 'ms' });
    rows.push({ bench: 'reasoner', metric: `regional motion measurement, median, ${c.name}`, value: pct(measures, 0.5), unit: 'ms' });
    rows.push({ bench: 'reasoner', metric: `whole answer streamed, median, ${c.name}`, value: pct(totals, 0.5), unit: 'ms' });
    rows.push({ bench: 'reasoner', metric: `reference: TV-L1 flow of the same pair, ${c.name}`, value: flowMs, unit: 'ms', note: `first token = ${((100 * med) / flowMs).toFixed(1)}% of the flow time` });
    rows.push(...lightingRows(c.name, c.onset, c.face, flowMs, !lightingColdDone));
    lightingColdDone = true;
  }
  return rows;
}

export default reasoner;

if (require.main === module) runAlone('reasoner', reasoner);
