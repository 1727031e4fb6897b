// "MELLM: Dataset report": the confusion matrix and per-class scores of benchmark runs, from the UI, with the
// same code as `mellm eval RUN_DIR... --report OUT_DIR` (evaluateRun + writeReport). Runs of the open dataset
// under the jobs folder are offered first; without one, the benchmark task for that dataset is offered.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { evaluateRun, type RunEvaluation } from '../core/bench/evaluate';
import { sourceLabel, writeReport } from '../core/bench/report';
import { readConfig, type RunConfig } from '../core/bench/runDir';
import type { ScanResult } from '../core/dataset/types';
import { benchRoot, showReport } from './jobTasks';
import { t } from './l10n';

export interface FoundRun {
  dir: string;
  config: RunConfig;
}

/** Run directories (config.json of `mellm bench`) directly under `root`, newest first. */
export function findRuns(root: string): FoundRun[] {
  let names: string[];
  try {
    names = fs.readdirSync(root);
  } catch {
    return [];
  }
  const runs: FoundRun[] = [];
  for (const n of names) {
    const dir = path.join(root, n);
    const config = readConfig(dir);
    if (config) runs.push({ dir, config });
  }
  return runs.sort((a, b) => b.config.createdAt.localeCompare(a.config.createdAt));
}

export async function datasetReport(
  _context: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
  scan: ScanResult | null,
  runDirs?: string[],
): Promise<{ markdown: string; html: string } | undefined> {
  const dirs = runDirs ?? (await pickRuns(scan));
  if (!dirs || dirs.length === 0) return undefined;
  const runs: RunEvaluation[] = [];
  for (const d of dirs) {
    try {
      runs.push(evaluateRun(d));
    } catch (e) {
      throw new Error(t('cannot score {0}: {1}', d, (e as Error).message));
    }
  }
  const out = runs.length === 1 ? path.join(runs[0].dir, 'report') : path.join(path.dirname(runs[0].dir), `report-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  let report: { markdown: string; html: string };
  try {
    report = await writeReport(out, runs);
  } catch (e) {
    throw new Error(t('cannot write the report into {0}: {1}. Check that the folder is writable.', out, (e as Error).message));
  }
  log.info(`dataset report: ${report.html} (${runs.map((r) => `${r.name} UF1 ${r.metrics.uf1?.toFixed(4) ?? '—'}`).join('; ')})`);
  if (!runDirs) {
    showReport(report.html);
    const open = t('Open Markdown');
    void vscode.window.showInformationMessage(t('MELLM: report written to {0}', out), open).then((c) => {
      if (c === open) void vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.file(report.markdown));
    });
  }
  return report;
}

async function pickRuns(scan: ScanResult | null): Promise<string[] | undefined> {
  const root = benchRoot();
  const all = root ? findRuns(root) : [];
  const mine = scan ? all.filter((r) => path.resolve(r.config.dataset) === path.resolve(scan.root)) : all;
  type Item = vscode.QuickPickItem & { dir?: string; action?: 'browse' | 'bench' };
  const items: Item[] = mine.map((r) => ({
    label: path.basename(r.dir),
    description: `${r.config.protocol} · ${sourceLabel(r.config.source)} · ${t('{0} clips', r.config.clips)}`,
    detail: r.dir,
    dir: r.dir,
    picked: mine.length === 1,
  }));
  if (items.length === 0) {
    const bench = t('Run benchmark');
    const browse = t('Choose a run folder…');
    const what = scan ? t('No benchmark run of {0} was found in {1}.', scan.dataset, root ?? t('the jobs folder (mellm.jobs.workdir)')) : t('No benchmark run was found in {0}.', root ?? t('the jobs folder (mellm.jobs.workdir)'));
    const c = await vscode.window.showInformationMessage(what, ...(scan ? [bench] : []), browse);
    if (c === bench) {
      const tasks = await vscode.tasks.fetchTasks({ type: 'mellm' });
      const task = tasks.find((x) => x.definition.job === 'benchmark' && x.definition.dataset === scan?.root);
      if (task) await vscode.tasks.executeTask(task);
      return undefined;
    }
    return c === browse ? browseRun() : undefined;
  }
  items.push({ label: `$(folder-opened) ${t('Choose a run folder…')}`, action: 'browse', alwaysShow: true });
  const picked = await vscode.window.showQuickPick(items, {
    canPickMany: true,
    title: t('Benchmark runs to score (several are compared side by side)'),
    placeHolder: scan ? scan.dataset : undefined,
  });
  if (!picked || picked.length === 0) return undefined;
  if (picked.some((p) => p.action === 'browse')) return [...picked.filter((p) => p.dir).map((p) => p.dir!), ...((await browseRun()) ?? [])];
  return picked.map((p) => p.dir!);
}

async function browseRun(): Promise<string[] | undefined> {
  const r = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: true, openLabel: t('Score'), title: t('The --out folder of a mellm bench run') });
  return r?.map((u) => u.fsPath);
}
