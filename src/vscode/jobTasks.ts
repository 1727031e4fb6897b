// The `mellm` task type: export, train, merge, serve and benchmark jobs as VS Code tasks. Each runs
// through a pseudoterminal we drive ourselves, so we can check the target before launch, turn training
// logs into a progress notification, and hand a served model's URL to the panel.
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { JOB_KINDS, JobDefinitionError, clientHostFor, resolveJob, type JobSettings, type MellmTaskDefinition } from '../core/train/jobs';
import { commandLine, preflight, shellQuote, type Target, type TargetExec, type TaskPlan } from '../core/train/launch';
import { TrainProgressTracker, describeProgress } from '../core/train/progress';
import { parseProgressLine } from '../core/bench/job';
import type { ScanResult } from '../core/dataset/types';
import { readFileSync } from 'node:fs';
import { userSetting } from './settings';
import { t } from './l10n';

export const TASK_TYPE = 'mellm';

function readSettings(): JobSettings {
  const c = vscode.workspace.getConfiguration('mellm');
  const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd();
  // Where jobs run, what they run and where the key goes: user settings only (see userSetting).
  const remotePrefix = String(userSetting<unknown>(c, 'jobs.remotePrefix', '') ?? '').trim();
  const workdir = String(userSetting<unknown>(c, 'jobs.workdir', '') ?? '').trim() || (remotePrefix ? 'mellm-jobs' : path.join(ws, '.mellm', 'jobs'));
  return {
    remotePrefix,
    workdir,
    train: userSetting<JobSettings['train']>(c, 'train', {}),
    serve: userSetting<JobSettings['serve']>(c, 'serve', {}),
    endpoints: userSetting<string[]>(c, 'endpoints', []),
    model: c.get<string>('model', 'mellm'),
    concurrency: c.get<number>('jobs.concurrency', 8),
    regionText: { endpoints: userSetting<string[]>(c, 'regionText.endpoints', []), model: c.get<string>('regionText.model', '') },
  };
}

function mellmCommand(context: vscode.ExtensionContext, remote: boolean): string[] {
  const custom = String(userSetting<unknown>(vscode.workspace.getConfiguration('mellm'), 'jobs.cli', '') ?? '').trim();
  if (custom) return custom.split(/\s+/);
  // Remote targets need their own install; here the bundled CLI runs under VS Code's own Node.
  return remote ? ['mellm'] : ['node', context.asAbsolutePath(path.join('dist', 'cli.js'))];
}

function runScript(target: Target, script: string): Promise<{ code: number; stdout: string }> {
  const argv = target.remotePrefix.length > 0 ? [...target.remotePrefix, script] : ['sh', '-c', script];
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('error', () => resolve({ code: 127, stdout }));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout }));
  });
}

class JobTerminal implements vscode.Pseudoterminal {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<number>();
  readonly onDidWrite = this.writeEmitter.event;
  readonly onDidClose = this.closeEmitter.event;
  private child: ChildProcess | undefined;
  private stopped = false;

  constructor(
    private readonly plan: TaskPlan,
    private readonly target: Target,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  private print(text: string): void {
    this.writeEmitter.fire(text.replace(/\r?\n/g, '\r\n'));
  }

  open(): void {
    void this.run();
  }

  close(): void {
    this.stop();
  }

  private stop(): void {
    this.stopped = true;
    if (this.child?.pid) {
      try {
        process.kill(-this.child.pid, 'SIGTERM');
      } catch {
        this.child.kill('SIGTERM');
      }
    }
  }

  private async run(): Promise<void> {
    const exec: TargetExec = (script) => runScript(this.target, script);
    this.print(`MELLM: ${this.plan.label}\n`);
    const problems = await preflight(this.plan, this.target, exec);
    if (problems.length > 0) {
      for (const p of problems) this.print(`✗ ${p}\n`);
      void vscode.window.showErrorMessage(`MELLM ${this.plan.kind}: ${problems[0]}`);
      this.closeEmitter.fire(1);
      return;
    }
    const line = commandLine(this.plan, this.target);
    this.log.info(`job ${this.plan.kind}: ${line.length > 400 ? line.slice(0, 400) + '…' : line}`);
    this.print(`$ ${this.plan.argv.map(shellQuote).join(' ')}\n`);
    const child = spawn('sh', ['-c', line], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    // Training and benchmark logs become a cancellable progress notification.
    const progressOf = progressReader(this.plan.kind);
    let report: ((text: string, fraction?: number) => void) | undefined;
    let lastPercent = 0;
    let reportHtml: string | undefined;
    const onData = (d: Buffer): void => {
      const text = d.toString();
      this.print(text);
      for (const l of text.split('\n')) {
        const r = /^report: (.+\.html)\s*$/.exec(l);
        if (r) reportHtml = r[1];
        const p = progressOf?.(l);
        if (p && report) report(p.message, p.fraction);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const done = new Promise<number>((resolve) => {
      child.on('error', (e) => {
        this.print(`\n✗ could not start the job: ${e.message}\n`);
        resolve(127);
      });
      child.on('close', (code) => resolve(code ?? 1));
    });
    if (progressOf) {
      void vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: this.plan.kind === 'train' ? t('MELLM training') : t('MELLM benchmark'), cancellable: true },
        async (progress, token) => {
          token.onCancellationRequested(() => this.stop());
          report = (message, fraction) => {
            const percent = fraction !== undefined ? fraction * 100 : undefined;
            const increment = percent !== undefined ? Math.max(0, percent - lastPercent) : undefined;
            if (percent !== undefined) lastPercent = percent;
            progress.report({ message, increment });
          };
          await done;
        },
      );
    }
    if (this.plan.kind === 'serve' && this.plan.endpoint) void this.watchServer(this.plan.endpoint, done);
    const code = await done;
    this.print(`\n${this.stopped ? 'stopped' : `exited with code ${code}`}\n`);
    if (this.plan.kind === 'benchmark' && reportHtml && !this.stopped && this.target.remotePrefix.length === 0) showReport(reportHtml);
    this.closeEmitter.fire(code);
  }

  /** Once the server answers /v1/models, offer its URL to the panel (mellm.endpoints). */
  private async watchServer(endpoint: string, done: Promise<number>): Promise<void> {
    let finished = false;
    void done.then(() => (finished = true));
    while (!finished && !this.stopped) {
      await new Promise((r) => setTimeout(r, 5000));
      try {
        const res = await fetch(`${endpoint.replace(/\/$/, '')}/models`, { signal: AbortSignal.timeout(3000) });
        if (!res.ok) continue;
        const cfg = vscode.workspace.getConfiguration('mellm');
        const current = cfg.get<string[]>('endpoints', []);
        if (!current.includes(endpoint)) await cfg.update('endpoints', [endpoint, ...current], vscode.ConfigurationTarget.Workspace);
        this.print(`\n✓ server is up: ${endpoint} is now the panel's first endpoint (mellm.endpoints)\n`);
        return;
      } catch {
        // not up yet
      }
    }
  }
}

/** How a job's log lines become progress: training steps and loss, benchmark clips, rate and ETA. */
function progressReader(kind: TaskPlan['kind']): ((line: string) => { message: string; fraction?: number } | null) | undefined {
  if (kind === 'train') {
    const tracker = new TrainProgressTracker();
    return (line) => {
      const p = tracker.update(line);
      return p ? { message: describeProgress(p), fraction: p.step !== undefined && p.total ? p.step / p.total : undefined } : null;
    };
  }
  if (kind === 'benchmark') {
    return (line) => {
      const p = parseProgressLine(line);
      return p ? { message: t('{0}/{1} clips, {2} clips/s, ETA {3}', p.finished, p.total, p.rate.toFixed(1), p.eta), fraction: p.total ? p.finished / p.total : undefined } : null;
    };
  }
  return undefined;
}

/** Where the provided benchmark tasks write their runs (local jobs only: a remote run is not readable here). */
export function benchRoot(): string | undefined {
  const s = readSettings();
  return s.remotePrefix ? undefined : path.join(s.workdir, 'bench');
}

/** The run a report belongs to: RUN/report.html (mellm bench) or RUN/report/report.html (the dataset report). */
const runName = (file: string) => path.basename(path.dirname(path.basename(path.dirname(file)) === 'report' ? path.dirname(file) : file));

/** The benchmark's self-contained report (inline SVG, its own CSP, no scripts) in a webview. */
export function showReport(file: string): void {
  let html: string;
  try {
    html = readFileSync(file, 'utf8');
  } catch (e) {
    void vscode.window.showErrorMessage(t('MELLM benchmark: cannot read the report {0}: {1}', file, (e as Error).message));
    return;
  }
  const panel = vscode.window.createWebviewPanel('mellm.benchReport', t('Benchmark: {0}', runName(file)), vscode.ViewColumn.Active, {
    enableScripts: false,
    localResourceRoots: [],
  });
  panel.webview.html = html;
}

function toTask(context: vscode.ExtensionContext, def: MellmTaskDefinition, scope: vscode.WorkspaceFolder | vscode.TaskScope, log: vscode.LogOutputChannel): vscode.Task {
  const execution = new vscode.CustomExecution(async (resolved) => {
    const d = resolved as unknown as MellmTaskDefinition;
    const s = readSettings();
    try {
      const { plan, target } = resolveJob(d, s, { mellm: mellmCommand(context, s.remotePrefix !== ''), clientHost: clientHostFor(s.remotePrefix) });
      return new JobTerminal(plan, target, log);
    } catch (e) {
      const msg = e instanceof JobDefinitionError ? e.message : String(e);
      void vscode.window.showErrorMessage(`MELLM task: ${msg}`);
      throw e;
    }
  });
  const name = def.dataset ? `${def.job} ${path.basename(def.dataset)}` : def.job;
  const task = new vscode.Task(def, scope, name, TASK_TYPE, execution, ['$mellm-python', '$mellm-python-carets', '$mellm-vllm']);
  task.detail = taskDetail(def);
  if (def.job === 'serve') task.isBackground = true;
  task.group = def.job === 'train' || def.job === 'merge' ? vscode.TaskGroup.Build : undefined;
  return task;
}

/** One line under the task's name in Run Task: what it does and where it writes. */
function taskDetail(def: MellmTaskDefinition): string {
  switch (def.job) {
    case 'export':
      return t('Instruction dataset for LLaMA-Factory (ShareGPT JSON + MMC-Maps) from {0} → {1}', def.dataset ?? '?', def.out ?? t('the jobs folder'));
    case 'benchmark':
      return t('Score {0} with the {1} protocol (UF1, UAR, ACC, confusion) → {2}', def.dataset ?? '?', def.protocol ?? 'custom', def.out ?? '?');
    case 'train':
      return t('LoRA fine-tuning with LLaMA-Factory (paper defaults, overridden by mellm.train)');
    case 'merge':
      return t('Merge the trained LoRA into the base model for vLLM (llamafactory-cli export)');
    case 'serve':
      return t('Serve the merged model with vLLM (mellm.serve); its URL is added to mellm.endpoints once it answers');
  }
}

/** Protocol of a scanned dataset for the provided benchmark task: the paper's where the layout tells it. */
function protocolFor(scan: ScanResult): string {
  return scan.kind === 'casme2' ? 'casme2' : scan.kind === 'casme3a' ? 'casme3a' : 'custom';
}

/** Export and benchmark tasks for the dataset open in the MELLM Dataset view. */
export function datasetTaskDefinitions(scan: ScanResult, s: Pick<JobSettings, 'workdir' | 'endpoints'>): MellmTaskDefinition[] {
  const safe = scan.dataset.replace(/[^A-Za-z0-9._-]+/g, '_');
  const source = s.endpoints.length > 0 ? 'server' : 'builtin';
  return [
    { type: TASK_TYPE, job: 'export', dataset: scan.root, out: path.join(s.workdir, 'data', safe) },
    { type: TASK_TYPE, job: 'benchmark', dataset: scan.root, protocol: protocolFor(scan), out: path.join(s.workdir, 'bench', `${safe}-${source}`) },
  ];
}

export function registerJobTasks(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, dataset: () => ScanResult | null = () => null): void {
  const provider: vscode.TaskProvider = {
    provideTasks: () => {
      const scan = dataset();
      const defs: MellmTaskDefinition[] = [...(scan ? datasetTaskDefinitions(scan, readSettings()) : []), ...(['train', 'merge', 'serve'] as const).map((job) => ({ type: TASK_TYPE, job }) as MellmTaskDefinition)];
      return defs.map((d) => toTask(context, d, vscode.TaskScope.Workspace, log));
    },
    resolveTask: (task) => {
      const def = task.definition as MellmTaskDefinition;
      if (!JOB_KINDS.includes(def.job)) return undefined;
      return toTask(context, def, task.scope ?? vscode.TaskScope.Workspace, log);
    },
  };
  context.subscriptions.push(vscode.tasks.registerTaskProvider(TASK_TYPE, provider));
}
