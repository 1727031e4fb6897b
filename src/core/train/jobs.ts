// From a `"type": "mellm"` task definition plus the mellm.* settings to a TaskPlan and a Target.
// Kept free of 'vscode' so the task provider's resolution is tested directly.
import * as path from 'node:path';
import { PAPER_TRAIN_DEFAULTS, type TrainOptions } from './llamafactory';
import { ENV_NAME, SERVE_DEFAULTS, isLoopback, type ServeOptions } from './vllm';
import { CommandLineError, isSsh, splitCommandLine, sshHost } from './shellWords';
import type { Scalar } from './yaml';
import { planBenchmark, planExport, planMerge, planServe, planTrain, type MellmTaskKind, type Target, type TaskPlan } from './launch';

export const JOB_KINDS: readonly MellmTaskKind[] = ['export', 'train', 'merge', 'serve', 'benchmark'];

/** The task definition as written in tasks.json (package.json taskDefinitions "mellm"). */
export interface MellmTaskDefinition {
  type: 'mellm';
  job: MellmTaskKind;
  dataset?: string;
  out?: string;
  protocol?: string;
  lang?: 'zh' | 'en';
  merRatio?: number;
  task?: 'meu' | 'mer';
  /** Benchmark: who answers (default: MELLM when mellm.endpoints is set, else the built-in reasoner). */
  source?: 'mellm' | 'builtin' | 'region-text';
  /** Per-task overrides of mellm.train.* / mellm.serve.* values. */
  overrides?: Record<string, Scalar>;
}

/** The mellm.* settings the jobs read (names in package.json: mellm.jobs.*, mellm.train.*, mellm.serve.*). */
export interface JobSettings {
  remotePrefix: string;
  workdir: string;
  train: Partial<Omit<TrainOptions, 'extra'>> & { extra?: Record<string, Scalar> };
  serve: Partial<ServeOptions>;
  endpoints: string[];
  model: string;
  concurrency: number;
  /** mellm.regionText.endpoints / .model, for benchmark tasks with "source": "region-text". */
  regionText?: { endpoints: string[]; model: string };
}

export class JobDefinitionError extends Error {}

/** Splits "ssh -p 2222 gpu-box" into words as sh would (quotes, backslashes); shell syntax is refused. */
export function splitPrefix(prefix: string, setting = 'mellm.jobs.remotePrefix'): string[] {
  try {
    return splitCommandLine(prefix, setting);
  } catch (e) {
    if (e instanceof CommandLineError) throw new JobDefinitionError(e.message);
    throw e;
  }
}

/** `~` and `~/...` at the start of a path, resolved against the target's home (the shell would not: the path is quoted). */
export function expandHome(p: string, home: string | undefined): string {
  if (home === undefined || home === '') return p;
  if (p === '~') return home;
  if (p.startsWith('~/')) return `${home.replace(/\/+$/, '')}/${p.slice(2)}`;
  return p;
}

/** Whether any path the jobs read starts with `~` (then the caller looks up the target's home first). */
export function needsHome(def: MellmTaskDefinition, s: JobSettings): boolean {
  const values = [s.workdir, def.dataset, def.out, s.train.datasetDir, s.train.outputDir, s.train.deepspeed, s.train.baseModel, s.serve.modelDir, ...Object.values(def.overrides ?? {})];
  return values.some((v) => typeof v === 'string' && (v === '~' || v.startsWith('~/')));
}

const TRAIN_PATHS = ['datasetDir', 'outputDir', 'deepspeed', 'baseModel'] as const;
const SERVE_PATHS = ['modelDir'] as const;

/** Keys a task in tasks.json (workspace content) may not override: where the server listens, its key, running model code. */
const LOCKED_OVERRIDES: Record<'train' | 'serve', ReadonlySet<string>> = {
  train: new Set(['trustRemoteCode', 'extra']),
  serve: new Set(['host', 'apiKeyEnv', 'trustRemoteCode']),
};

function checkSetting(ok: boolean, name: string, value: unknown, want: string): void {
  if (!ok) throw new JobDefinitionError(`${name} must be ${want}, got ${JSON.stringify(value)}`);
}

/** Values that reach a command line or a config file: their types and ranges, each naming its setting. */
export function validateServe(o: ServeOptions, where = 'mellm.serve'): void {
  const int = (k: keyof ServeOptions, min: number, max: number) => checkSetting(Number.isInteger(o[k]) && (o[k] as number) >= min && (o[k] as number) <= max, `${where}.${k}`, o[k], `a whole number from ${min} to ${max}`);
  int('port', 1, 65535);
  int('maxModelLen', 16, 10_000_000);
  int('imagesPerPrompt', 1, 64);
  int('tensorParallel', 1, 1024);
  checkSetting(typeof o.gpuMemoryUtilization === 'number' && o.gpuMemoryUtilization > 0 && o.gpuMemoryUtilization <= 1, `${where}.gpuMemoryUtilization`, o.gpuMemoryUtilization, 'a number in (0, 1]');
  checkSetting(typeof o.host === 'string' && /^(?:[A-Za-z0-9.-]+|[0-9A-Fa-f:]+)$/.test(o.host), `${where}.host`, o.host, 'an address such as 127.0.0.1 or 0.0.0.0');
  checkSetting(typeof o.servedName === 'string' && /^[\w.\-/:@]+$/.test(o.servedName), `${where}.servedName`, o.servedName, 'a model name (letters, digits, . _ - / : @)');
  checkSetting(typeof o.dtype === 'string' && /^[a-z0-9_]+$/.test(o.dtype), `${where}.dtype`, o.dtype, 'a vLLM dtype such as bfloat16 or auto');
  checkSetting(typeof o.modelDir === 'string' && o.modelDir !== '', `${where}.modelDir`, o.modelDir, 'a folder');
  checkSetting(typeof o.apiKeyEnv === 'string' && (o.apiKeyEnv === '' || ENV_NAME.test(o.apiKeyEnv)), `${where}.apiKeyEnv`, o.apiKeyEnv, 'the name of an environment variable (letters, digits, _)');
  checkSetting(typeof o.trustRemoteCode === 'boolean', `${where}.trustRemoteCode`, o.trustRemoteCode, 'true or false');
  checkSetting(
    typeof o.generationConfig === 'string' && o.generationConfig !== '' && !/[\s\0]/.test(o.generationConfig),
    `${where}.generationConfig`,
    o.generationConfig,
    "'auto' (the weights' generation_config.json), 'vllm' (vLLM's defaults) or a folder",
  );
}

export function validateTrain(o: TrainOptions, where = 'mellm.train'): void {
  const ints = ['loraRank', 'loraAlpha', 'maxSteps', 'perDeviceBatchSize', 'gradientAccumulation', 'cutoffLen', 'imageMaxPixels', 'loggingSteps', 'saveSteps', 'seed', 'gpus'] as const;
  for (const k of ints) checkSetting(Number.isInteger(o[k]) && o[k] >= (k === 'seed' ? 0 : 1), `${where}.${k}`, o[k], 'a positive whole number');
  for (const k of ['learningRate', 'loraDropout', 'warmupRatio'] as const) checkSetting(typeof o[k] === 'number' && Number.isFinite(o[k]) && o[k] >= 0, `${where}.${k}`, o[k], 'a number >= 0');
  for (const k of ['baseModel', 'dataset', 'datasetDir', 'outputDir', 'template', 'lrScheduler', 'deepspeed'] as const) checkSetting(typeof o[k] === 'string', `${where}.${k}`, o[k], 'a string');
  for (const k of ['trainVisionTower', 'bf16', 'trustRemoteCode'] as const) checkSetting(typeof o[k] === 'boolean', `${where}.${k}`, o[k], 'true or false');
  checkSetting(o.extra !== null && typeof o.extra === 'object' && !Array.isArray(o.extra), `${where}.extra`, o.extra, 'an object of LLaMA-Factory keys');
  for (const [k, v] of Object.entries(o.extra)) {
    checkSetting(/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(k), `${where}.extra key`, k, 'a LLaMA-Factory argument name');
    checkSetting(v === null || ['string', 'number', 'boolean'].includes(typeof v), `${where}.extra.${k}`, v, 'a string, number, boolean or null');
    if (k === 'trust_remote_code') throw new JobDefinitionError(`${where}.extra.trust_remote_code: use ${where}.trustRemoteCode (user settings) to let the model run its own code`);
  }
}

function need(def: MellmTaskDefinition, key: 'dataset' | 'out'): string {
  const v = def[key];
  if (!v) throw new JobDefinitionError(`the mellm "${def.job}" task needs a "${key}" property in tasks.json`);
  return v;
}

function withOverrides<T extends object>(base: T, overrides: Record<string, Scalar> | undefined, kind: 'train' | 'serve'): T {
  if (!overrides) return base;
  if (typeof overrides !== 'object' || Array.isArray(overrides)) throw new JobDefinitionError('the mellm task\'s "overrides" must be an object, e.g. {"maxSteps": 300}');
  const out = { ...base } as Record<string, unknown>;
  const known = Object.keys(base).filter((k) => !LOCKED_OVERRIDES[kind].has(k));
  for (const [k, v] of Object.entries(overrides)) {
    if (LOCKED_OVERRIDES[kind].has(k)) {
      throw new JobDefinitionError(`the mellm task's "overrides" cannot set "${k}" (tasks.json belongs to the workspace): set mellm.${kind}.${k} in your user settings`);
    }
    if (!(k in base)) throw new JobDefinitionError(`unknown override "${k}" in the mellm task's "overrides" (known: ${known.join(', ')})`);
    const want = typeof (base as Record<string, unknown>)[k];
    if (typeof v !== want) throw new JobDefinitionError(`override "${k}" in the mellm task must be a ${want}, got ${JSON.stringify(v)}`);
    out[k] = v;
  }
  return out as T;
}

export function trainOptions(s: JobSettings, def?: MellmTaskDefinition): TrainOptions {
  const base: TrainOptions = { ...PAPER_TRAIN_DEFAULTS, ...s.train, extra: { ...(s.train.extra ?? {}) } };
  const o = def?.job === 'train' ? withOverrides(base, def.overrides, 'train') : base;
  validateTrain(o, def?.job === 'train' && def.overrides ? 'mellm.train (with the task\'s overrides)' : 'mellm.train');
  return o;
}

export function serveOptions(s: JobSettings, def?: MellmTaskDefinition): ServeOptions {
  const base: ServeOptions = { ...SERVE_DEFAULTS, ...s.serve };
  const o = def?.job === 'serve' ? withOverrides(base, def.overrides, 'serve') : base;
  validateServe(o, def?.job === 'serve' && def.overrides ? 'mellm.serve (with the task\'s overrides)' : 'mellm.serve');
  return o;
}

export interface ResolveContext {
  /** How to start the mellm CLI where the job runs. */
  mellm: string[];
  /** Host name the client uses to reach a served model (the remote host for ssh targets). */
  clientHost: string;
  /** The target's home folder, for paths written `~/...` (none: they stay as written). */
  home?: string;
}

function expandPaths<T extends object>(o: T, keys: readonly string[], home: string | undefined): T {
  const out = { ...o } as Record<string, unknown>;
  for (const k of keys) if (typeof out[k] === 'string') out[k] = expandHome(out[k] as string, home);
  return out as T;
}

const TASK_STRINGS = ['dataset', 'out', 'protocol', 'lang', 'task'] as const;

/**
 * A NUL byte cannot reach any command line (spawn throws); shellQuote refuses it too, but only knows the
 * value. Here each setting and task property is checked under its own name, so the message says which.
 */
function refuseNul(def: MellmTaskDefinition, s: JobSettings, mellm: readonly string[]): void {
  const check = (v: unknown, where: string): void => {
    if (typeof v === 'string' && v.includes('\0')) {
      throw new JobDefinitionError(`${where} holds a NUL byte (${JSON.stringify(v.slice(0, 60))}), which no command line can carry: remove it`);
    }
  };
  const each = (o: object | undefined, where: (k: string) => string): void => {
    if (!o || typeof o !== 'object') return;
    for (const [k, v] of Object.entries(o)) {
      check(k, where(k));
      if (v && typeof v === 'object' && !Array.isArray(v)) each(v, (k2) => `${where(k)}.${k2}`);
      else check(v, where(k));
    }
  };
  check(s.remotePrefix, 'mellm.jobs.remotePrefix');
  check(s.workdir, 'mellm.jobs.workdir');
  for (const w of mellm) check(w, 'mellm.jobs.cli');
  each(s.train, (k) => `mellm.train.${k}`);
  each(s.serve, (k) => `mellm.serve.${k}`);
  for (const e of s.endpoints ?? []) check(e, 'mellm.endpoints');
  check(s.model, 'mellm.model');
  for (const e of s.regionText?.endpoints ?? []) check(e, 'mellm.regionText.endpoints');
  check(s.regionText?.model, 'mellm.regionText.model');
  for (const k of [...TASK_STRINGS, 'source'] as const) check(def[k], `the "${k}" property of the mellm task in tasks.json`);
  each(def.overrides, (k) => `override "${k}" in the mellm task (tasks.json)`);
}

export function resolveJob(defIn: MellmTaskDefinition, sIn: JobSettings, ctx: ResolveContext): { plan: TaskPlan; target: Target } {
  if (!JOB_KINDS.includes(defIn.job)) {
    throw new JobDefinitionError(`unknown mellm task job "${String(defIn.job)}": use one of ${JOB_KINDS.join(', ')}`);
  }
  refuseNul(defIn, sIn, ctx.mellm);
  for (const k of TASK_STRINGS) {
    const v = defIn[k];
    if (v !== undefined && (typeof v !== 'string' || v === '')) throw new JobDefinitionError(`the mellm task's "${k}" must be a non-empty string, got ${JSON.stringify(v)}`);
  }
  if (defIn.merRatio !== undefined && !(typeof defIn.merRatio === 'number' && defIn.merRatio >= 0 && defIn.merRatio <= 1)) {
    throw new JobDefinitionError(`the mellm task's "merRatio" must be a number from 0 to 1, got ${JSON.stringify(defIn.merRatio)}`);
  }
  if (defIn.lang !== undefined && defIn.lang !== 'zh' && defIn.lang !== 'en') throw new JobDefinitionError(`the mellm task's "lang" must be zh or en, got ${JSON.stringify(defIn.lang)}`);
  if (defIn.task !== undefined && defIn.task !== 'meu' && defIn.task !== 'mer') throw new JobDefinitionError(`the mellm task's "task" must be meu or mer, got ${JSON.stringify(defIn.task)}`);
  checkSetting(Number.isInteger(sIn.concurrency) && sIn.concurrency >= 1 && sIn.concurrency <= 256, 'mellm.jobs.concurrency', sIn.concurrency, 'a whole number from 1 to 256');
  const home = ctx.home;
  const def: MellmTaskDefinition = { ...defIn, ...(defIn.dataset ? { dataset: expandHome(defIn.dataset, home) } : {}), ...(defIn.out ? { out: expandHome(defIn.out, home) } : {}) };
  if (def.overrides && typeof def.overrides === 'object') def.overrides = expandPaths(def.overrides, [...TRAIN_PATHS, ...SERVE_PATHS], home);
  const s: JobSettings = {
    ...sIn,
    workdir: expandHome(sIn.workdir, home),
    train: expandPaths(sIn.train ?? {}, TRAIN_PATHS, home),
    serve: expandPaths(sIn.serve ?? {}, SERVE_PATHS, home),
  };
  const target: Target = { remotePrefix: splitPrefix(s.remotePrefix), workdir: s.workdir };
  let plan: TaskPlan;
  switch (def.job) {
    case 'export':
      plan = planExport({ mellm: ctx.mellm, dataset: need(def, 'dataset'), out: def.out ?? path.posix.join(s.workdir, 'data'), lang: def.lang ?? 'zh', merRatio: def.merRatio ?? 0.5 });
      break;
    case 'train':
      plan = planTrain(trainOptions(s, def));
      break;
    case 'merge': {
      const t = trainOptions(s);
      const sv = serveOptions(s);
      plan = planMerge({ baseModel: t.baseModel, adapterDir: t.outputDir, exportDir: sv.modelDir, template: t.template, exportSize: 5, trustRemoteCode: t.trustRemoteCode });
      break;
    }
    case 'serve': {
      const o = serveOptions(s, def);
      // A server on a remote's loopback is reached through the job's own ssh connection: a port forward
      // that lives exactly as long as the job, so nothing listens on the remote's network.
      if (isLoopback(o.host) && isSsh(target.remotePrefix)) {
        target.sshOptions = ['-o', 'ExitOnForwardFailure=yes', '-L', `${o.port}:127.0.0.1:${o.port}`];
        plan = planServe(o, '127.0.0.1');
        plan.endpoint = `http://127.0.0.1:${o.port}/v1`;
      } else plan = planServe(o, ctx.clientHost);
      break;
    }
    case 'benchmark':
      plan = planBenchmark({
        mellm: ctx.mellm,
        dataset: need(def, 'dataset'),
        protocol: def.protocol ?? 'custom',
        out: need(def, 'out'),
        endpoints: s.endpoints,
        model: s.model,
        concurrency: s.concurrency,
        task: def.task ?? 'meu',
        ...(def.source ? { source: def.source } : {}),
        ...(s.regionText ? { regionText: s.regionText } : {}),
      });
      break;
  }
  return { plan, target };
}

/**
 * The host a client reaches for a prefix: an ssh destination (options and their values skipped, user@
 * dropped: 'ssh host -p 2222' -> host); for any other prefix (docker exec, srun ...) this machine.
 */
export function clientHostFor(prefix: string): string {
  const words = splitPrefix(prefix);
  return sshHost(words) ?? '127.0.0.1';
}
