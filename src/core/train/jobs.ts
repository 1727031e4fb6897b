// From a `"type": "mellm"` task definition plus the mellm.* settings to a TaskPlan and a Target.
// Kept free of 'vscode' so the task provider's resolution is tested directly.
import * as path from 'node:path';
import { PAPER_TRAIN_DEFAULTS, type TrainOptions } from './llamafactory';
import { SERVE_DEFAULTS, type ServeOptions } from './vllm';
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

/** Splits "ssh -p 2222 gpu-box" into words; quotes group words. */
export function splitPrefix(prefix: string): string[] {
  const words: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(prefix))) words.push(m[1] ?? m[2] ?? m[3]);
  return words;
}

function need(def: MellmTaskDefinition, key: 'dataset' | 'out'): string {
  const v = def[key];
  if (!v) throw new JobDefinitionError(`the mellm "${def.job}" task needs a "${key}" property in tasks.json`);
  return v;
}

function withOverrides<T extends object>(base: T, overrides: Record<string, Scalar> | undefined): T {
  if (!overrides) return base;
  const out = { ...base } as Record<string, unknown>;
  for (const [k, v] of Object.entries(overrides)) {
    if (!(k in base)) throw new JobDefinitionError(`unknown override "${k}" in the mellm task's "overrides" (known: ${Object.keys(base).join(', ')})`);
    out[k] = v;
  }
  return out as T;
}

export function trainOptions(s: JobSettings, def?: MellmTaskDefinition): TrainOptions {
  const base: TrainOptions = { ...PAPER_TRAIN_DEFAULTS, ...s.train, extra: { ...(s.train.extra ?? {}) } };
  return def?.job === 'train' ? withOverrides(base, def.overrides) : base;
}

export function serveOptions(s: JobSettings, def?: MellmTaskDefinition): ServeOptions {
  const base: ServeOptions = { ...SERVE_DEFAULTS, ...s.serve };
  return def?.job === 'serve' ? withOverrides(base, def.overrides) : base;
}

export interface ResolveContext {
  /** How to start the mellm CLI where the job runs. */
  mellm: string[];
  /** Host name the client uses to reach a served model (the remote host for ssh targets). */
  clientHost: string;
}

export function resolveJob(def: MellmTaskDefinition, s: JobSettings, ctx: ResolveContext): { plan: TaskPlan; target: Target } {
  if (!JOB_KINDS.includes(def.job)) {
    throw new JobDefinitionError(`unknown mellm task job "${String(def.job)}": use one of ${JOB_KINDS.join(', ')}`);
  }
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
      plan = planMerge({ baseModel: t.baseModel, adapterDir: t.outputDir, exportDir: sv.modelDir, template: t.template, exportSize: 5 });
      break;
    }
    case 'serve':
      plan = planServe(serveOptions(s, def), ctx.clientHost);
      break;
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

/** The host a client reaches for an ssh prefix: the last word that is not an option (user@host -> host). */
export function clientHostFor(prefix: string): string {
  const words = splitPrefix(prefix);
  if (words.length === 0) return '127.0.0.1';
  const host = [...words].reverse().find((w) => !w.startsWith('-')) ?? '127.0.0.1';
  return host.includes('@') ? host.slice(host.indexOf('@') + 1) : host;
}
