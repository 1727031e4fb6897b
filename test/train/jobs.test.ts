import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clientHostFor, resolveJob, splitPrefix, type JobSettings, type MellmTaskDefinition } from '../../src/core/train/jobs';
import { commandLine } from '../../src/core/train/launch';

const settings = (over: Partial<JobSettings> = {}): JobSettings => ({
  remotePrefix: '',
  workdir: '/ws/.mellm',
  train: {},
  serve: {},
  endpoints: ['http://127.0.0.1:8000/v1'],
  model: 'mellm',
  concurrency: 8,
  ...over,
});
const ctx = { mellm: ['node', '/ext/dist/cli.js'], clientHost: '127.0.0.1' };
const def = (d: Partial<MellmTaskDefinition>): MellmTaskDefinition => ({ type: 'mellm', job: 'train', ...d });

test('each job resolves to its program, locally', () => {
  const lines = Object.fromEntries(
    (['export', 'train', 'merge', 'serve', 'benchmark'] as const).map((job) => {
      const { plan, target } = resolveJob(def({ job, dataset: '/d/CASME2', out: '/ws/runs/r1', protocol: 'casme2' }), settings(), ctx);
      return [job, commandLine(plan, target).split(' && ').pop()];
    }),
  );
  assert.equal(lines.export, 'node /ext/dist/cli.js export /d/CASME2 --format llamafactory --out /ws/runs/r1 --lang zh --mer-ratio 0.5');
  assert.equal(lines.train, 'llamafactory-cli train mellm_train.yaml');
  assert.equal(lines.merge, 'llamafactory-cli export mellm_merge.yaml');
  assert.match(lines.serve!, /^vllm serve saves\/mellm-qwen2_5vl-7b\/merged --served-model-name mellm /);
  assert.equal(lines.benchmark, 'node /ext/dist/cli.js bench /d/CASME2 --protocol casme2 --out /ws/runs/r1 --endpoint http://127.0.0.1:8000/v1 --model mellm --concurrency 8 --task meu');
});

test('a remote prefix wraps the whole job, and serve reports the remote endpoint', () => {
  const s = settings({ remotePrefix: 'ssh -p 2222 me@gpu-box', workdir: '/data/mellm' });
  const { plan, target } = resolveJob(def({ job: 'serve' }), s, { mellm: ['mellm'], clientHost: clientHostFor(s.remotePrefix) });
  const line = commandLine(plan, target);
  assert.ok(line.startsWith("ssh -p 2222 me@gpu-box 'mkdir -p /data/mellm && cd /data/mellm && vllm serve "), line);
  assert.equal(plan.endpoint, 'http://gpu-box:8000/v1');
});

test('merge reads the adapter from the training output and writes the serve model folder', () => {
  const { plan } = resolveJob(def({ job: 'merge' }), settings({ train: { outputDir: 'saves/a' }, serve: { modelDir: 'saves/m' } }), ctx);
  assert.match(plan.files[0].content, /^adapter_name_or_path: saves\/a$/m);
  assert.match(plan.files[0].content, /^export_dir: saves\/m$/m);
});

test('settings and task overrides reach the training config', () => {
  const { plan } = resolveJob(def({ job: 'train', overrides: { maxSteps: 50 } }), settings({ train: { loraRank: 32, gpus: 2 } }), ctx);
  assert.match(plan.files[0].content, /^max_steps: 50$/m);
  assert.match(plan.files[0].content, /^lora_rank: 32$/m);
  assert.equal(plan.env.NPROC_PER_NODE, '2');
});

test('bad definitions say which property to fix', () => {
  assert.throws(() => resolveJob(def({ job: 'export' }), settings(), ctx), /needs a "dataset" property in tasks\.json/);
  assert.throws(() => resolveJob(def({ job: 'train', overrides: { learningrate: 1 } }), settings(), ctx), /unknown override "learningrate"/);
  assert.throws(() => resolveJob(def({ job: 'fly' as never }), settings(), ctx), /unknown mellm task job "fly"/);
});

test('prefix splitting and client host', () => {
  assert.deepEqual(splitPrefix('ssh -i "my key" gpu'), ['ssh', '-i', 'my key', 'gpu']);
  assert.equal(clientHostFor(''), '127.0.0.1');
  assert.equal(clientHostFor('ssh gpu-box'), 'gpu-box');
});
