// What the panel tells the rest of the workbench, without the panel knowing who listens: the dataset view
// (status "✓ analysed", selection following the clip), the status bar (a failed server request shows at
// once instead of at the next 120 s health check) and the walkthrough (context keys).
import * as vscode from 'vscode';
import type { ClipRef, Lane, SourceKind } from '../shared/protocol';

export interface ClipShown {
  clipId: string;
  ref?: ClipRef;
  index: number;
  total: number;
}

export interface LaneFinished {
  clipId: string;
  ref?: ClipRef;
  lane: Lane;
  kind: SourceKind;
  /** True when an answer came (maybe incomplete); false when the source failed before any text. */
  ok: boolean;
}

export interface ServerOutcome {
  ok: boolean;
  /** The failure's one-line message (endpoint and what to do), when !ok. */
  message?: string;
  /** ReasoningError code (connect-refused, auth, model, ...) when known. */
  code?: string;
}

export const panelEvents = {
  clipShown: new vscode.EventEmitter<ClipShown>(),
  laneFinished: new vscode.EventEmitter<LaneFinished>(),
  serverOutcome: new vscode.EventEmitter<ServerOutcome>(),
};
