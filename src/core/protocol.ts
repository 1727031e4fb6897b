// Moved: the host<->panel protocol lives in src/shared/protocol.ts (imported by both src/vscode and
// webview/). This re-export keeps older imports working; new code imports src/shared/protocol.
export * from '../shared/protocol';
