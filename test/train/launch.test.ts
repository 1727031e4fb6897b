import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PAPER_TRAIN_DEFAULTS } from '../../src/core/train/llamafactory';
import { SERVE_DEFAULTS } from '../../src/core/train/vllm';
import {
  commandLine,
  planBenchmark,
  planExport,
  planMerge,
  planServe,
  planTrain,
  preflight,
  shellQuote,
  targetScript,
  type TargetExec,
} from '../../src/core/train/launch';

const local = { remotePrefix: [], workdir: '/work/runs' };
const remote = { remotePrefix: ['ssh', 'gpu-box'], workdir: '/data/mellm' };

test('shell quoting', () => {
  assert.equal(shellQuote('abc/def.yaml'), 'abc/def.yaml');
  assert.equal(shellQuote('a b'), "'a b'");
  assert.equal(shellQuote("it's"), "'it'\\''s'");
  assert.equal(shellQuote({ env: 'KEY' }), '"$KEY"');
});

test('train resolves to llamafactory-cli train with its generated config, locally', () => {
  const plan = planTrain(PAPER_TRAIN_DEFAULTS);
  const line = commandLine(plan, local);
  assert.match(line, /^mkdir -p \/work\/runs && cd \/work\/runs && printf %s [A-Za-z0-9+/=]+ \| base64 -d > mellm_train\.yaml && llamafactory-cli train mellm_train\.yaml$/);
  assert.equal(plan.gpus, 1);
});

test('multi-GPU train sets torchrun variables before the command', () => {
  const line = commandLine(planTrain({ ...PAPER_TRAIN_DEFAULTS, gpus: 4 }), local);
  assert.match(line, / && FORCE_TORCHRUN=1 NPROC_PER_NODE=4 llamafactory-cli train mellm_train\.yaml$/);
});

test('remote train runs the same script through the prefix, as one quoted argument', () => {
  const plan = planTrain(PAPER_TRAIN_DEFAULTS);
  const line = commandLine(plan, remote);
  assert.ok(line.startsWith("ssh gpu-box '"), line);
  assert.ok(line.endsWith("llamafactory-cli train mellm_train.yaml'"), line);
  assert.equal(line, `ssh gpu-box ${shellQuote(targetScript(plan, remote))}`);
});

test('the generated script really writes the config and runs the program (run with sh)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mellm-launch-'));
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  // A stand-in llamafactory-cli that records its arguments.
  writeFileSync(join(bin, 'llamafactory-cli'), '#!/bin/sh\necho "$@" > args.txt\n');
  chmodSync(join(bin, 'llamafactory-cli'), 0o755);
  const plan = planTrain(PAPER_TRAIN_DEFAULTS);
  execFileSync('sh', ['-c', commandLine(plan, { remotePrefix: [], workdir: join(dir, 'run') })], {
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
  });
  assert.equal(readFileSync(join(dir, 'run', 'args.txt'), 'utf8').trim(), 'train mellm_train.yaml');
  assert.equal(readFileSync(join(dir, 'run', 'mellm_train.yaml'), 'utf8'), plan.files[0].content);
});

test('merge resolves to llamafactory-cli export', () => {
  const plan = planMerge({ baseModel: 'Qwen/Qwen2.5-VL-7B-Instruct', adapterDir: 'saves/lora', exportDir: 'saves/merged', template: 'qwen2_vl', exportSize: 5 });
  assert.match(commandLine(plan, local), /llamafactory-cli export mellm_merge\.yaml$/);
  assert.match(plan.files[0].content, /^adapter_name_or_path: saves\/lora$/m);
});

test('serve resolves to vllm serve on 127.0.0.1; the key comes from the environment, never the command line', () => {
  const plan = planServe({ ...SERVE_DEFAULTS, modelDir: 'saves/merged', apiKeyEnv: 'MELLM_API_KEY' }, 'gpu-box');
  const line = commandLine(plan, remote);
  assert.match(line, /VLLM_API_KEY="\$MELLM_API_KEY" && export VLLM_API_KEY && vllm serve saves\/merged --served-model-name mellm --host 127\.0\.0\.1 --port 8000 /);
  assert.doesNotMatch(line, /--api-key|--trust-remote-code/);
  assert.equal(plan.endpoint, 'http://127.0.0.1:8000/v1');
  const open = planServe({ ...SERVE_DEFAULTS, host: '0.0.0.0' }, 'gpu-box');
  assert.equal(open.endpoint, 'http://gpu-box:8000/v1');
  assert.equal(open.key, 'stdin');
  assert.match(commandLine(open, local), /IFS= read -r VLLM_API_KEY && export VLLM_API_KEY && vllm serve /);
  assert.throws(() => planServe({ ...SERVE_DEFAULTS, apiKeyEnv: 'X"; touch PWNED; echo "' }), /not an environment variable name/);
});

test('export and benchmark run the mellm CLI', () => {
  const ex = planExport({ mellm: ['node', '/ext/dist/cli.js'], dataset: '/d/CASME2', out: '/d/out', lang: 'zh', merRatio: 0.5 });
  assert.equal(commandLine(ex, local).split(' && ').pop(), 'node /ext/dist/cli.js export /d/CASME2 --format llamafactory --out /d/out --lang zh --mer-ratio 0.5');
  const b = planBenchmark({ mellm: ['mellm'], dataset: '/d/CASME2', protocol: 'casme2', out: 'runs/a', endpoints: ['http://a:8000/v1', 'http://b:8000/v1'], model: 'mellm', concurrency: 16, task: 'meu' });
  assert.match(commandLine(b, remote), /mellm bench \/d\/CASME2 --protocol casme2 --out runs\/a --endpoint http:\/\/a:8000\/v1,http:\/\/b:8000\/v1 --model mellm --concurrency 16 --task meu'$/);
  const off = planBenchmark({ mellm: ['mellm'], dataset: '/d', protocol: 'dfme-a', out: 'r', endpoints: [], model: '', concurrency: 4, task: 'mer' });
  assert.match(commandLine(off, local), /--offline --concurrency 4 --task mer$/);
  const rt = planBenchmark({ mellm: ['mellm'], dataset: '/d', protocol: 'casme2', out: 'r', endpoints: ['http://a:8000'], model: 'mellm', concurrency: 4, task: 'meu', source: 'region-text', regionText: { endpoints: ['http://t:8001'], model: 'Qwen3-8B' } });
  assert.match(commandLine(rt, local), /--source region-text --endpoint http:\/\/t:8001 --model Qwen3-8B --concurrency 4 --task meu$/);
  const bi = planBenchmark({ mellm: ['mellm'], dataset: '/d', protocol: 'casme2', out: 'r', endpoints: ['http://a:8000'], model: 'mellm', concurrency: 4, task: 'meu', source: 'builtin' });
  assert.match(commandLine(bi, local), /--offline --concurrency 4/);
});

test('preflight names the missing tool, path and GPU shortfall', async () => {
  const scripts: string[] = [];
  const exec: TargetExec = async (script) => {
    scripts.push(script);
    if (script.startsWith('command -v')) return { code: 1, stdout: '' };
    if (script.includes('test -e')) return { code: 1, stdout: '' };
    if (script.startsWith('nvidia-smi')) return { code: 0, stdout: '2\n' };
    return { code: 0, stdout: '' };
  };
  const problems = await preflight(planTrain({ ...PAPER_TRAIN_DEFAULTS, gpus: 4 }), remote, exec);
  assert.equal(problems.length, 3);
  assert.match(problems[0], /'llamafactory-cli' was not found on ssh gpu-box: pip install llamafactory/);
  assert.match(problems[1], /dataset_info\.json' does not exist on ssh gpu-box \(set mellm\.train\.datasetDir\)/);
  assert.match(problems[2], /needs 4 GPU\(s\) but 2 are visible on ssh gpu-box/);
});

test('preflight passes when everything is there', async () => {
  const exec: TargetExec = async (script) => ({ code: 0, stdout: script.startsWith('nvidia-smi') ? '8\n' : '' });
  assert.deepEqual(await preflight(planServe({ ...SERVE_DEFAULTS, tensorParallel: 2 }), local, exec), []);
});
