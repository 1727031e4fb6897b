// The CUDA backend. Where no GPU is usable (this machine, CI) its algorithm still runs: the same .cu
// source is compiled as plain C++ (MELLM_GPU_EMULATE) and compared with OpenCV's DualTVL1 reference
// flow and with itself in batches. The tests that need a real device skip with the reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadGrey } from '../../src/core/image';
import { readFlo } from '../../src/core/flo';
import { computeBatch, computeFlow, nativeInfo, renderMmcNative, type FlowField, type GreyImage } from '../../src/core/native';

const ROOT = join(__dirname, '..', '..');
const FIX = join(ROOT, 'test', 'fixtures', 'faces');
const small = readdirSync(FIX).filter((n) => n.includes('128x156')).sort();

function epe(a: FlowField, b: FlowField): number {
  let s = 0;
  for (let i = 0; i < a.u.length; i++) s += Math.hypot(a.u[i] - b.u[i], a.v[i] - b.v[i]);
  return s / a.u.length;
}

let emulator: string | undefined;
function buildEmulator(): string {
  if (emulator) return emulator;
  const dir = mkdtempSync(join(tmpdir(), 'mellm-gpu-emu-'));
  const bin = join(dir, 'gpu_emulate');
  execFileSync('g++', [
    '-O2', '-std=c++17', '-DMELLM_GPU_EMULATE', '-I', join(ROOT, 'native', 'src'),
    '-x', 'c++', join(ROOT, 'native', 'src', 'cuda', 'tvl1_gpu.cu'), join(ROOT, 'native', 'src', 'cuda', 'mmc_gpu.cu'),
    // The CPU renderer: the device hands it the pairs whose nose window is empty (float64 path).
    '-x', 'none', join(ROOT, 'native', 'src', 'mmc_render.cc'), join(ROOT, 'native', 'test', 'gpu_emulate_main.cc'), '-o', bin,
  ]);
  emulator = bin;
  return bin;
}

/** Runs the emulated GPU TV-L1 (and, with a nose, the device renderer) on same-size pairs in ONE batch. */
function emulate(
  pairs: [GreyImage, GreyImage][],
  nose?: { x: number; y: number },
  order: 'forward' | 'reverse' = 'forward',
): (FlowField & { rgb?: Uint8Array })[] {
  const bin = buildEmulator();
  const dir = mkdtempSync(join(tmpdir(), 'mellm-gpu-run-'));
  const { width: w, height: h } = pairs[0][0];
  const args = [String(w), String(h), String(pairs.length)];
  pairs.forEach(([a, b], i) => {
    writeFileSync(join(dir, `o${i}.raw`), a.data);
    writeFileSync(join(dir, `a${i}.raw`), b.data);
    args.push(join(dir, `o${i}.raw`), join(dir, `a${i}.raw`));
  });
  execFileSync(bin, [...args, join(dir, 'out'), ...(nose ? [String(nose.x), String(nose.y)] : [])], {
    env: { ...process.env, MELLM_GPU_EMULATE_ORDER: order },
  });
  return pairs.map((_, i) => {
    const u = new Float32Array(readFileSync(join(dir, `out${i}.u`)).buffer.slice(0));
    const v = new Float32Array(readFileSync(join(dir, `out${i}.v`)).buffer.slice(0));
    const rgb = nose ? new Uint8Array(readFileSync(join(dir, `out${i}.rgb`))) : undefined;
    return { width: w, height: h, u, v, rgb };
  });
}

async function fixture(name: string): Promise<{ onset: GreyImage; apex: GreyImage; opencv: FlowField }> {
  const d = join(FIX, name);
  return { onset: await loadGrey(join(d, 'onset.png')), apex: await loadGrey(join(d, 'apex.png')), opencv: await readFlo(join(d, 'opencv.flo')) };
}

test('GPU algorithm (emulated): a batch of face pairs matches OpenCV DualTVL1 (mean EPE <= 0.01 px)', async () => {
  const fx = await Promise.all(small.map(fixture));
  const flows = emulate(fx.map((f) => [f.onset, f.apex]));
  fx.forEach((f, i) => {
    const e = epe(flows[i], f.opencv);
    assert.ok(e <= 0.01, `${small[i]}: mean EPE ${e} vs OpenCV`);
  });
});

test('GPU algorithm (emulated): a batch gives each pair the flow it gets alone (per-pair stopping rule)', async () => {
  const fx = await Promise.all(small.map(fixture));
  // Mix pairs that converge at different iterations: the reversed pair and an identical (no-motion) pair.
  const batch = emulate([
    [fx[0].onset, fx[0].apex],
    [fx[0].apex, fx[0].onset],
    [fx[1].onset, fx[1].onset],
  ]);
  const alone = [emulate([[fx[0].onset, fx[0].apex]])[0], emulate([[fx[0].apex, fx[0].onset]])[0], emulate([[fx[1].onset, fx[1].onset]])[0]];
  batch.forEach((f, i) => assert.deepEqual(f.u, alone[i].u, `pair ${i} u`));
  batch.forEach((f, i) => assert.deepEqual(f.v, alone[i].v, `pair ${i} v`));
  assert.ok(batch[2].u.every((x) => x === 0), 'identical frames give zero flow');
});

test('GPU renderer (emulated) draws the same MMC-Map bytes as the CPU renderer from the same flow', async () => {
  for (const name of small) {
    const f = await fixture(name);
    const meta = JSON.parse(readFileSync(join(FIX, name, 'meta.json'), 'utf8')) as { nose: { x: number; y: number } };
    const [gpu] = emulate([[f.onset, f.apex]], meta.nose);
    const cpu = await renderMmcNative(f.onset, gpu, { nose: meta.nose, device: 'cpu' });
    let same = 0;
    for (let i = 0; i < cpu.rgb.length; i += 3) if (cpu.rgb[i] === gpu.rgb![i] && cpu.rgb[i + 1] === gpu.rgb![i + 1] && cpu.rgb[i + 2] === gpu.rgb![i + 2]) same++;
    assert.equal(same, cpu.rgb.length / 3, `${name}: ${same} of ${cpu.rgb.length / 3} pixels identical`);
  }
});

test('GPU kernels (emulated) give the same bytes whatever order their threads run in', async () => {
  // On a device, blocks and threads run in no fixed order: no thread may read what another thread of
  // the same launch writes. Running the grid last-to-first would expose such a read.
  const fx = await Promise.all(small.slice(0, 2).map(fixture));
  const nose = { x: 64, y: 90 };
  const pairs = fx.map((f): [GreyImage, GreyImage] => [f.onset, f.apex]);
  const forward = emulate(pairs, nose, 'forward');
  const reverse = emulate(pairs, nose, 'reverse');
  for (let i = 0; i < pairs.length; i++) {
    assert.deepEqual(reverse[i].u, forward[i].u, `pair ${i}: u`);
    assert.deepEqual(reverse[i].v, forward[i].v, `pair ${i}: v`);
    assert.deepEqual(reverse[i].rgb, forward[i].rgb, `pair ${i}: map`);
  }
});

test('GPU algorithm (emulated) agrees with the CPU backend (mean EPE <= 0.01 px)', async () => {
  const f = await fixture(small[0]);
  const gpu = emulate([[f.onset, f.apex]])[0];
  const cpu = await computeFlow(f.onset, f.apex, {}, { device: 'cpu' });
  const e = epe(gpu, cpu);
  assert.ok(e <= 0.01, `mean EPE CPU vs GPU algorithm ${e}`);
});

const info = nativeInfo();
const noGpu = info.cudaDevices === 0 ? `no usable CUDA device here (${info.cudaStatus})` : false;

test('asking for cuda where there is none is a clear error naming the setting', { skip: info.cudaDevices > 0 ? 'a CUDA device is present' : false }, async () => {
  const g: GreyImage = { width: 64, height: 64, data: new Uint8Array(64 * 64) };
  await assert.rejects(computeFlow(g, g, {}, { device: 'cuda' }), /device 'cuda' was asked for.*(mellm\.device|--device)/);
  if (info.cudaCompiled) {
    // The reason is the user's, not the runtime's code: a missing driver is named as such.
    await assert.rejects(computeFlow(g, g, {}, { device: 'cuda' }), (e: Error) => e.message.includes(info.cudaStatus));
    assert.doesNotMatch(info.cudaStatus, /^$/);
  }
  // auto falls back to the CPU and still works.
  const f = await computeFlow(g, g, {}, { device: 'auto' });
  assert.equal(f.u.length, 64 * 64);
});

test('CUDA: flow and maps agree with the CPU backend on the face fixtures', { skip: noGpu }, async () => {
  for (const name of readdirSync(FIX).sort()) {
    const f = await fixture(name);
    const meta = JSON.parse(readFileSync(join(FIX, name, 'meta.json'), 'utf8')) as { nose: { x: number; y: number } };
    const [gpu] = await computeBatch([{ onset: f.onset, apex: f.apex, render: { nose: meta.nose } }], {}, { device: 'cuda' });
    const cpu = await computeFlow(f.onset, f.apex, {}, { device: 'cpu' });
    assert.ok(epe(gpu.flow, cpu) <= 0.01, `${name}: EPE ${epe(gpu.flow, cpu)}`);
    const cpuMap = await renderMmcNative(f.onset, cpu, { nose: meta.nose, device: 'cpu' });
    let same = 0;
    const n = f.onset.width * f.onset.height;
    for (let i = 0; i < n; i++) {
      const k = i * 3;
      if (gpu.map!.rgb[k] === cpuMap.rgb[k] && gpu.map!.rgb[k + 1] === cpuMap.rgb[k + 1] && gpu.map!.rgb[k + 2] === cpuMap.rgb[k + 2]) same++;
    }
    assert.ok(same / n >= 0.995, `${name}: ${((100 * same) / n).toFixed(2)}% identical pixels`);
  }
});

test('CUDA: batch equals one-by-one', { skip: noGpu }, async () => {
  const fx = await Promise.all(small.map(fixture));
  const batch = await computeBatch(fx.map((f) => ({ onset: f.onset, apex: f.apex })), {}, { device: 'cuda' });
  for (let i = 0; i < fx.length; i++) {
    const [one] = await computeBatch([{ onset: fx[i].onset, apex: fx[i].apex }], {}, { device: 'cuda' });
    assert.deepEqual(batch[i].flow.u, one.flow.u);
    assert.deepEqual(batch[i].flow.v, one.flow.v);
  }
});

test('CUDA: a bad device index is a clear error', { skip: noGpu }, async () => {
  const g: GreyImage = { width: 32, height: 32, data: new Uint8Array(32 * 32) };
  await assert.rejects(computeFlow(g, g, {}, { device: 'cuda', deviceIndex: 999 }), /CUDA device index 999 is out of range/);
});
