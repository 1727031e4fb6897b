import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { PAPER_TRAIN_DEFAULTS, mergeConfig, trainConfig, trainEnv } from '../../src/core/train/llamafactory';
import { SERVE_DEFAULTS, serveArgs, serveEndpoint } from '../../src/core/train/vllm';
import { toFlatYaml } from '../../src/core/train/yaml';

interface ArgList {
  args: string[];
}
const fixture = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'train', 'engine-args.json'), 'utf8')) as Record<string, ArgList>;
const lfKeys = new Set([...fixture.llamafactory.args, ...fixture.transformers_training_args.args]);
const vllmFlags = new Set(
  [...fixture.vllm_engine_args.args, ...fixture.vllm_frontend_args.args].map((a) => `--${a.replace(/_/g, '-')}`),
);

test('every generated training key is a LLaMA-Factory or transformers argument', () => {
  const cfg = trainConfig({ ...PAPER_TRAIN_DEFAULTS, deepspeed: 'ds_z3.json' });
  const unknown = Object.keys(cfg).filter((k) => !lfKeys.has(k));
  assert.deepEqual(unknown, []);
  assert.ok(Object.keys(cfg).includes('deepspeed'));
});

test('every generated merge key is a LLaMA-Factory argument', () => {
  const cfg = mergeConfig({ baseModel: 'Qwen/Qwen2.5-VL-7B-Instruct', adapterDir: 'a', exportDir: 'b', template: 'qwen2_vl', exportSize: 5 });
  assert.deepEqual(Object.keys(cfg).filter((k) => !lfKeys.has(k)), []);
});

test("the paper's hyper-parameters appear as given", () => {
  const cfg = trainConfig(PAPER_TRAIN_DEFAULTS);
  assert.equal(cfg.model_name_or_path, 'Qwen/Qwen2.5-VL-7B-Instruct');
  assert.equal(cfg.template, 'qwen2_vl');
  assert.equal(cfg.finetuning_type, 'lora');
  assert.equal(cfg.lora_rank, 64);
  assert.equal(cfg.lora_alpha, 64);
  assert.equal(cfg.lora_target, 'all');
  assert.equal(cfg.freeze_vision_tower, false, 'LoRA must cover the vision encoder');
  assert.equal(cfg.learning_rate, 1e-4);
  assert.equal(cfg.lr_scheduler_type, 'cosine');
  assert.equal(cfg.max_steps, 1200);
  assert.equal(cfg.bf16, true);
  assert.match(String(cfg.optim), /^adamw/);
  const yaml = toFlatYaml(cfg);
  assert.match(yaml, /^learning_rate: 0\.0001$/m);
  assert.match(yaml, /^max_steps: 1200$/m);
  assert.match(yaml, /^freeze_vision_tower: false$/m);
});

test('overrides replace defaults and extra keys are appended', () => {
  const cfg = trainConfig({ ...PAPER_TRAIN_DEFAULTS, maxSteps: 300, loraRank: 16, extra: { gradient_checkpointing: true } });
  assert.equal(cfg.max_steps, 300);
  assert.equal(cfg.lora_rank, 16);
  assert.equal(cfg.gradient_checkpointing, true);
});

test('multi-GPU training goes through torchrun', () => {
  assert.deepEqual(trainEnv({ gpus: 1 }), {});
  assert.deepEqual(trainEnv({ gpus: 4 }), { FORCE_TORCHRUN: '1', NPROC_PER_NODE: '4' });
});

test('every vllm serve flag is a vLLM argument', () => {
  const args = serveArgs({ ...SERVE_DEFAULTS, apiKeyEnv: 'MELLM_API_KEY' });
  assert.equal(args[0], 'serve');
  const flags = args.filter((a) => a.startsWith('--'));
  assert.deepEqual(flags.filter((f) => !vllmFlags.has(f)), []);
  assert.equal(args[args.indexOf('--served-model-name') + 1], 'mellm');
  assert.equal(args[args.indexOf('--limit-mm-per-prompt') + 1], 'image=2');
  // The weights' own generation_config.json supplies the sampling defaults (vLLM < 0.8 ignored it unless told).
  assert.equal(args[args.indexOf('--generation-config') + 1], 'auto');
  assert.equal(serveEndpoint(SERVE_DEFAULTS), 'http://127.0.0.1:8000/v1');
  assert.equal(serveEndpoint({ host: 'gpu-box', port: 9000 }), 'http://gpu-box:9000/v1');
});

test('YAML quoting keeps strings strings, and round-trips through a real YAML reader', () => {
  const yaml = toFlatYaml({ a: 'true', b: '1e-4', c: 'plain/path', d: "it's: x", e: '', f: null, g: 2.5 });
  assert.match(yaml, /^a: "true"$/m);
  assert.match(yaml, /^b: "1e-4"$/m);
  assert.match(yaml, /^c: plain\/path$/m);
  assert.match(yaml, /^e: ""$/m);
  // Python's YAML reader (what LLaMA-Factory uses) reads the same values back, when present.
  try {
    const out = execFileSync('/usr/bin/python3', ['-c', 'import sys,yaml,json; print(json.dumps(yaml.safe_load(sys.stdin.read())))'], {
      input: yaml,
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    assert.deepEqual(JSON.parse(out), { a: 'true', b: '1e-4', c: 'plain/path', d: "it's: x", e: '', f: null, g: 2.5 });
  } catch (e) {
    if ((e as { status?: number }).status === undefined) throw e;
    // PyYAML not installed: the regex checks above still hold.
  }
});
