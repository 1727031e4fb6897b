// Makes media/screenshot-panel.png for the README: the real panel page (dist/webview.js, media/panel.css)
// in headless Chromium with VS Code's Dark Modern colours, on the shipped sample face pair: the MMC-Map from
// the real pipeline, the built-in reasoner's English answer with its claim check, AU12 hovered.
// Run: node esbuild.js && node --import tsx scripts/sample/screenshot-panel.ts
import * as path from 'node:path';
import { analyse } from '../../src/vscode/analysis';
import { dataUrl, loadClipData } from '../../src/vscode/clipPipeline';
import { PROTOCOL_VERSION } from '../../src/shared/protocol';
import { buildPrompt } from '../../src/core/reasoning/prompts';
import { BuiltinReasoner, chunkText } from '../../src/core/reasoning/reasoner';
import { openPanel, ROOT } from '../../test/webview/harness';

const DARK = `
body {
  --vscode-font-family: "DejaVu Sans", system-ui, sans-serif; --vscode-font-size: 13px;
  --vscode-foreground: #cccccc; --vscode-editor-background: #1f1f1f; --vscode-descriptionForeground: #9d9d9d;
  --vscode-panel-border: #2b2b2b; --vscode-focusBorder: #0078d4; --vscode-badge-background: #616161; --vscode-badge-foreground: #f8f8f8;
  --vscode-testing-iconPassed: #73c991; --vscode-testing-iconFailed: #f14c4c; --vscode-editorWarning-foreground: #cca700;
  --vscode-button-background: #0078d4; --vscode-button-foreground: #ffffff; --vscode-button-secondaryBackground: #313131;
  --vscode-button-secondaryForeground: #cccccc; --vscode-dropdown-background: #313131; --vscode-dropdown-foreground: #cccccc;
  --vscode-dropdown-border: #3c3c3c; --vscode-checkbox-background: #313131; --vscode-checkbox-border: #3c3c3c;
  --vscode-textCodeBlock-background: #2b2b2b; --vscode-editor-font-family: "DejaVu Sans Mono", monospace;
}`;

async function main(): Promise<void> {
  const dir = path.join(ROOT, 'media/sample');
  const d = await loadClipData(path.join(dir, 'onset.png'), path.join(dir, 'apex.png'));
  const text = new BuiltinReasoner().answer({ mapPng: d.mapPng, prompt: buildPrompt({ lang: 'en' }), lang: 'en', task: 'meu', motion: d.motion! }).text;
  const result = analyse(text, d.motion);
  const p = await openPanel({ width: 1440, height: 760, themeCss: DARK });
  try {
    const clipId = 'sample';
    await p.send(
      { type: 'init', version: PROTOCOL_VERSION, settings: { lang: 'en', trusted: true, defaultSource: { kind: 'builtin' }, endpoints: ['http://gpu1:8000'], model: 'mellm' } },
      {
        type: 'clip',
        clip: {
          clipId,
          title: 'sample · onset.png → apex.png',
          index: 0,
          total: 1,
          width: d.width,
          height: d.height,
          onset: dataUrl(d.onset.mime, d.onset.bytes),
          apex: dataUrl(d.apex.mime, d.apex.bytes),
          map: dataUrl('image/png', d.mapPng),
          flowOnly: dataUrl('image/png', d.flowOnlyPng),
          head: d.head,
          nose: d.nose ?? undefined,
          landmarks: d.face?.points,
          regions: d.face ? Object.entries(d.face.regions).map(([name, points]) => ({ name, points })) : undefined,
          groundTruth: { emotion: 'happiness', aus: [{ au: 6 }, { au: 12 }] },
          warnings: d.warnings,
          mapInfo: { cached: d.cached, ms: d.ms },
        },
      },
      { type: 'streamStart', clipId, lane: 'a', label: 'Built-in FACS reasoner', kind: 'builtin' },
      ...chunkText(text, 16).map((t) => ({ type: 'streamDelta' as const, clipId, lane: 'a' as const, text: t })),
      { type: 'streamDone', clipId, lane: 'a', stop: 'stop', incomplete: false, totalMs: 41 },
      { type: 'analysis', clipId, lane: 'a', result },
    );
    await p.page.waitForTimeout(500);
    await p.page.evaluate(() => document.querySelectorAll('.lane-body').forEach((b) => (b.scrollTop = 0)));
    await p.page.locator('.lane[data-lane="a"] .chip', { hasText: 'AU12' }).first().hover();
    await p.page.waitForTimeout(200);
    const out = path.join(ROOT, 'media/screenshot-panel.png');
    await p.page.screenshot({ path: out });
    console.log(`wrote ${out}`);
  } finally {
    await p.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
