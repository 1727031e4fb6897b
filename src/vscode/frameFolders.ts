// Keeps the context keys behind the Explorer's MELLM submenu (package.json menus "mellm.explorer"):
// mellm.clipFolders (Analyze clip), mellm.datasetFolders (Open dataset, Compute MMC-Maps) and
// mellm.frameFolders (either: the submenu itself). One directory walk per workspace folder at start, then
// file-watcher events patch the index; the keys are published at most every 300 ms.
import * as vscode from 'vscode';
import { contextValues, FrameIndex } from './frameIndex';

const PUBLISH_MS = 300;

export class FrameFolderKeys implements vscode.Disposable {
  private readonly index = new FrameIndex();
  private readonly disposables: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** Settles when the first walk of every workspace folder has been published (tests wait on it). */
  readonly ready: Promise<void>;

  constructor(private readonly log: vscode.LogOutputChannel) {
    const watcher = vscode.workspace.createFileSystemWatcher('**/*', false, true, false);
    this.disposables.push(
      watcher,
      watcher.onDidCreate((u) => u.scheme === 'file' && void this.index.created(u.fsPath).then(() => this.schedule())),
      watcher.onDidDelete((u) => u.scheme === 'file' && void this.index.deleted(u.fsPath).then(() => this.schedule())),
      vscode.workspace.onDidChangeWorkspaceFolders((e) => {
        for (const f of e.removed) if (f.uri.scheme === 'file') this.index.removeRoot(f.uri.fsPath);
        void Promise.all(e.added.filter((f) => f.uri.scheme === 'file').map((f) => this.index.addRoot(f.uri.fsPath))).then(() => this.schedule());
      }),
    );
    const t0 = Date.now();
    this.ready = Promise.all((vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => this.index.addRoot(f.uri.fsPath))).then(async () => {
      await this.publish();
      const f = this.index.folders();
      this.log.info(`frame folders: ${f.clips.length} clip folders, ${f.datasets.length} dataset folders (${Date.now() - t0} ms${this.index.truncated ? '; walk stopped at its folder limit' : ''})`);
    });
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.publish();
    }, PUBLISH_MS);
  }

  private async publish(): Promise<void> {
    const v = contextValues(this.index.folders());
    await Promise.all([
      vscode.commands.executeCommand('setContext', 'mellm.clipFolders', v.clips),
      vscode.commands.executeCommand('setContext', 'mellm.datasetFolders', v.datasets),
      vscode.commands.executeCommand('setContext', 'mellm.frameFolders', v.frames),
    ]);
  }

  /** Current folders (tests). */
  folders() {
    return this.index.folders();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.disposables.forEach((d) => d.dispose());
  }
}
