// Screenshots of Compare with the region-text lane (media/screenshot-panel-regiontext-{dark,light,hc}.png):
// the real panel page in headless Chromium on the shipped sample pair (media/sample, a known smile warp),
// map and region statistics from the real pipeline; lane a the built-in reasoner, lane b the paper's
// recorded Qwen2.5-VL-7B answer (Fig. 4) checked against this clip, lane c the answer of the stand-in
// text server (test/support/regionTextStandIn.ts: fixed rules over the region text of THIS clip, no model)
// so the lane shows what a text LLM gets and how its answer is parsed and checked. The labels say so.
// Run: node esbuild.js && node --import tsx scripts/sample/screenshot-regiontext-panel.ts [dark|light|hc ...]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildPrompt } from '../../src/core/reasoning/prompts';
import { BuiltinReasoner } from '../../src/core/reasoning/reasoner';
import { buildRegionTextPrompt } from '../../src/core/reasoning/regionText';
import { PROTOCOL_VERSION } from '../../src/shared/protocol';
import { analyse } from '../../src/vscode/analysis';
import { loadClipData } from '../../src/vscode/clipPipeline';
import { buildClipView, flowView } from '../../src/vscode/clipView';
import { standInAnswer } from '../../test/support/regionTextStandIn';
import { openPanel, ROOT } from '../../test/webview/harness';
import { streamMessages } from '../../test/webview/fixtures';
import { THEMES } from '../../test/webview/themes';

async function main(): Promise<void> {
  const want = process.argv.slice(2);
  const sample = path.join(ROOT, 'media', 'sample');
  const d = await loadClipData(path.join(sample, 'onset.png'), path.join(sample, 'apex.png'));
  if (!d.regionStats || !d.motion) throw new Error('no face found on the sample');
  const clip = buildClipView(
    { clipId: 'sample', title: 'sample smile (synthetic warp)', index: 0, total: 1, groundTruth: { emotion: 'happiness', aus: [{ au: 6 }, { au: 12 }] }, warnings: [], noseFrom: 'landmarks' },
    d,
  );
  const builtin = new BuiltinReasoner().answer({ mapPng: d.mapPng, prompt: buildPrompt({ lang: 'en' }), lang: 'en', task: 'meu', motion: d.motion }).text;
  const recorded = fs.readFileSync(path.join(ROOT, 'test/fixtures/answers/fig4-1-qwen25vl7b.md'), 'utf8');
  const standIn = standInAnswer(buildRegionTextPrompt(d.regionStats, { lang: 'en' }));
  for (const theme of THEMES.filter((t) => want.length === 0 || want.includes(t.name))) {
    const p = await openPanel({ width: 1800, height: 900, themeCss: theme.css, bodyClass: theme.bodyClass });
    try {
      const settings = { lang: 'en' as const, uiLang: 'en' as const, trusted: true, defaultSource: { kind: 'builtin' as const }, endpoints: ['http://gpu1:8000'], model: 'mellm', regionText: { endpoints: ['http://gpu1:8001'], model: 'Qwen3-8B' } };
      await p.send(
        { type: 'init', version: PROTOCOL_VERSION, settings },
        { type: 'clip', clip },
        { type: 'flow', clipId: 'sample', flow: flowView(d.flow) },
        ...streamMessages('sample', 'a', 'Built-in FACS reasoner', 'builtin', builtin, 3),
        { type: 'analysis', clipId: 'sample', lane: 'a', result: analyse(builtin, d.motion, { restates: true }) },
      );
      await p.page.locator('button[data-action="compare"]').click();
      await p.send(
        ...streamMessages('sample', 'b', 'Qwen2.5-VL-7B — recorded answer (paper Fig. 4), checked against this clip', 'server', recorded, 8400),
        { type: 'analysis', clipId: 'sample', lane: 'b', result: analyse(recorded, d.motion) },
        ...streamMessages('sample', 'c', "Region text → stand-in server (rules over this clip's region text, no model)", 'region-text', standIn, 240),
        { type: 'analysis', clipId: 'sample', lane: 'c', result: analyse(standIn, d.motion, { toldMotion: true }) },
      );
      await p.page.waitForTimeout(600);
      await p.page.evaluate(() => document.querySelectorAll('.lane-body').forEach((b) => (b.scrollTop = 0)));
      const out = path.join(ROOT, `media/screenshot-panel-regiontext-${theme.name}.png`);
      await p.page.screenshot({ path: out });
      console.log(`wrote ${out}`);
    } finally {
      await p.close();
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
