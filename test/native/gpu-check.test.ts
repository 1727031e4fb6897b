// native/test/gpu_check_main.cc: the program that checks and measures the CUDA backend on a GPU machine
// without Node (scripts/device/check.sh). Here it runs in the emulation build (kernels as CPU loops)
// through the addon's own entry point (device choice, batching, out-of-memory halving): its checks must
// pass and its speed section must run. Where nvcc exists, the real CUDA build of it is compiled too and
// run: on a machine without a usable device it must say so (exit 3); with one, its checks must pass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeCheckPairs } from '../../scripts/device/pairs';

const ROOT = join(__dirname, '..', '..');
const S = join(ROOT, 'native', 'src');
const SOURCES = ['backend.cc', 'tvl1_cpu.cc', 'tvl1_kernels.cc', 'mmc_render.cc'].map((f) => join(S, f));
const CUDA_SOURCES = ['tvl1_gpu.cu', 'mmc_gpu.cu'].map((f) => join(S, 'cuda', f));
const MAIN = join(ROOT, 'native', 'test', 'gpu_check_main.cc');
const CPU_FLAGS = ['-O3', '-ffp-contract=off', '-fno-math-errno', '-fno-trapping-math', '-pthread'];
const FACES = join(ROOT, 'test', 'fixtures', 'faces');

type Line = { info?: { cudaDevices: number; cudaStatus: string }; check?: string; pass?: boolean; figure?: string; value?: number; error?: string };

function parse(stdout: string): Line[] {
  return stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Line);
}

let emulation: { bin: string; dir: string } | undefined;
function emulationBuild(): { bin: string; dir: string } {
  if (emulation) return emulation;
  const dir = mkdtempSync(join(tmpdir(), 'mellm-gpu-check-'));
  const bin = join(dir, 'gpu_check');
  execFileSync('g++', ['-std=c++17', '-DMELLM_WITH_CUDA', '-DMELLM_GPU_EMULATE', ...CPU_FLAGS, '-I', S, '-x', 'c++', ...CUDA_SOURCES, '-x', 'none', ...SOURCES, MAIN, '-o', bin]);
  emulation = { bin, dir };
  return emulation;
}

test('gpu_check (emulation build): checks pass and the speed section runs', async () => {
  const { bin, dir } = emulationBuild();
  const list = await writeCheckPairs(join(dir, 'pairs'), ['s1left_128x156', 's5top_128x156'].map((n) => join(FACES, n)));
  const r = spawnSync(bin, [list, '--smoke'], { encoding: 'utf8' });
  const lines = parse(r.stdout);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const checks = lines.filter((l) => l.check !== undefined);
  assert.deepEqual(
    checks.map((l) => l.check),
    ['cuda vs cpu: s1left_128x156', 'cuda vs cpu: s5top_128x156', 'batch equals one by one: 128x156', 'bad device index is an error'],
  );
  assert.ok(checks.every((l) => l.pass === true));
  const figures = lines.filter((l) => l.figure !== undefined);
  for (const want of [/single-pair latency/, /batched throughput, batch 2/, /CPU backend throughput/, /GPU vs CPU backend/, /5 pairs of 128x156, flow \+ map/]) {
    const f = figures.find((x) => want.test(x.figure!));
    assert.ok(f && Number.isFinite(f.value) && f.value! > 0, `figure ${want}: ${JSON.stringify(f)}`);
  }
});

test('a failure that loses the GPU context: a clear error, then auto computes on the CPU and cuda is refused', async () => {
  const { bin, dir } = emulationBuild();
  const list = await writeCheckPairs(join(dir, 'lost'), [join(FACES, 's3mid_128x156')]);
  // The emulated device faults at its 2nd synchronisation, as a kernel with an illegal address would.
  const r = spawnSync(bin, [list, '--lost-context'], { encoding: 'utf8', env: { ...process.env, MELLM_GPU_EMULATE_FAULT: '2' } });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const checks = parse(r.stdout).filter((l) => l.check !== undefined);
  assert.equal(checks.length, 4);
  assert.ok(checks.every((l) => l.pass === true), r.stdout);
});

const nvcc = spawnSync(process.execPath, [join(ROOT, 'scripts', 'detect-cuda.js'), '--home'], { encoding: 'utf8' }).stdout.trim();

test('gpu_check (CUDA build): compiles with nvcc; without a device it says so, with one its checks pass', { skip: nvcc ? false : 'nvcc not found', timeout: 600_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mellm-gpu-check-cuda-'));
  const bin = join(dir, 'gpu_check');
  execFileSync(join(nvcc, 'bin', 'nvcc'), [
    '-O3', '-std=c++17', '--fmad=false', '-gencode', 'arch=compute_80,code=sm_80', '-gencode', 'arch=compute_90,code=sm_90',
    '-DMELLM_WITH_CUDA', '-Xcompiler', CPU_FLAGS.join(' '), '-I', S, ...CUDA_SOURCES, ...SOURCES, MAIN, '-o', bin, '-lpthread',
  ]);
  const list = await writeCheckPairs(join(dir, 'pairs'), ['s1left_128x156', 's3mid_128x156'].map((n) => join(FACES, n)));
  const r = spawnSync(bin, [list, '--quick'], { encoding: 'utf8' });
  const [first, ...rest] = parse(r.stdout);
  assert.ok(first.info, r.stdout);
  if (first.info.cudaDevices === 0) {
    assert.equal(r.status, 3, r.stdout);
    assert.ok(first.info.cudaStatus.length > 0);
  } else {
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.ok(rest.filter((l) => l.check).every((l) => l.pass === true), r.stdout);
  }
});
