// activate()/deactivate() only: wiring lives in src/vscode.
import * as vscode from 'vscode';
import { registerCommands } from './vscode/commands';
import { DatasetTree } from './vscode/datasetTree';
import { registerJobTasks } from './vscode/jobTasks';
import { MellmPanel, PANEL_VIEW_TYPE } from './vscode/panel';
import { ServerStatus } from './vscode/statusBar';

export interface MellmApi {
  /** The open panel, for the extension-host tests. */
  panel(): MellmPanel | undefined;
  status: ServerStatus;
}

export function activate(context: vscode.ExtensionContext): MellmApi {
  const log = vscode.window.createOutputChannel('MELLM Studio', { log: true });
  context.subscriptions.push(log);
  log.info(`MELLM Studio activated (workspace ${vscode.workspace.isTrusted ? 'trusted' : 'restricted: no server, no processes'})`);

  const tree = new DatasetTree();
  const treeView = vscode.window.createTreeView('mellm.dataset', { treeDataProvider: tree, showCollapseAll: false });
  context.subscriptions.push(treeView);
  registerCommands(context, log, tree, treeView);

  context.subscriptions.push(
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
      deserializeWebviewPanel: (panel, state) => MellmPanel.revive(panel, state, context, log),
    }),
  );

  const status = new ServerStatus(log);
  context.subscriptions.push(
    status,
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('mellm') && void status.refresh()),
    vscode.workspace.onDidGrantWorkspaceTrust(() => void status.refresh()),
  );

  // Training / serving / benchmark jobs start processes: only in a trusted workspace.
  if (vscode.workspace.isTrusted) registerJobTasks(context, log);
  else context.subscriptions.push(vscode.workspace.onDidGrantWorkspaceTrust(() => registerJobTasks(context, log)));

  return { panel: () => MellmPanel.current, status };
}

export function deactivate(): void {
  MellmPanel.current?.dispose();
}
