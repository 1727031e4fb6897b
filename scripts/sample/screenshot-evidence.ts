// Screenshots of what issue #15 added to the panel, in dark, light and high contrast: (1) the shipped sample
// smile with its apex 5% brighter (a lighting change): the lighting notice above the map, the built-in
// answer's AU chips with their measured confidence and the emotion with its confidence; (2) a camera-only
// pair (the sample onset, brighter and shifted by a pixel, nothing moved): "No micro-expression found".
// Real pipeline and real panel page (dist/webview.js) in headless Chromium, as screenshot-panel.ts.
// Run: node esbuild.js && node --import tsx scripts/sample/screenshot-evidence.ts OUT_DIR [dark|light|hc ...]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { buildPrompt } from '../../src/core/reasoning/prompts';
import { BuiltinReasoner, chunkText } from '../../src/core/reasoning/reasoner';
import { PROTOCOL_VERSION, type HostMessage } from '../../src/shared/protocol';
import { analyse } from '../../src/vscode/analysis';
import { loadClipData } from '../../src/vscode/clipPipeline';
import { buildClipView, flowView } from '../../src/vscode/clipView';
import { openPanel, ROOT } from '../../test/webview/harness';
import { THEMES } from '../../test/webview/themes';

/** The sample onset and an apex made from the sample's apex or onset: brighter by `gain`, shifted right by `shift` px. */
async function pairDir(dir: string, apexFrom: 'apex' | 'onset', gain: number, shift: number): Promise<[string, string]> {
  fs.mkdirSync(dir, { recursive: true });
  const onset = path.join(dir, 'onset.png');
  const apex = path.join(dir, 'apex.png');
  fs.copyFileSync(path.join(ROOT, 'media/sample/onset.png'), onset);
  const { data, info } = await sharp(path.join(ROOT, `media/sample/${apexFrom}.png`)).raw().toBuffer({ resolveWithObject: true });
  const { width: w, height: hh, channels: ch } = info;
  const out = Buffer.alloc(data.length);
  for (let y = 0; y < hh; y++)
    for (let x = 0; x < w; x++)
      for (let c = 0; c < ch; c++) out[(y * w + x) * ch + c] = Math.min(255, Math.round(data[(y * w + Math.max(0, x - shift)) * ch + c] * gain));
  await sharp(out, { raw: { width: w, height: hh, channels: ch } }).png().toFile(apex);
  return [onset, apex];
}

async function main(): Promise<void> {
  const [outDir, ...want] = process.argv.slice(2);
  if (!outDir) throw new Error('usage: screenshot-evidence.ts OUT_DIR [dark|light|hc ...]');
  fs.mkdirSync(outDir, { recursive: true });
  const themes = THEMES.filter((t) => want.length === 0 || want.includes(t.name));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mellm-evidence-'));
  try {
    const cases = [
      { name: 'lighting', files: await pairDir(path.join(tmp, 'lit'), 'apex', 1.05, 0) },
      // Camera only: 3% brighter and one pixel to the right, nothing on the face moved.
      { name: 'none', files: await pairDir(path.join(tmp, 'still'), 'onset', 1.03, 1) },
    ];
    for (const c of cases) {
      const d = await loadClipData(...c.files);
      const clip = buildClipView({ clipId: c.name, title: `sample (${c.name})`, index: 0, total: 1, warnings: [] }, d);
      const text = new BuiltinReasoner().answer({ mapPng: d.mapPng, prompt: buildPrompt({ lang: 'en' }), lang: 'en', task: 'meu', motion: d.motion! }).text;
      const stream: HostMessage[] = [
        { type: 'streamStart', clipId: c.name, lane: 'a', label: 'Built-in FACS reasoner', kind: 'builtin' },
        ...chunkText(text, 24).map((t) => ({ type: 'streamDelta' as const, clipId: c.name, lane: 'a' as const, text: t })),
        { type: 'streamDone', clipId: c.name, lane: 'a', stop: 'stop', incomplete: false, totalMs: 3 },
        { type: 'analysis', clipId: c.name, lane: 'a', result: analyse(text, d.motion, { restates: true }) },
      ];
      for (const theme of themes) {
        const p = await openPanel({ width: 1400, height: 860, themeCss: theme.css, bodyClass: theme.bodyClass });
        try {
          await p.send(
            { type: 'init', version: PROTOCOL_VERSION, settings: { lang: 'en', uiLang: 'en', trusted: true, defaultSource: { kind: 'builtin' }, endpoints: [], model: 'mellm' } },
            { type: 'clip', clip },
            { type: 'flow', clipId: c.name, flow: flowView(d.flow) },
            ...stream,
          );
          await p.page.waitForTimeout(500);
          const out = path.join(outDir, `evidence-${c.name}-${theme.name}.png`);
          await p.page.screenshot({ path: out });
          console.log(`wrote ${out}`);
        } finally {
          await p.close();
        }
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
