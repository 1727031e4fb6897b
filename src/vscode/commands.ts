// The MELLM commands: analyse a clip, batch MMC-Maps for a dataset, open a dataset in the tree, open a
// clip from it, step through clips / compare / export in the panel, the dataset report, set the API key,
// show the log, open the shipped sample clip.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { runDatasetMmc, type BatchSummary, type MmcEngine } from '../core/dataset/batch';
import { scanDataset } from '../core/dataset/scan';
import type { ScanResult } from '../core/dataset/types';
import { createNosePool, defaultNosePoolSize } from '../core/face/pool';
import { decodeImage } from '../core/image';
import { loadClipData } from './clipPipeline';
import { clipLabel, listForFolder, listForScan, pairEntry, type ClipList } from './clips';
import { DATASET_VIEW_ID, type DatasetTree } from './datasetTree';
import { datasetReport } from './datasetReport';
import { t } from './l10n';
import { MellmPanel } from './panel';
import { API_KEY_SECRET, REGION_TEXT_KEY_SECRET, cacheDir, readSettings } from './settings';

const IMAGE = /\.(png|jpe?g|bmp|tiff?|webp)$/i;

export const COMMAND_IDS = [
  'mellm.analyzeClip',
  'mellm.computeDatasetMaps',
  'mellm.openDataset',
  'mellm.openClip',
  'mellm.setApiKey',
  'mellm.setRegionTextApiKey',
  'mellm.showLog',
  'mellm.openSample',
  'mellm.nextClip',
  'mellm.previousClip',
  'mellm.compare',
  'mellm.exportReport',
  'mellm.datasetReport',
] as const;

async function isDir(p: string): Promise<boolean> {
  return (await fs.stat(p).catch(() => null))?.isDirectory() ?? false;
}

/** Explorer passes (clicked uri, all selected uris); the palette passes nothing. */
async function clipListFromArgs(uri?: vscode.Uri, uris?: vscode.Uri[]): Promise<ClipList | undefined> {
  let sel = (uris && uris.length ? uris : uri ? [uri] : []).filter((u) => u.scheme === 'file');
  if (sel.length === 0) {
    const picked = await vscode.window.showOpenDialog({
      canSelectFolders: true,
      canSelectFiles: true,
      canSelectMany: true,
      openLabel: t('Analyze'),
      title: t('MELLM: a clip folder, or the onset and apex images'),
      filters: { [t('Images')]: ['png', 'jpg', 'jpeg', 'bmp', 'tif', 'tiff', 'webp'] },
    });
    if (!picked) return undefined;
    sel = picked;
  }
  if (sel.length === 2 && sel.every((u) => IMAGE.test(u.fsPath))) {
    // Onset first: the earlier name (frame numbers sort naturally).
    const [a, b] = sel.map((u) => u.fsPath).sort((x, y) => x.localeCompare(y, undefined, { numeric: true }));
    return { entries: [pairEntry(a, b)], index: 0 };
  }
  if (sel.length === 1 && (await isDir(sel[0].fsPath))) return listForFolder(sel[0].fsPath);
  throw new Error(t('select a clip folder, or exactly two images (onset and apex), then run "MELLM: Analyze clip".'));
}

/** The open panel, or an error saying how to get one (palette use without a panel). */
function panelOrThrow(): MellmPanel {
  const p = MellmPanel.current;
  if (!p) throw new Error(t('no MELLM panel is open: analyse a clip first (Explorer → MELLM → Analyze clip, or open a dataset).'));
  return p;
}

export function registerCommands(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, tree: DatasetTree, treeView: vscode.TreeView<string>): void {
  const reg = (id: (typeof COMMAND_IDS)[number], fn: (...args: never[]) => unknown) =>
    context.subscriptions.push(
      vscode.commands.registerCommand(id, async (...args: never[]) => {
        try {
          return await fn(...args);
        } catch (e) {
          const msg = (e as Error).message;
          log.error(`${id}: ${msg}`);
          void vscode.window.showErrorMessage(`MELLM: ${msg}`, t('Show Log')).then((c) => c && log.show());
          return undefined;
        }
      }),
    );

  reg('mellm.analyzeClip', async (uri?: vscode.Uri, uris?: vscode.Uri[]) => {
    const t0 = performance.now();
    const list = await clipListFromArgs(uri, uris);
    if (!list) return undefined;
    log.info(`analyze ${list.entries[list.index].title}`);
    return MellmPanel.show(context, log, list, t0);
  });

  reg('mellm.openSample', async () => {
    const t0 = performance.now();
    return MellmPanel.show(context, log, await listForFolder(path.join(context.extensionPath, 'media', 'sample')), t0);
  });

  reg('mellm.openDataset', async (uri?: vscode.Uri) => {
    const root = uri?.fsPath ?? (await pickFolder(t('Open dataset')));
    if (!root) return undefined;
    const scan = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: t('MELLM: scanning dataset…') }, () => scanDataset(root));
    await showDataset(tree, treeView, scan);
    log.info(`dataset ${scan.dataset} (${scan.kind}): ${scan.clips.length} clips, ${scan.errors.length} rows not usable`);
    for (const e of scan.errors) log.warn(`${e.id}: ${e.message}${e.source ? ` (${e.source.file}${e.source.row ? ` row ${e.source.row}` : ''})` : ''}`);
    if (scan.clips.length === 0)
      void vscode.window.showWarningMessage(t('MELLM: {0} holds no clip: {1}', root, scan.errors[0]?.message ?? t('no onset/apex images or frame sequences were found.')), t('Show Log')).then((c) => c && log.show());
    else if (scan.errors.length)
      void vscode.window.showWarningMessage(t('MELLM: {0} annotation rows of {1} could not become clips.', scan.errors.length, scan.dataset), t('Show Log')).then((c) => c && log.show());
    return scan.clips.length;
  });

  reg('mellm.openClip', async (root: string, index: number) => {
    const t0 = performance.now();
    const scan = tree.current?.root === root ? tree.current : await scanDataset(root);
    return MellmPanel.show(context, log, listForScan(scan, index), t0);
  });

  reg('mellm.computeDatasetMaps', async (uri?: vscode.Uri) => {
    const root = uri?.fsPath ?? tree.current?.root ?? (await pickFolder(t('Compute MMC-Maps')));
    if (!root) return undefined;
    return computeDatasetMaps(context, log, tree, treeView, root);
  });

  reg('mellm.nextClip', () => panelOrThrow().navigate(1));
  reg('mellm.previousClip', () => panelOrThrow().navigate(-1));
  reg('mellm.compare', () => panelOrThrow().toggleCompare());
  reg('mellm.exportReport', () => panelOrThrow().exportReport());
  reg('mellm.datasetReport', (runDirs?: string[]) => datasetReport(context, log, tree.current, runDirs));

  reg('mellm.setApiKey', () =>
    askSecret(context, API_KEY_SECRET, t('MELLM server API key'), t('The key the vLLM server was started with (--api-key). Stored in VS Code SecretStorage; empty removes it.'), t('API key')),
  );
  // Its own secret: the MELLM key is never sent to the region-text server, nor this one to MELLM.
  reg('mellm.setRegionTextApiKey', () =>
    askSecret(
      context,
      REGION_TEXT_KEY_SECRET,
      t('Region-text server API key'),
      t('The key of the text LLM server named in mellm.regionText.endpoints. Stored in VS Code SecretStorage apart from the MELLM key; empty removes it.'),
      t('region-text API key'),
    ),
  );

  reg('mellm.showLog', () => log.show());
}

/** Put a scan in the view and bring the view forward: visible, expanded, focused on the first clip. */
export async function showDataset(tree: DatasetTree, treeView: vscode.TreeView<string>, scan: ScanResult): Promise<void> {
  tree.setScan(scan);
  // The view is declared with `when: mellm.datasetOpen`: it must exist before it can be focused.
  await vscode.commands.executeCommand('setContext', 'mellm.datasetOpen', true);
  await vscode.commands.executeCommand(`${DATASET_VIEW_ID}.focus`).then(undefined, () => undefined);
  treeView.title = t('MELLM Dataset');
  treeView.description = `${scan.dataset} · ${t('{0} clips', scan.clips.length)}`;
  const first = scan.clips[0];
  if (first) await treeView.reveal(first.id, { focus: true, select: true, expand: true }).then(undefined, () => undefined);
}

/** Ask for a key and keep it in SecretStorage (empty removes it); never echoed or logged. */
async function askSecret(context: vscode.ExtensionContext, secret: string, title: string, prompt: string, what: string): Promise<void> {
  const key = await vscode.window.showInputBox({ title, prompt, password: true, ignoreFocusOut: true });
  if (key === undefined) return;
  if (key === '') await context.secrets.delete(secret);
  else await context.secrets.store(secret, key);
  void vscode.window.showInformationMessage(key ? t('MELLM: {0} stored.', what) : t('MELLM: {0} removed.', what));
}

async function pickFolder(label: string): Promise<string | undefined> {
  const r = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: label });
  return r?.[0]?.fsPath;
}

/** Batch MMC-Maps with a cancellable progress notification; also warms the panel cache of every clip. */
async function computeDatasetMaps(
  context: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
  tree: DatasetTree,
  treeView: vscode.TreeView<string>,
  root: string,
): Promise<BatchSummary | undefined> {
  const s = readSettings();
  const scan = tree.current?.root === root ? tree.current : await scanDataset(root);
  if (tree.current?.root !== root) await showDataset(tree, treeView, scan);
  const panelCache = cacheDir(context, s);
  const out = path.join(panelCache, 'datasets', scan.dataset.replace(/[^A-Za-z0-9._-]+/g, '_'));
  const byOnset = new Map(scan.clips.map((c) => [c.onset.file, c]));
  // The batch's engine goes through the panel pipeline, so opening any clip afterwards is a cache hit, and a
  // clip already opened in the panel is a cache hit for the batch (counted as cached, not computed).
  // Faces are found on worker threads: on this one (the extension host's) each would stall it ~20 ms.
  // At most 4 in the editor: each worker holds its own models (~80 MiB).
  const faces = createNosePool({ size: Math.min(4, defaultNosePoolSize()) });
  let report: ((message: string) => void) | undefined;
  const engine: MmcEngine = async (req) => {
    const clip = byOnset.get(req.onsetPath);
    if (clip) report?.(t('computing {0}', clipLabel(clip)));
    const d = await loadClipData(req.onsetPath, req.apexPath, {
      cacheDir: panelCache,
      device: req.device,
      params: req.params,
      signal: req.signal,
      detectFace: faces.detect,
    });
    const map = await decodeImage(d.mapPng, 'map');
    return { map: { width: map.width, height: map.height, data: map.data }, head: d.head, nose: d.nose, warnings: d.warnings, cached: d.cached };
  };
  let summary: BatchSummary;
  try {
    summary = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: t('MELLM: MMC-Maps for {0}', scan.dataset), cancellable: true },
      async (progress, token) => {
        const ctrl = new AbortController();
        token.onCancellationRequested(() => ctrl.abort());
        let last = 0;
        let counts = '';
        report = (what) => progress.report({ message: `${what} · ${counts}` });
        return runDatasetMmc(scan, {
          out,
          engine,
          device: s.device,
          signal: ctrl.signal,
          onProgress: (p) => {
            const pct = (p.done / Math.max(1, p.total)) * 100;
            counts = t('{0}/{1} ({2} cached, {3} failed)', p.done, p.total, p.cached, p.failed) + (p.etaS !== null && p.etaS > 0 ? ' · ' + t('~{0} s left', Math.ceil(p.etaS)) : '');
            const clip = p.clipId ? scan.clips.find((c) => c.id === p.clipId) : undefined;
            progress.report({ increment: pct - last, message: clip ? `${clipLabel(clip)} · ${counts}` : counts });
            last = pct;
            if (p.clipId) tree.setStatus(p.clipId, { state: 'map-ready' });
          },
        });
      },
    );
  } finally {
    void faces.close();
  }
  for (const f of summary.failures) {
    tree.setStatus(f.id, { state: 'failed', message: f.message }, true);
    log.error(`${f.id}: ${f.message}`);
  }
  const counts = t('{0} computed, {1} cached, {2} failed', summary.computed, summary.cached, summary.failed) + (summary.skipped ? ', ' + t('{0} not reached', summary.skipped) : '');
  const text = `MELLM: ${summary.status === 'cancelled' ? t('cancelled') : t('done')}: ${counts} (${(summary.elapsedMs / 1000).toFixed(1)} s).`;
  log.info(`${text} manifest: ${summary.manifest}`);
  const failures = [...summary.failures, ...summary.scanErrors];
  const openResults = t('Open results');
  const showFailures = t('Show Failures');
  const actions = [...(scan.clips.length > failures.length ? [openResults] : []), ...(failures.length ? [showFailures] : [])];
  const shown = failures.length ? vscode.window.showWarningMessage(text, ...actions) : vscode.window.showInformationMessage(text, ...actions);
  // The summary's action is awaited off the command, so the command (and the tests) return at once.
  void shown.then(async (c) => {
    if (c === openResults) {
      const first = scan.clips.findIndex((cl) => tree.statusOf(cl.id)?.state !== 'failed');
      await showDataset(tree, treeView, scan);
      if (first >= 0) await vscode.commands.executeCommand('mellm.openClip', scan.root, first);
    } else if (c === showFailures) {
      const pick = await vscode.window.showQuickPick(
        failures.map((f) => ({ label: f.id, detail: f.message, file: f.source?.file ?? scan.clips.find((c2) => c2.id === f.id)?.onset.file })),
        { title: t('MMC-Map failures: pick one to open its file'), matchOnDetail: true },
      );
      if (pick?.file) await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(pick.file));
    }
  });
  return summary;
}
