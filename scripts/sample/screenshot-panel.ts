// Makes the README screenshots of the panel (media/screenshot-panel.png dark, -light.png, -hc.png): the real
// panel page (dist/webview.js, media/panel.css) in headless Chromium with VS Code's theme colours, on a
// frame sequence made from the shipped sample (its known smile warp with a rising and falling strength):
// apex spotted by the core, map from the real pipeline, the built-in reasoner's answer (lane a) and, in the
// Compare lane, the paper's recorded Qwen2.5-VL-7B answer (Fig. 4, sample 1) checked against THIS clip's
// measured motion, to show contradicted claims. The label says so; it is not a run of that model here.
// Run: node esbuild.js && node --import tsx scripts/sample/screenshot-panel.ts [dark|light|hc ...]
// Needs a CJK font (Debian: fonts-noto-cjk): without one Chromium draws the zh answer as empty boxes.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { scanDataset } from '../../src/core/dataset/scan';
import { buildPrompt } from '../../src/core/reasoning/prompts';
import { BuiltinReasoner } from '../../src/core/reasoning/reasoner';
import { PROTOCOL_VERSION } from '../../src/shared/protocol';
import { analyse } from '../../src/vscode/analysis';
import { apexCurve, resolvePair } from '../../src/vscode/clipFrames';
import { loadClipData } from '../../src/vscode/clipPipeline';
import { buildClipView, flowView } from '../../src/vscode/clipView';
import { listForScan } from '../../src/vscode/clips';
import { openPanel, ROOT } from '../../test/webview/harness';
import { streamMessages } from '../../test/webview/fixtures';
import { THEMES } from '../../test/webview/themes';
import { writeSampleSequence } from '../../test/support/sampleSequence';

/** Refuses to make screenshots whose zh text would be boxes (fontconfig lists no font for zh). */
function requireCjkFont(): void {
  let fonts: string;
  try {
    fonts = execFileSync('fc-list', [':lang=zh', 'family'], { encoding: 'utf8' });
  } catch {
    return; // no fontconfig to ask: Chromium finds fonts its own way there
  }
  if (fonts.trim() === '') throw new Error('no font for Chinese is installed: the zh answer would be drawn as boxes (Debian: apt-get install fonts-noto-cjk)');
}

async function main(): Promise<void> {
  requireCjkFont();
  const want = process.argv.slice(2);
  const themes = THEMES.filter((t) => want.length === 0 || want.includes(t.name));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mellm-shot-'));
  try {
    await writeSampleSequence(path.join(tmp, 'sample-smile'));
    const scan = await scanDataset(tmp);
    const list = listForScan(scan, 0);
    const e = list.entries[0];
    e.groundTruth = { emotion: 'happiness', aus: [{ au: 6 }, { au: 12 }] }; // the warp's own AUs (media/sample/meta.json)
    const pair = await resolvePair(e, undefined);
    const d = await loadClipData(pair.onset, pair.apex);
    const curve = pair.curve ?? (await apexCurve(e.clip!, pair.frames!.onset, { region: d.face?.box ?? null }));
    const clip = buildClipView(
      { clipId: e.id, title: e.title, ref: e.ref, index: 2, total: 12, groundTruth: e.groundTruth, warnings: [], frames: { ...pair.frames!, curve }, noseFrom: 'landmarks' },
      d,
    );
    const clipId = clip.clipId;
    const req = { mapPng: d.mapPng, prompt: buildPrompt({ lang: 'en' }), lang: 'en' as const, task: 'meu' as const, motion: d.motion! };
    const builtin = new BuiltinReasoner().answer(req).text;
    const recorded = fs.readFileSync(path.join(ROOT, 'test/fixtures/answers/fig4-1-qwen25vl7b.md'), 'utf8');
    for (const theme of themes) {
      const p = await openPanel({ width: 1600, height: 900, themeCss: theme.css, bodyClass: theme.bodyClass });
      try {
        await p.send(
          { type: 'init', version: PROTOCOL_VERSION, settings: { lang: 'en', uiLang: 'en', trusted: true, defaultSource: { kind: 'builtin' }, endpoints: ['http://gpu1:8000'], model: 'mellm' } },
          { type: 'clip', clip },
          { type: 'flow', clipId, flow: flowView(d.flow) },
          ...streamMessages(clipId, 'a', 'Built-in FACS reasoner', 'builtin', builtin, 3),
          { type: 'analysis', clipId, lane: 'a', result: analyse(builtin, d.motion, { restates: true }) },
        );
        await p.page.locator('button[data-action="compare"]').click();
        await p.send(
          ...streamMessages(clipId, 'b', 'Qwen2.5-VL-7B — recorded answer (paper Fig. 4), checked against this clip', 'server', recorded, 8400),
          { type: 'analysis', clipId, lane: 'b', result: analyse(recorded, d.motion) },
          // The region-text lane as a user without a region-text server sees it: the host's message and actions.
          {
            type: 'streamError',
            clipId,
            lane: 'c',
            message: 'No region-text server is configured: set mellm.regionText.endpoints (e.g. http://gpu-host:8001, a vLLM serving Qwen3) and mellm.regionText.model.',
            actions: [
              { id: 'retry', label: 'Retry' },
              { id: 'useBuiltin', label: 'Use built-in reasoner' },
              { id: 'openSettings', label: 'Open settings' },
            ],
          },
        );
        await p.page.waitForTimeout(600);
        await p.page.evaluate(() => document.querySelectorAll('.lane-body').forEach((b) => (b.scrollTop = 0)));
        await p.page.locator('.lane[data-lane="b"] .chip[data-verdict="contradicted"]').first().hover();
        // The cursor over the lip corner: the value under it shows in the probe line.
        const lip = clip.regions?.find((r) => r.name === 'lipCornerL')?.points[0];
        if (lip) {
          const box = await p.page.locator('.layer').boundingBox();
          const z = box!.width / clip.width;
          await p.page.mouse.move(box!.x + lip[0] * z, box!.y + lip[1] * z);
          await p.page.locator('.lane[data-lane="b"] .chip[data-verdict="contradicted"]').first().hover();
        }
        await p.page.waitForTimeout(250);
        const out = path.join(ROOT, `media/screenshot-panel${theme.name === 'dark' ? '' : '-' + theme.name}.png`);
        await p.page.screenshot({ path: out });
        console.log(`wrote ${out}`);
      } finally {
        await p.close();
      }
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
