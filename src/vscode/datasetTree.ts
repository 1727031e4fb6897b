// "MELLM Dataset" tree: the clips of the opened dataset with label, AUs and status; a click opens the clip.
import * as vscode from 'vscode';
import type { ScanResult } from '../core/dataset/types';

export type ClipStatus = { state: 'map-ready' | 'failed' | 'analysed'; message?: string };

export class DatasetTree implements vscode.TreeDataProvider<number> {
  private scan: ScanResult | null = null;
  private readonly status = new Map<string, ClipStatus>();
  private readonly changed = new vscode.EventEmitter<number | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  get current(): ScanResult | null {
    return this.scan;
  }

  setScan(scan: ScanResult): void {
    if (this.scan?.root !== scan.root) this.status.clear();
    this.scan = scan;
    void vscode.commands.executeCommand('setContext', 'mellm.datasetOpen', true);
    this.changed.fire(undefined);
  }

  setStatus(clipId: string, s: ClipStatus): void {
    this.status.set(clipId, s);
    this.changed.fire(undefined);
  }

  getChildren(element?: number): number[] {
    if (element !== undefined || !this.scan) return [];
    return this.scan.clips.map((_, i) => i);
  }

  getTreeItem(i: number): vscode.TreeItem {
    const c = this.scan!.clips[i];
    const item = new vscode.TreeItem(`${c.subject}/${c.clip}`, vscode.TreeItemCollapsibleState.None);
    const aus = c.aus.map((a) => `${a.side === 'both' ? '' : a.side}${a.au}`).join('+');
    const st = this.status.get(c.id);
    item.description = [c.emotion ?? '—', aus ? `AU ${aus}` : '', st ? (st.state === 'failed' ? '✗ failed' : st.state === 'analysed' ? '✓ analysed' : '● map') : '']
      .filter(Boolean)
      .join(' · ');
    const tip = new vscode.MarkdownString();
    tip.appendText(`${c.id}\nonset: ${c.onset.file}\napex: ${c.apex?.file ?? '(not annotated: spotted on open)'}\nlabel: ${c.emotionRaw || '—'}  AUs: ${c.ausRaw || '—'}`);
    if (st?.message) tip.appendText(`\n${st.message}`);
    for (const w of c.warnings) tip.appendText(`\n⚠ ${w}`);
    item.tooltip = tip;
    item.iconPath = new vscode.ThemeIcon(st?.state === 'failed' ? 'error' : st?.state === 'analysed' ? 'pass' : st ? 'circle-filled' : 'circle-outline');
    item.command = { command: 'mellm.openClip', title: 'Open clip', arguments: [this.scan!.root, i] };
    item.contextValue = 'mellmClip';
    return item;
  }
}
