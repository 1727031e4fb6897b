// Turns a MELLM job (export, train, merge, serve, benchmark) into a command line for a target: this
// machine, or a remote reached through a prefix such as `ssh gpu-box`. Pure: the VS Code task provider
// and the tests share it; nothing here spawns a process except through the injected `exec`.
import * as path from 'node:path';
import { mergeConfig, trainConfig, trainEnv, type MergeOptions, type TrainOptions } from './llamafactory';
import { ENV_NAME, VLLM_KEY_ENV, serveArgs, serveEndpoint, type ServeOptions } from './vllm';
import { withSshOptions } from './shellWords';
import { toFlatYaml } from './yaml';

export type MellmTaskKind = 'export' | 'train' | 'merge' | 'serve' | 'benchmark';

/** A literal argument, or a reference to an environment variable expanded by the target's shell. */
export type ShellArg = string | { env: string };

export interface Target {
  /** Command words that reach the target, e.g. ['ssh', 'gpu-box']; empty = run here. */
  remotePrefix: string[];
  /** Working folder on the target; generated configs are written there. */
  workdir: string;
  /** ssh options for the job's own connection only (the serve job's port forward), not for checks or stop. */
  sshOptions?: string[];
}

export interface PathCheck {
  path: string;
  what: string;
  /** Which setting or task property names this path, for the error message. */
  setting: string;
}

export interface TaskPlan {
  kind: MellmTaskKind;
  label: string;
  /** The program and its arguments, run in target.workdir. */
  argv: ShellArg[];
  env: Record<string, string>;
  /** Files written into target.workdir before the command runs (generated configs). */
  files: { name: string; content: string }[];
  /** Program that must exist on the target, and how to install it. */
  tool: { name: string; install: string };
  pathsToCheck: PathCheck[];
  /** GPUs the job needs on the target (0 = none). */
  gpus: number;
  /** For serve: the endpoint the panel should use once it is up. */
  endpoint?: string;
  /**
   * For serve: where vLLM's key comes from. 'stdin': one line written to the job's standard input (the
   * extension's stored key; stdin reaches a remote through ssh), or a variable already set on the target.
   * Either way it is exported as VLLM_API_KEY and never appears in a command line.
   */
  key?: 'stdin' | { env: string };
}

const SAFE = /^[A-Za-z0-9_./:=@%+,-]+$/;

export function shellQuote(a: ShellArg): string {
  if (typeof a !== 'string') {
    if (!ENV_NAME.test(a.env)) throw new RangeError(`'${a.env}' is not an environment variable name (letters, digits and _, not starting with a digit)`);
    return `"$${a.env}"`;
  }
  // A NUL cannot be passed in any argv (spawn throws): refused here with a message instead (test/fuzz/settings).
  if (a.includes('\0')) throw new RangeError(`${JSON.stringify(a.slice(0, 60))} holds a NUL byte, which no command line can carry: remove it from the mellm setting or task property`);
  if (a !== '' && SAFE.test(a)) return a;
  return `'${a.replace(/'/g, `'\\''`)}'`;
}

function isRemote(t: Target): boolean {
  return t.remotePrefix.length > 0;
}

/** Where a running job records its process group on the target, relative to workdir (for stopJobScript). */
export function jobPidFile(jobId: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(jobId)) throw new RangeError(`bad job id '${jobId}'`);
  return `.mellm-job-${jobId}.pid`;
}

/**
 * The inner shell script run on the target (in workdir): write configs, set env, run the program.
 * With `jobId` the script records its process id ($$: the session leader under sshd or setsid) so that
 * stopping the task can end the job itself on a remote, not only the local ssh.
 */
export function targetScript(plan: TaskPlan, target: Target, jobId?: string): string {
  const steps: string[] = [`mkdir -p ${shellQuote(target.workdir)}`, `cd ${shellQuote(target.workdir)}`];
  if (jobId !== undefined) steps.push(`echo $$ > ${shellQuote(jobPidFile(jobId))}`);
  if (plan.key === 'stdin') steps.push(`IFS= read -r ${VLLM_KEY_ENV}`, `export ${VLLM_KEY_ENV}`);
  else if (plan.key) steps.push(`${VLLM_KEY_ENV}=${shellQuote(plan.key)}`, `export ${VLLM_KEY_ENV}`);
  // Configs travel inside the command (base64): nothing to copy to a remote beforehand, and the same
  // script runs here or there. The files stay in workdir for the user to read.
  for (const f of plan.files) {
    const b64 = Buffer.from(f.content, 'utf8').toString('base64');
    steps.push(`printf %s ${b64} | base64 -d > ${shellQuote(f.name)}`);
  }
  const env = Object.entries(plan.env).map(([k, v]) => `${k}=${shellQuote(v)}`);
  steps.push([...env, ...plan.argv.map(shellQuote)].join(' '));
  return steps.join(' && ');
}

/** The complete command line for a terminal on this machine. */
export function commandLine(plan: TaskPlan, target: Target, jobId?: string): string {
  const script = targetScript(plan, target, jobId);
  if (!isRemote(target)) return script;
  const prefix = target.sshOptions?.length ? withSshOptions(target.remotePrefix, target.sshOptions) : target.remotePrefix;
  return [...prefix.map(shellQuote), shellQuote(script)].join(' ');
}

/**
 * Run on the target (through the plain prefix) to stop a job started with `jobId`: TERM to its process
 * group, then to the process alone when it leads none; the pid file goes. Silent when the job is gone.
 */
export function stopJobScript(target: Target, jobId: string): string {
  const f = shellQuote(jobPidFile(jobId));
  return `cd ${shellQuote(target.workdir)} 2>/dev/null; p=$(cat ${f} 2>/dev/null) && case "$p" in ''|*[!0-9]*) ;; *) kill -s TERM -- "-$p" 2>/dev/null || kill -s TERM "$p" 2>/dev/null;; esac; rm -f ${f}`;
}

export function planTrain(o: TrainOptions): TaskPlan {
  return {
    kind: 'train',
    label: `train LoRA (${o.maxSteps} steps) on ${o.dataset}`,
    argv: ['llamafactory-cli', 'train', 'mellm_train.yaml'],
    env: trainEnv(o),
    files: [{ name: 'mellm_train.yaml', content: toFlatYaml(trainConfig(o)) }],
    tool: { name: 'llamafactory-cli', install: 'pip install llamafactory (or: git clone LLaMA-Factory && pip install -e ".[torch,metrics]")' },
    pathsToCheck: [
      { path: path.posix.join(o.datasetDir, 'dataset_info.json'), what: 'the exported dataset (run the export task first)', setting: 'mellm.train.datasetDir' },
      ...(o.deepspeed ? [{ path: o.deepspeed, what: 'the DeepSpeed config', setting: 'mellm.train.deepspeed' }] : []),
      ...(looksLikePath(o.baseModel) ? [{ path: o.baseModel, what: 'the base model', setting: 'mellm.train.baseModel' }] : []),
    ],
    gpus: Math.max(1, o.gpus),
  };
}

export function planMerge(o: MergeOptions): TaskPlan {
  return {
    kind: 'merge',
    label: `merge LoRA into ${o.exportDir}`,
    argv: ['llamafactory-cli', 'export', 'mellm_merge.yaml'],
    env: {},
    files: [{ name: 'mellm_merge.yaml', content: toFlatYaml(mergeConfig(o)) }],
    tool: { name: 'llamafactory-cli', install: 'pip install llamafactory' },
    pathsToCheck: [
      { path: o.adapterDir, what: 'the trained LoRA adapter (run the train task first)', setting: 'mellm.train.outputDir' },
      ...(looksLikePath(o.baseModel) ? [{ path: o.baseModel, what: 'the base model', setting: 'mellm.train.baseModel' }] : []),
    ],
    gpus: 0,
  };
}

export function planServe(o: ServeOptions, clientHost = '127.0.0.1'): TaskPlan {
  const args: ShellArg[] = serveArgs(o);
  if (o.apiKeyEnv && !ENV_NAME.test(o.apiKeyEnv)) {
    throw new RangeError(`mellm.serve.apiKeyEnv '${o.apiKeyEnv}' is not an environment variable name (letters, digits and _, not starting with a digit)`);
  }
  return {
    kind: 'serve',
    label: `serve ${o.servedName} on port ${o.port}`,
    argv: ['vllm', ...args],
    env: {},
    files: [],
    tool: { name: 'vllm', install: 'pip install vllm' },
    pathsToCheck: [{ path: o.modelDir, what: 'the merged model (run the merge task first)', setting: 'mellm.serve.modelDir' }],
    gpus: Math.max(1, o.tensorParallel),
    endpoint: serveEndpoint(o, clientHost),
    key: o.apiKeyEnv ? { env: o.apiKeyEnv } : 'stdin',
  };
}

export interface CliJobOptions {
  /** How to start the mellm CLI on the target, e.g. ['node', '/ext/dist/cli.js'] or ['mellm']. */
  mellm: string[];
}

export interface ExportJob extends CliJobOptions {
  dataset: string;
  out: string;
  lang: 'zh' | 'en';
  merRatio: number;
}

export function planExport(o: ExportJob): TaskPlan {
  return {
    kind: 'export',
    label: `export ${path.basename(o.dataset)} for LLaMA-Factory`,
    argv: [...o.mellm, 'export', o.dataset, '--format', 'llamafactory', '--out', o.out, '--lang', o.lang, '--mer-ratio', String(o.merRatio)],
    env: {},
    files: [],
    tool: { name: o.mellm[0], install: 'install MELLM Studio (npm ci in the extension folder) or set mellm.cli' },
    pathsToCheck: [{ path: o.dataset, what: 'the dataset folder', setting: 'the task\'s "dataset" property' }],
    gpus: 0,
  };
}

export interface BenchmarkJob extends CliJobOptions {
  dataset: string;
  protocol: string;
  out: string;
  endpoints: string[];
  model: string;
  concurrency: number;
  task: 'meu' | 'mer';
  /** 'region-text': the region statistics as text to a text LLM (its own endpoints and model). Default: MELLM when endpoints are given, else the built-in reasoner. */
  source?: 'mellm' | 'builtin' | 'region-text';
  regionText?: { endpoints: string[]; model: string };
}

export function planBenchmark(o: BenchmarkJob): TaskPlan {
  const rt = o.regionText ?? { endpoints: [], model: '' };
  const source =
    o.source === 'region-text'
      ? ['--source', 'region-text', ...(rt.endpoints.length ? ['--endpoint', rt.endpoints.join(',')] : []), ...(rt.model ? ['--model', rt.model] : [])]
      : o.source !== 'builtin' && o.endpoints.length > 0
        ? ['--endpoint', o.endpoints.join(','), '--model', o.model]
        : ['--offline'];
  return {
    kind: 'benchmark',
    label: `benchmark ${o.protocol} on ${path.basename(o.dataset)}`,
    argv: [...o.mellm, 'bench', o.dataset, '--protocol', o.protocol, '--out', o.out, ...source, '--concurrency', String(o.concurrency), '--task', o.task],
    env: {},
    files: [],
    tool: { name: o.mellm[0], install: 'install MELLM Studio (npm ci in the extension folder) or set mellm.cli' },
    pathsToCheck: [{ path: o.dataset, what: 'the dataset folder', setting: 'the task\'s "dataset" property' }],
    gpus: 0,
  };
}

function looksLikePath(s: string): boolean {
  return s.startsWith('/') || s.startsWith('./') || s.startsWith('../') || s.startsWith('~');
}

/** Runs a shell script on the target and reports its exit code and output. */
export type TargetExec = (script: string) => Promise<{ code: number; stdout: string }>;

/**
 * Checks before launch: the tool exists, the paths exist, enough GPUs. Returns one message per
 * problem, each naming the setting and what to do; empty when all is well.
 */
export async function preflight(plan: TaskPlan, target: Target, exec: TargetExec): Promise<string[]> {
  const where = isRemote(target) ? `on ${target.remotePrefix.join(' ')}` : 'on this machine';
  const problems: string[] = [];
  const tool = await exec(`command -v ${shellQuote(plan.tool.name)}`);
  if (tool.code !== 0) problems.push(`'${plan.tool.name}' was not found ${where}: ${plan.tool.install}`);
  for (const p of plan.pathsToCheck) {
    const r = await exec(`cd ${shellQuote(target.workdir)} 2>/dev/null; test -e ${shellQuote(p.path)}`);
    if (r.code !== 0) problems.push(`${p.what} '${p.path}' does not exist ${where} (set ${p.setting})`);
  }
  if (plan.gpus > 0) {
    const g = await exec('nvidia-smi -L 2>/dev/null | grep -c "^GPU" || true');
    const count = Number.parseInt(g.stdout.trim(), 10) || 0;
    if (count < plan.gpus) {
      problems.push(
        `${plan.label} needs ${plan.gpus} GPU(s) but ${count} ${count === 1 ? 'is' : 'are'} visible ${where} (nvidia-smi -L): lower mellm.train.gpus / mellm.serve.tensorParallel or choose another target`,
      );
    }
  }
  return problems;
}
