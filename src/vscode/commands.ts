// The MELLM commands: analyse a clip, batch MMC-Maps for a dataset, open a dataset in the tree, open a
// clip from it, set the API key, show the log, open the shipped sample clip.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { runDatasetMmc, type BatchSummary, type MmcEngine } from '../core/dataset/batch';
import { scanDataset } from '../core/dataset/scan';
import { createNosePool, defaultNosePoolSize } from '../core/face/pool';
import { decodeImage } from '../core/image';
import { loadClipData } from './clipPipeline';
import { listForFolder, listForScan, pairEntry, type ClipList } from './clips';
import type { DatasetTree } from './datasetTree';
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
      openLabel: 'Analyze',
      title: 'MELLM: a clip folder, or the onset and apex images',
      filters: { Images: ['png', 'jpg', 'jpeg', 'bmp', 'tif', 'tiff', 'webp'] },
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
  throw new Error('select a clip folder, or exactly two images (onset and apex), then run "MELLM: Analyze clip".');
}

export function registerCommands(
  context: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
  tree: DatasetTree,
  treeView: vscode.TreeView<number>,
): void {
  const reg = (id: (typeof COMMAND_IDS)[number], fn: (...args: never[]) => unknown) =>
    context.subscriptions.push(
      vscode.commands.registerCommand(id, async (...args: never[]) => {
        try {
          return await fn(...args);
        } catch (e) {
          const msg = (e as Error).message;
          log.error(`${id}: ${msg}`);
          void vscode.window.showErrorMessage(`MELLM: ${msg}`, 'Show Log').then((c) => c && log.show());
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
    const root = uri?.fsPath ?? (await pickFolder('Open dataset'));
    if (!root) return undefined;
    const scan = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'MELLM: scanning dataset…' }, () => scanDataset(root));
    tree.setScan(scan);
    log.info(`dataset ${scan.dataset} (${scan.kind}): ${scan.clips.length} clips, ${scan.errors.length} rows not usable`);
    for (const e of scan.errors) log.warn(`${e.id}: ${e.message}${e.source ? ` (${e.source.file}${e.source.row ? ` row ${e.source.row}` : ''})` : ''}`);
    if (scan.clips.length) await treeView.reveal(0, { focus: true, select: false }).then(undefined, () => undefined);
    if (scan.errors.length)
      void vscode.window.showWarningMessage(`MELLM: ${scan.errors.length} annotation rows of ${scan.dataset} could not become clips.`, 'Show Log').then((c) => c && log.show());
    return scan.clips.length;
  });

  reg('mellm.openClip', async (root: string, index: number) => {
    const t0 = performance.now();
    const scan = tree.current?.root === root ? tree.current : await scanDataset(root);
    const panel = await MellmPanel.show(context, log, listForScan(scan, index), t0);
    tree.setStatus(scan.clips[index].id, { state: 'analysed' });
    return panel;
  });

  reg('mellm.computeDatasetMaps', async (uri?: vscode.Uri) => {
    const root = uri?.fsPath ?? (await pickFolder('Compute MMC-Maps'));
    if (!root) return undefined;
    return computeDatasetMaps(context, log, tree, root);
  });

  reg('mellm.setApiKey', () =>
    askSecret(context, API_KEY_SECRET, 'MELLM server API key', 'The key the vLLM server was started with (--api-key). Stored in VS Code SecretStorage; empty removes it.', 'API key'),
  );
  // Its own secret: the MELLM key is never sent to the region-text server, nor this one to MELLM.
  reg('mellm.setRegionTextApiKey', () =>
    askSecret(
      context,
      REGION_TEXT_KEY_SECRET,
      'Region-text server API key',
      'The key of the text LLM server named in mellm.regionText.endpoints. Stored in VS Code SecretStorage apart from the MELLM key; empty removes it.',
      'region-text API key',
    ),
  );

  reg('mellm.showLog', () => log.show());
}

/** Ask for a key and keep it in SecretStorage (empty removes it); never echoed or logged. */
async function askSecret(context: vscode.ExtensionContext, secret: string, title: string, prompt: string, what: string): Promise<void> {
  const key = await vscode.window.showInputBox({ title, prompt, password: true, ignoreFocusOut: true });
  if (key === undefined) return;
  if (key === '') await context.secrets.delete(secret);
  else await context.secrets.store(secret, key);
  void vscode.window.showInformationMessage(key ? `MELLM: ${what} stored.` : `MELLM: ${what} removed.`);
}

async function pickFolder(label: string): Promise<string | undefined> {
  const r = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: label });
  return r?.[0]?.fsPath;
}

/** Batch MMC-Maps with a cancellable progress notification; also warms the panel cache of every clip. */
async function computeDatasetMaps(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, tree: DatasetTree, root: string): Promise<BatchSummary | undefined> {
  const s = readSettings();
  const scan = await scanDataset(root);
  tree.setScan(scan);
  const panelCache = cacheDir(context, s);
  const out = path.join(panelCache, 'datasets', scan.dataset.replace(/[^A-Za-z0-9._-]+/g, '_'));
  // The batch's engine goes through the panel pipeline, so opening any clip afterwards is a cache hit.
  // Faces are found on worker threads: on this one (the extension host's) each would stall it ~20 ms.
  // At most 4 in the editor: each worker holds its own models (~80 MiB).
  const faces = createNosePool({ size: Math.min(4, defaultNosePoolSize()) });
  const engine: MmcEngine = async (req) => {
    const d = await loadClipData(req.onsetPath, req.apexPath, {
      cacheDir: panelCache,
      device: req.device,
      params: req.params,
      signal: req.signal,
      detectFace: faces.detect,
    });
    const map = await decodeImage(d.mapPng, 'map');
    return { map: { width: map.width, height: map.height, data: map.data }, head: d.head, nose: d.nose, warnings: d.warnings };
  };
  let summary: BatchSummary;
  try {
    summary = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `MELLM: MMC-Maps for ${scan.dataset}`, cancellable: true },
      async (progress, token) => {
        const ctrl = new AbortController();
        token.onCancellationRequested(() => ctrl.abort());
        let last = 0;
        return runDatasetMmc(scan, {
          out,
          engine,
          device: s.device,
          signal: ctrl.signal,
          onProgress: (p) => {
            const pct = (p.done / Math.max(1, p.total)) * 100;
            progress.report({
              increment: pct - last,
              message: `${p.done}/${p.total} (${p.cached} cached, ${p.failed} failed)${p.etaS !== null ? ` · ~${Math.ceil(p.etaS)} s left` : ''}`,
            });
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
    tree.setStatus(f.id, { state: 'failed', message: f.message });
    log.error(`${f.id}: ${f.message}`);
  }
  const text = `MELLM: ${summary.status === 'cancelled' ? 'cancelled' : 'done'}: ${summary.computed} computed, ${summary.cached} cached, ${summary.failed} failed${summary.skipped ? `, ${summary.skipped} not reached` : ''} (${(summary.elapsedMs / 1000).toFixed(1)} s).`;
  log.info(`${text} manifest: ${summary.manifest}`);
  const failures = [...summary.failures, ...summary.scanErrors];
  if (failures.length) {
    const c = await vscode.window.showWarningMessage(text, 'Show Failures');
    if (c === 'Show Failures') {
      const pick = await vscode.window.showQuickPick(
        failures.map((f) => ({ label: f.id, detail: f.message, file: f.source?.file ?? scan.clips.find((c2) => c2.id === f.id)?.onset.file })),
        { title: 'MMC-Map failures: pick one to open its file', matchOnDetail: true },
      );
      if (pick?.file) await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(pick.file));
    }
  } else void vscode.window.showInformationMessage(text);
  return summary;
}
