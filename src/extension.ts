// activate()/deactivate() only: wiring lives in src/vscode.
import * as vscode from 'vscode';
import { registerCommands } from './vscode/commands';
import { DATASET_VIEW_ID, DatasetTree } from './vscode/datasetTree';
import { FrameFolderKeys } from './vscode/frameFolders';
import { registerJobTasks } from './vscode/jobTasks';
import { MellmPanel, PANEL_VIEW_TYPE } from './vscode/panel';
import { panelEvents } from './vscode/panelEvents';
import { ServerStatus } from './vscode/statusBar';

export interface MellmApi {
  /** The open panel, for the extension-host tests. */
  panel(): MellmPanel | undefined;
  status: ServerStatus;
  tree: DatasetTree;
  treeView: vscode.TreeView<string>;
  frameFolders: FrameFolderKeys;
}

export function activate(context: vscode.ExtensionContext): MellmApi {
  const log = vscode.window.createOutputChannel('MELLM Studio', { log: true });
  context.subscriptions.push(log);
  log.info(`MELLM Studio activated (workspace ${vscode.workspace.isTrusted ? 'trusted' : 'restricted: no server, no processes'}; display language ${vscode.env.language})`);

  const tree = new DatasetTree();
  const treeView = vscode.window.createTreeView(DATASET_VIEW_ID, { treeDataProvider: tree, showCollapseAll: false });
  const frameFolders = new FrameFolderKeys(log);
  context.subscriptions.push(treeView, frameFolders);
  registerCommands(context, log, tree, treeView);

  context.subscriptions.push(
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
      deserializeWebviewPanel: (panel, state) => MellmPanel.revive(panel, state, context, log),
    }),
  );

  const status = new ServerStatus(log);
  const inOpenDataset = (ref: { kind: string; root?: string } | undefined) => ref?.kind === 'dataset' && ref.root === tree.current?.root;
  context.subscriptions.push(
    status,
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('mellm') && void status.refresh()),
    vscode.workspace.onDidGrantWorkspaceTrust(() => void status.refresh()),
    panelEvents.serverOutcome.event((o) => status.noteOutcome(o)),
    // The dataset view follows the panel: the shown clip is selected, an answered one is marked analysed.
    panelEvents.clipShown.event((c) => {
      if (inOpenDataset(c.ref) && treeView.visible) void treeView.reveal(c.clipId, { select: true, focus: false }).then(undefined, () => undefined);
    }),
    panelEvents.laneFinished.event((l) => {
      if (l.ok && inOpenDataset(l.ref)) tree.setStatus(l.clipId, { state: 'analysed' });
      // The walkthrough's "Read the map and the answer" step ticks once an answer was shown.
      if (l.ok) void vscode.commands.executeCommand('setContext', 'mellm.answerShown', true);
    }),
  );

  // Training / serving / benchmark jobs start processes: only in a trusted workspace.
  if (vscode.workspace.isTrusted) registerJobTasks(context, log, () => tree.current);
  else context.subscriptions.push(vscode.workspace.onDidGrantWorkspaceTrust(() => registerJobTasks(context, log, () => tree.current)));

  return { panel: () => MellmPanel.current, status, tree, treeView, frameFolders };
}

export function deactivate(): void {
  MellmPanel.current?.dispose();
}
