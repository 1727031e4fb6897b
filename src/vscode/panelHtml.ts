// The panel's HTML shell with a strict Content-Security-Policy. Kept free of 'vscode' imports so the
// webview tests load exactly this page (same CSP) in Chromium.

export interface PanelHtmlOptions {
  /** webview.cspSource (the origin resources are served from). */
  cspSource: string;
  /** Random per page load; only <script> tags carrying it run. */
  nonce: string;
  scriptUri: string;
  styleUri: string;
  /** dist/codicons/codicon.css (its font is loaded relative to it, from the same origin). */
  codiconUri: string;
  /** Extra body classes (VS Code adds its theme classes itself). */
  title?: string;
}

export function makeNonce(random: (n: number) => Uint8Array): string {
  return Buffer.from(random(18)).toString('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, 24) || 'n0nce';
}

const attr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

export function panelHtml(o: PanelHtmlOptions): string {
  // No 'unsafe-inline' and no 'unsafe-eval' anywhere; images only from data: and the webview origin;
  // nothing may be fetched or framed; the webview cannot navigate or submit forms.
  const csp = [
    `default-src 'none'`,
    `img-src ${o.cspSource} data:`,
    `style-src ${o.cspSource}`,
    `font-src ${o.cspSource}`,
    `script-src 'nonce-${o.nonce}'`,
    `connect-src 'none'`,
    `frame-src 'none'`,
    `form-action 'none'`,
    `base-uri 'none'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(o.codiconUri)}" id="vscode-codicon-stylesheet">
<link rel="stylesheet" href="${attr(o.styleUri)}">
<title>${attr(o.title ?? 'MELLM')}</title>
</head>
<body>
<div id="app"></div>
<script nonce="${attr(o.nonce)}" src="${attr(o.scriptUri)}"></script>
</body>
</html>`;
}
