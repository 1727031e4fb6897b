// The synthetic-warp utility the reasoner tests rely on: its ground-truth flow must be exact, and the
// real TV-L1 must recover it on the fixture face (otherwise real-flow tests would test nothing).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { displacementField, warpFace } from '../support/warp';
import { EXPRESSIONS, loadFixtureFace } from '../fixtures/reasoning/face';
import { computeFlow } from '../../src/core/native';

test('ground-truth flow is the exact inverse of the backward warp: q = p + f(p) satisfies q - d(q) = p', async () => {
  const { onset, face } = await loadFixtureFace();
  const spec = { ...EXPRESSIONS.surprise, shift: [0.7, -0.4] as [number, number] };
  const { flow } = warpFace(onset, face.points, spec);
  const d = displacementField(face.points, spec);
  let worst = 0;
  for (let y = 0; y < flow.height; y += 3) {
    for (let x = 0; x < flow.width; x += 3) {
      const i = y * flow.width + x;
      const qx = x + flow.u[i];
      const qy = y + flow.v[i];
      const [du, dv] = d(qx, qy);
      worst = Math.max(worst, Math.hypot(qx - du - x, qy - dv - y));
    }
  }
  assert.ok(worst < 1e-4, `worst inverse error ${worst} px`);
  // Far from every bump only the shift remains.
  assert.ok(Math.abs(flow.u[5] - 0.7) < 1e-6 && Math.abs(flow.v[5] + 0.4) < 1e-6);
});

test('the warped apex carries the onset texture along the flow (bilinear): apex(p + f(p)) ~ onset(p)', async () => {
  const { onset, face } = await loadFixtureFace();
  const { apex, flow } = warpFace(onset, face.points, EXPRESSIONS.happiness);
  const [cx, cy] = face.points[48];
  let sum = 0;
  let n = 0;
  for (let y = Math.round(cy) - 8; y <= Math.round(cy) + 8; y++) {
    for (let x = Math.round(cx) - 8; x <= Math.round(cx) + 8; x++) {
      const i = y * onset.width + x;
      const qx = Math.round(x + flow.u[i]);
      const qy = Math.round(y + flow.v[i]);
      // Compare with the nearest apex pixel after an integer move of the mean flow: texture follows it.
      sum += Math.abs(apex.data[qy * onset.width + qx] - onset.data[i]);
      n++;
    }
  }
  const moved = sum / n;
  let still = 0;
  for (let y = Math.round(cy) - 8; y <= Math.round(cy) + 8; y++)
    for (let x = Math.round(cx) - 8; x <= Math.round(cx) + 8; x++) still += Math.abs(apex.data[y * onset.width + x] - onset.data[y * onset.width + x]);
  assert.ok(moved < still / n, `following the flow (${moved.toFixed(2)}) must match better than standing still (${(still / n).toFixed(2)})`);
});

test('native TV-L1 recovers the synthetic lip-corner motion within a fraction of a pixel', async () => {
  const { onset, face } = await loadFixtureFace();
  const { apex, flow: gt } = warpFace(onset, face.points, EXPRESSIONS.happiness);
  const flow = await computeFlow(onset, apex, {}, {});
  for (const k of [48, 54]) {
    const [x, y] = face.points[k].map(Math.round);
    const i = y * onset.width + x;
    const epe = Math.hypot(flow.u[i] - gt.u[i], flow.v[i] - gt.v[i]);
    assert.ok(epe < 0.6, `point ${k}: TV-L1 (${flow.u[i].toFixed(2)}, ${flow.v[i].toFixed(2)}) vs truth (${gt.u[i].toFixed(2)}, ${gt.v[i].toFixed(2)})`);
  }
});
