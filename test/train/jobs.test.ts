import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clientHostFor, needsHome, resolveJob, splitPrefix, type JobSettings, type MellmTaskDefinition } from '../../src/core/train/jobs';
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

test('a remote prefix wraps the whole job; serve listens on the remote loopback, reached through the job\'s own ssh forward', () => {
  const s = settings({ remotePrefix: 'ssh -p 2222 me@gpu-box', workdir: '/data/mellm' });
  const { plan, target } = resolveJob(def({ job: 'serve' }), s, { mellm: ['mellm'], clientHost: clientHostFor(s.remotePrefix) });
  const line = commandLine(plan, target);
  assert.ok(
    line.startsWith("ssh -o ExitOnForwardFailure=yes -L 8000:127.0.0.1:8000 -p 2222 me@gpu-box 'mkdir -p /data/mellm && cd /data/mellm && IFS= read -r VLLM_API_KEY && export VLLM_API_KEY && vllm serve "),
    line,
  );
  assert.match(line, /--host 127\.0\.0\.1 /);
  assert.doesNotMatch(line, /--trust-remote-code|--api-key/);
  assert.equal(plan.endpoint, 'http://127.0.0.1:8000/v1');
  // Asked to listen on every interface, the endpoint is the remote host (and no forward is made).
  const open = resolveJob(def({ job: 'serve' }), settings({ ...s, serve: { host: '0.0.0.0' } }), { mellm: ['mellm'], clientHost: clientHostFor(s.remotePrefix) });
  assert.equal(open.plan.endpoint, 'http://gpu-box:8000/v1');
  assert.equal(open.target.sshOptions, undefined);
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
  assert.equal(clientHostFor('ssh host -p 2222'), 'host');
  assert.equal(clientHostFor('ssh -p 2222 -i ~/.ssh/k me@host'), 'host');
  assert.equal(clientHostFor('ssh -J jump -l me host.example.org hostname'), 'host.example.org');
  assert.equal(clientHostFor('ssh -p2222 -vA box'), 'box');
  assert.equal(clientHostFor('ssh ssh://me@box:2222'), 'box');
  assert.equal(clientHostFor('/usr/bin/ssh -o ProxyJump=a box'), 'box');
  assert.equal(clientHostFor('docker exec -i ctr'), '127.0.0.1');
  assert.deepEqual(splitPrefix('ssh -o "ProxyCommand=ssh -W %h:%p jump" box'), ['ssh', '-o', 'ProxyCommand=ssh -W %h:%p jump', 'box']);
  assert.deepEqual(splitPrefix("ssh 'a b'\\ c"), ['ssh', 'a b c']);
  assert.throws(() => splitPrefix('ssh "box'), /mellm\.jobs\.remotePrefix: unclosed " quote/);
  assert.throws(() => splitPrefix('ssh box; rm -rf ~'), /';' .* is shell syntax/);
  assert.throws(() => splitPrefix('ssh $(whoami)@box'), /shell syntax/);
});

test('overrides from tasks.json cannot open the server, change its key or run model code; values are type-checked', () => {
  for (const k of ['host', 'apiKeyEnv', 'trustRemoteCode']) {
    assert.throws(() => resolveJob(def({ job: 'serve', overrides: { [k]: k === 'trustRemoteCode' ? true : 'x' } }), settings(), ctx), new RegExp(`cannot set "${k}".*mellm\\.serve\\.${k} in your user settings`));
  }
  assert.throws(() => resolveJob(def({ job: 'train', overrides: { trustRemoteCode: true } }), settings(), ctx), /cannot set "trustRemoteCode"/);
  assert.throws(() => resolveJob(def({ job: 'train', overrides: { maxSteps: '300; touch PWNED' } }), settings(), ctx), /override "maxSteps" .* must be a number/);
  assert.throws(() => resolveJob(def({ job: 'serve', overrides: { port: 70000 } }), settings(), ctx), /mellm\.serve \(with the task's overrides\)\.port must be a whole number from 1 to 65535/);
  assert.throws(() => resolveJob(def({ job: 'serve' }), settings({ serve: { apiKeyEnv: 'X"; touch PWNED; echo "' } }), ctx), /mellm\.serve\.apiKeyEnv must be the name of an environment variable/);
  assert.throws(() => resolveJob(def({ job: 'train' }), settings({ train: { extra: { 'a: 1\nb': 2 } } }), ctx), /mellm\.train\.extra key must be a LLaMA-Factory argument name/);
  assert.throws(() => resolveJob(def({ job: 'train' }), settings({ train: { extra: { trust_remote_code: true } } }), ctx), /use mellm\.train\.trustRemoteCode/);
  // Asked for in the user's settings, model code runs: in every config that loads the model.
  const t = resolveJob(def({ job: 'train' }), settings({ train: { trustRemoteCode: true } }), ctx);
  assert.match(t.plan.files[0].content, /^trust_remote_code: true$/m);
  const m = resolveJob(def({ job: 'merge' }), settings(), ctx);
  assert.match(m.plan.files[0].content, /^trust_remote_code: false$/m);
  const sv = resolveJob(def({ job: 'serve' }), settings({ serve: { trustRemoteCode: true } }), ctx);
  assert.match(commandLine(sv.plan, sv.target), /--trust-remote-code/);
});

test('~ paths are the target\'s home, not a folder named ~', () => {
  const s = settings({ workdir: '~/mellm-jobs', serve: { modelDir: '~/models/merged' }, train: { datasetDir: '~/data' } });
  const d = def({ job: 'export', dataset: '~/datasets/CASME2', out: '~' });
  assert.equal(needsHome(d, s), true);
  const { plan, target } = resolveJob(d, s, { ...ctx, home: '/home/me' });
  assert.equal(target.workdir, '/home/me/mellm-jobs');
  assert.match(commandLine(plan, target), /export \/home\/me\/datasets\/CASME2 --format llamafactory --out \/home\/me /);
  const sv = resolveJob(def({ job: 'serve' }), s, { ...ctx, home: '/home/me' });
  assert.match(commandLine(sv.plan, sv.target), /vllm serve \/home\/me\/models\/merged /);
  const tr = resolveJob(def({ job: 'train' }), s, { ...ctx, home: '/home/me' });
  assert.match(tr.plan.files[0].content, /^dataset_dir: \/home\/me\/data$/m);
  assert.equal(needsHome(def({ job: 'train' }), settings()), false);
});

test('a NUL byte in a setting or task property is refused naming that setting (the fuzz found a nameless message)', () => {
  const nul = 'a\0b';
  const cases: Array<[MellmTaskDefinition, JobSettings, readonly string[], RegExp]> = [
    [def({ job: 'serve' }), settings({ serve: { modelDir: nul } }), ctx.mellm, /^mellm\.serve\.modelDir holds a NUL byte/],
    [def({ job: 'train' }), settings({ train: { baseModel: nul } }), ctx.mellm, /^mellm\.train\.baseModel holds a NUL byte/],
    [def({ job: 'train' }), settings({ train: { extra: { lora_target: nul } } }), ctx.mellm, /^mellm\.train\.extra\.lora_target holds a NUL byte/],
    [def({ job: 'train' }), settings({ workdir: nul }), ctx.mellm, /^mellm\.jobs\.workdir holds/],
    [def({ job: 'train' }), settings({ remotePrefix: `ssh ${nul}` }), ctx.mellm, /^mellm\.jobs\.remotePrefix holds/],
    [def({ job: 'benchmark', dataset: 'd' }), settings({ model: nul }), ctx.mellm, /^mellm\.model holds/],
    [def({ job: 'benchmark', dataset: 'd' }), settings({ endpoints: [`http://h/${nul}`] }), ctx.mellm, /^mellm\.endpoints holds/],
    [def({ job: 'export', dataset: nul }), settings(), ctx.mellm, /^the "dataset" property of the mellm task in tasks\.json holds/],
    [def({ job: 'train', overrides: { maxSteps: 1, baseModel: nul } }), settings(), ctx.mellm, /^override "baseModel" in the mellm task \(tasks\.json\) holds/],
    [def({ job: 'export', dataset: 'd' }), settings(), ['mellm', nul], /^mellm\.jobs\.cli holds/],
  ];
  for (const [d, s, mellm, want] of cases) {
    assert.throws(() => resolveJob(d, s, { ...ctx, mellm: [...mellm] }), (e: unknown) => e instanceof Error && want.test(e.message) && /remove it$/.test(e.message), String(want));
  }
});
