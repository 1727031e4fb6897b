// activate()/deactivate() only: wiring lives in src/vscode.
import * as vscode from 'vscode';

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('MELLM Studio', { log: true });
  context.subscriptions.push(log);
  log.info('MELLM Studio activated');
}

export function deactivate(): void {}
