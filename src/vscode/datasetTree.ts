// "MELLM Dataset" view: the clips of the opened dataset with label, AUs and status; a click opens the clip.
// Elements are clip ids (strings): an index would make the first clip the falsy element 0, which VS Code
// takes for "no element" (it was missing from the list).
import * as vscode from 'vscode';
import { EMOTIONS, emotionLabel, type Emotion } from '../core/emotions';
import type { Clip, ScanResult } from '../core/dataset/types';
import { clipLabel } from './clips';
import { t, uiLanguage } from './l10n';

export type ClipState = 'map-ready' | 'failed' | 'analysed';
export type ClipStatus = { state: ClipState; message?: string };

/** A later state replaces an earlier one unless it says less: a batch's "map ready" never hides "analysed". */
const RANK: Record<ClipState, number> = { 'map-ready': 0, failed: 1, analysed: 2 };

export const DATASET_VIEW_ID = 'mellm.dataset';

export class DatasetTree implements vscode.TreeDataProvider<string> {
  private scan: ScanResult | null = null;
  private byId = new Map<string, { clip: Clip; index: number }>();
  private readonly status = new Map<string, ClipStatus>();
  private readonly changed = new vscode.EventEmitter<string | string[] | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  get current(): ScanResult | null {
    return this.scan;
  }

  setScan(scan: ScanResult): void {
    if (this.scan?.root !== scan.root) this.status.clear();
    this.scan = scan;
    this.byId = new Map(scan.clips.map((clip, index) => [clip.id, { clip, index }]));
    this.changed.fire(undefined);
  }

  /** Record a clip's state; `force` lets a recomputation replace "analysed" (e.g. the map failed after all). */
  setStatus(clipId: string, s: ClipStatus, force = false): void {
    const old = this.status.get(clipId);
    if (!force && old && RANK[s.state] < RANK[old.state]) return;
    this.status.set(clipId, s);
    if (this.byId.has(clipId)) this.changed.fire(clipId);
  }

  statusOf(clipId: string): ClipStatus | undefined {
    return this.status.get(clipId);
  }

  indexOf(clipId: string): number | undefined {
    return this.byId.get(clipId)?.index;
  }

  getChildren(element?: string): string[] {
    if (element !== undefined || !this.scan) return [];
    return this.scan.clips.map((c) => c.id);
  }

  getParent(): undefined {
    return undefined;
  }

  getTreeItem(id: string): vscode.TreeItem {
    const entry = this.byId.get(id);
    if (!entry || !this.scan) return new vscode.TreeItem(id);
    const { clip: c, index } = entry;
    const st = this.status.get(id);
    const item = new vscode.TreeItem(clipLabel(c), vscode.TreeItemCollapsibleState.None);
    item.id = id;
    item.description = clipDescription(c, st);
    const tip = new vscode.MarkdownString();
    tip.appendText(`${c.id}\n`);
    tip.appendText(t('onset: {0}', c.onset.file) + '\n');
    tip.appendText((c.apex ? t('apex: {0}', c.apex.file) : t('apex: not annotated (spotted when opened)')) + '\n');
    tip.appendText(t('label: {0}  AUs: {1}', c.emotionRaw || '—', c.ausRaw || '—'));
    if (st?.message) tip.appendText(`\n${st.message}`);
    for (const w of c.warnings) tip.appendText(`\n⚠ ${w}`);
    item.tooltip = tip;
    item.iconPath = new vscode.ThemeIcon(st?.state === 'failed' ? 'error' : st?.state === 'analysed' ? 'pass' : st ? 'circle-filled' : 'circle-outline');
    item.command = { command: 'mellm.openClip', title: t('Open clip'), arguments: [this.scan.root, index] };
    item.contextValue = 'mellmClip';
    item.accessibilityInformation = { label: [item.label as string, item.description].filter(Boolean).join(', ') };
    return item;
  }
}

/** Label and AUs when annotated (nothing made up when not), then the status. */
export function clipDescription(c: Pick<Clip, 'emotion' | 'aus'>, st?: ClipStatus, lang = uiLanguage()): string {
  const aus = c.aus.map((a) => `${a.side === 'both' ? '' : a.side}${a.au}`).join('+');
  const parts: string[] = [];
  if (c.emotion) parts.push((EMOTIONS as readonly string[]).includes(c.emotion) ? emotionLabel(c.emotion as Emotion, lang) : c.emotion);
  if (aus) parts.push(`AU ${aus}`);
  if (!c.emotion && !aus) parts.push(t('not annotated'));
  if (st) parts.push(st.state === 'failed' ? t('✗ failed') : st.state === 'analysed' ? t('✓ analysed') : t('● map ready'));
  return parts.join(' · ');
}
