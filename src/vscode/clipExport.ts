// The panel's Export: the clip's report folder under <workspace>/mellm-reports/<clip>/ (src/core/export/clipReport.ts
// writes it): the frames the map was made from, the map, the flow colours, the raw flow as .flo, report.md.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { writeClipReport, type ReportLane } from '../core/export/clipReport';
import type { ClipView } from '../shared/protocol';
import { analyse } from './analysis';
import type { ClipData } from './clipPipeline';
import type { ClipEntry } from './clips';
import { t, uiLanguage } from './l10n';

export async function exportClipReport(o: {
  view: ClipView;
  data: ClipData;
  entry: ClipEntry;
  /** The frames the shown map was made from (the scrubber may have chosen others than the annotation's). */
  onsetPath: string;
  apexPath: string;
  /** `restates`: the built-in reasoner's answer, written from the measurement itself. */
  lanes: { label: string; text: string; incomplete?: boolean; restates: boolean; prompt?: { preset: string; sha256: string } }[];
}): Promise<string[]> {
  const { view, data, entry } = o;
  const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const base = path.join(ws ?? path.dirname(entry.dir), 'mellm-reports');
  const dir = path.join(base, view.clipId.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 120));
  const labels = { lang: uiLanguage(), unparsed: t('unparsed') };
  const lanes: ReportLane[] = o.lanes.map((l) => ({ label: l.label, text: l.text, incomplete: l.incomplete, prompt: l.prompt, result: analyse(l.text, data.motion, { restates: l.restates, labels }) }));
  let files: string[];
  try {
    files = await writeClipReport(dir, {
      title: view.title,
      clipId: view.clipId,
      onsetPath: o.onsetPath,
      apexPath: o.apexPath,
      onset: data.onset,
      apex: data.apex,
      mapPng: data.mapPng,
      flowOnlyPng: data.flowOnlyPng,
      flow: data.flow,
      head: data.head,
      nose: data.nose,
      groundTruth: view.groundTruth,
      warnings: view.warnings,
      lanes,
      generatedAt: new Date().toISOString(),
    });
  } catch (e) {
    throw new Error(t('could not write the report to {0}: {1}. Check that the folder is writable.', dir, (e as Error).message));
  }
  const open = t('Open');
  void vscode.window.showInformationMessage(t('MELLM report written: {0}', path.relative(ws ?? base, files[0])), open).then((c) => {
    if (c === open) void vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.file(files[0]));
  });
  return files;
}
