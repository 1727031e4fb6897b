// The `mellm` task type: export, train, merge, serve and benchmark jobs as VS Code tasks. Each runs
// through a pseudoterminal we drive ourselves, so we can check the target before launch, turn training
// logs into a progress notification, and hand a served model's URL to the panel.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { JOB_KINDS, JobDefinitionError, clientHostFor, needsHome, resolveJob, type JobSettings, type MellmTaskDefinition, type ResolveContext } from '../core/train/jobs';
import { commandLine, preflight, shellQuote, stopJobScript, type Target, type TargetExec, type TaskPlan } from '../core/train/launch';
import { CommandLineError, splitCommandLine } from '../core/train/shellWords';
import { TrainProgressTracker, describeProgress } from '../core/train/progress';
import { parseProgressLine } from '../core/bench/job';
import type { ScanResult } from '../core/dataset/types';
import { readFileSync } from 'node:fs';
import { API_KEY_SECRET, userSetting } from './settings';
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
  if (custom) {
    // Split as sh would ("C:/my tools/mellm" stays one word); every word is quoted again on the command line.
    try {
      return splitCommandLine(custom, 'mellm.jobs.cli');
    } catch (e) {
      if (e instanceof CommandLineError) throw new JobDefinitionError(e.message);
      throw e;
    }
  }
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
  /** Names the pid file the job writes on its target, so Stop can end it there too. */
  private readonly jobId = randomBytes(6).toString('hex');
  private plan: TaskPlan;
  private target: Target;

  constructor(
    private readonly job: { def: MellmTaskDefinition; settings: JobSettings; ctx: ResolveContext; plan: TaskPlan; target: Target },
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.plan = job.plan;
    this.target = job.target;
  }

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
    if (this.stopped) return;
    this.stopped = true;
    // On a remote, ending the local ssh leaves the job running there: end it through the prefix first.
    if (this.child && this.target.remotePrefix.length > 0) void runScript(this.target, stopJobScript(this.target, this.jobId));
    if (this.child?.pid) {
      try {
        process.kill(-this.child.pid, 'SIGTERM');
      } catch {
        this.child.kill('SIGTERM');
      }
    }
  }

  /** `~/...` paths mean the target's home: look it up (on a remote, through the prefix) and plan again. */
  private async withHome(): Promise<void> {
    if (!needsHome(this.job.def, this.job.settings)) return;
    const remote = this.target.remotePrefix.length > 0;
    const home = remote ? (await runScript(this.target, 'printf %s "$HOME"')).stdout.trim() : os.homedir();
    if (!home.startsWith('/')) {
      this.print(`! could not read the home folder on ${this.target.remotePrefix.join(' ')}: ~ paths stay as written\n`);
      return;
    }
    const r = resolveJob(this.job.def, this.job.settings, { ...this.job.ctx, home });
    this.plan = r.plan;
    this.target = r.target;
  }

  /** The serve job's key: the one the panel sends (SecretStorage), generated and stored when there is none. */
  private async serveKey(): Promise<string> {
    let key = await this.context.secrets.get(API_KEY_SECRET);
    if (!key) {
      key = randomBytes(24).toString('base64url');
      await this.context.secrets.store(API_KEY_SECRET, key);
      this.print('• generated an API key for this server and stored it as the MELLM server key (MELLM: Set Server API Key replaces it)\n');
    }
    return key;
  }

  private async run(): Promise<void> {
    const exec: TargetExec = (script) => runScript(this.target, script);
    this.print(`MELLM: ${this.plan.label}\n`);
    try {
      await this.withHome();
    } catch (e) {
      this.print(`✗ ${(e as Error).message}\n`);
      this.closeEmitter.fire(1);
      return;
    }
    const problems = await preflight(this.plan, this.target, exec);
    if (problems.length > 0) {
      for (const p of problems) this.print(`✗ ${p}\n`);
      void vscode.window.showErrorMessage(`MELLM ${this.plan.kind}: ${problems[0]}`);
      this.closeEmitter.fire(1);
      return;
    }
    const line = commandLine(this.plan, this.target, this.jobId);
    this.log.info(`job ${this.plan.kind}: ${line.length > 400 ? line.slice(0, 400) + '…' : line}`);
    this.print(`$ ${this.plan.argv.map(shellQuote).join(' ')}\n`);
    // The key travels on stdin (through ssh to a remote): never in a command line, a log or the environment of the ssh.
    const key = this.plan.key === 'stdin' ? await this.serveKey() : undefined;
    const child = spawn('sh', ['-c', line], { detached: true, stdio: [key !== undefined ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    this.child = child;
    if (key !== undefined && child.stdin) {
      child.stdin.on('error', () => undefined);
      child.stdin.end(`${key}\n`);
    }
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
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
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
    if (this.plan.kind === 'serve' && this.plan.endpoint) void this.watchServer(this.plan.endpoint, done, key);
    const code = await done;
    this.print(`\n${this.stopped ? 'stopped' : `exited with code ${code}`}\n`);
    if (this.plan.kind === 'benchmark' && reportHtml && !this.stopped && this.target.remotePrefix.length === 0) showReport(reportHtml);
    this.closeEmitter.fire(code);
  }

  /** Once the server answers /v1/models, offer its URL to the panel; mellm.endpoints changes only if the user says so. */
  private async watchServer(endpoint: string, done: Promise<number>, key: string | undefined): Promise<void> {
    let finished = false;
    void done.then(() => (finished = true));
    while (!finished && !this.stopped) {
      await new Promise((r) => setTimeout(r, 5000));
      try {
        const res = await fetch(`${endpoint.replace(/\/$/, '')}/models`, {
          signal: AbortSignal.timeout(3000),
          ...(key !== undefined ? { headers: { authorization: `Bearer ${key}` } } : {}),
        });
        if (!res.ok) continue;
      } catch {
        continue; // not up yet
      }
      const cfg = vscode.workspace.getConfiguration('mellm');
      const current = userSetting<string[]>(cfg, 'endpoints', []);
      if (current.includes(endpoint)) {
        this.print(`\n✓ server is up: ${endpoint} (in mellm.endpoints)\n`);
        return;
      }
      this.print(`\n✓ server is up: ${endpoint}\n`);
      const use = t('Add to mellm.endpoints');
      const choice = await vscode.window.showInformationMessage(t('MELLM: the served model answers at {0}. Use it in the panel?', endpoint), use, t('Not now'));
      if (choice === use) {
        await cfg.update('endpoints', [endpoint, ...current], vscode.ConfigurationTarget.Global);
        this.print(`  ${endpoint} is now the panel's first endpoint (mellm.endpoints, user settings)\n`);
      }
      return;
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
      const ctx: ResolveContext = { mellm: mellmCommand(context, s.remotePrefix !== ''), clientHost: clientHostFor(s.remotePrefix) };
      const { plan, target } = resolveJob(d, s, ctx);
      return new JobTerminal({ def: d, settings: s, ctx, plan, target }, context, log);
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
