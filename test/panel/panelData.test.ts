// What the host sends the panel beyond the images: claim verdicts as data (why, the measured regions),
// AU checks (a contradicted AU is marked), 'measured' for the built-in reasoner's restated motion, the flow
// payload, the scrubber's frames and apex curve, the nose re-render, and the new messages' validators.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { scanDataset } from '../../src/core/dataset/scan';
import { buildPrompt } from '../../src/core/reasoning/prompts';
import { BuiltinReasoner } from '../../src/core/reasoning/reasoner';
import { PROTOCOL_VERSION, parseHostMessage, parseWebviewMessage } from '../../src/shared/protocol';
import { regionLabel, regionShort } from '../../src/shared/regions';
import { analyse } from '../../src/vscode/analysis';
import { apexCurve, resolvePair } from '../../src/vscode/clipFrames';
import { loadClipData, renderAtNose } from '../../src/vscode/clipPipeline';
import { buildClipView, flowView, FLOW_SCALE } from '../../src/vscode/clipView';
import { listForScan } from '../../src/vscode/clips';
import { SEQUENCE_APEX_INDEX, writeSampleSequence } from '../support/sampleSequence';

const ROOT = resolve(__dirname, '..', '..');
const SAMPLE = [join(ROOT, 'media/sample/onset.png'), join(ROOT, 'media/sample/apex.png')] as const;

test('the built-in answer restates the measurement: its agreeing claims and AUs are "measured", not "supported"', async () => {
  const d = await loadClipData(...SAMPLE);
  const text = new BuiltinReasoner().answer({ mapPng: d.mapPng, prompt: buildPrompt({ lang: 'en' }), lang: 'en', task: 'meu', motion: d.motion! }).text;
  const asBuiltin = analyse(text, d.motion, { restates: true });
  const asModel = analyse(text, d.motion);
  assert.ok(asBuiltin.claims.length >= 6);
  assert.equal(asBuiltin.claims.filter((c) => c.status === 'supported').length, 0, 'no green for restated motion');
  assert.equal(asBuiltin.claims.filter((c) => c.status === 'measured').length, asModel.claims.filter((c) => c.status === 'supported').length);
  assert.deepEqual(asBuiltin.auChecks?.map((a) => a.verdict), asBuiltin.aus.map(() => 'measured'));
  // The same text from a model is real evidence: supported, and its AU12 is yielded by the measurement.
  assert.equal(asModel.auChecks?.find((a) => a.au === 12)?.verdict, 'supported');
  assert.equal(asModel.auChecks?.find((a) => a.au === 12)?.why, 'inferred');
});

test('a model answer that claims motion where none is measured: contradicted claims with reasons as data, contradicted AUs', async () => {
  const d = await loadClipData(...SAMPLE);
  // The paper's Fig. 4 Qwen2.5-VL-7B answer (forehead, eyelids, cheeks moving; AU45, AU6, AU10, AU12) on the smile.
  const text = readFileSync(join(ROOT, 'test/fixtures/answers/fig4-1-qwen25vl7b.md'), 'utf8');
  const r = analyse(text, d.motion);
  const bad = r.claims.filter((c) => c.status === 'contradicted');
  assert.ok(bad.length >= 3, `contradicted claims: ${bad.length}`);
  for (const c of bad) {
    assert.ok(c.why, 'every verdict carries its reason as data');
    assert.ok(['moves-but-still', 'direction-mismatch', 'still-but-moves'].includes(c.why!.kind), c.why!.kind);
    assert.ok(c.regions && c.regions.length > 0);
    assert.equal(c.why!.measured.length, c.regions!.length, 'each claimed region as measured');
  }
  const forehead = r.claims.find((c) => c.regions?.includes('forehead'));
  assert.equal(forehead?.status, 'contradicted');
  assert.equal(forehead?.why?.kind, 'moves-but-still');
  const au45 = r.auChecks?.find((a) => a.au === 45);
  assert.equal(au45?.verdict, 'contradicted', 'AU45 (a blink): the eyelids do not move');
  assert.ok(au45?.measured.every((m) => m.intensity === 'none'));
  assert.equal(r.auChecks?.find((a) => a.au === 12)?.verdict, 'supported', 'AU12 is what the warp does');
  assert.equal(r.auChecks?.length, r.aus.length);
  // And the protocol accepts what the host built.
  assert.equal(parseHostMessage({ type: 'analysis', clipId: 'c', lane: 'b', result: r }).ok, true);
  // Without a face every AU is not checkable.
  assert.deepEqual(new Set(analyse(text, null).auChecks?.map((a) => a.verdict)), new Set(['not-checkable']));
});

test('region names for readers: subject sides in words, short forms for the table, unknown ids unchanged', () => {
  assert.equal(regionLabel('lipCornerR', 'en'), "Lip corner (subject's right)");
  assert.equal(regionLabel('lipCornerL', 'zh'), '嘴角（受试者左侧）');
  assert.equal(regionShort('innerBrowL', 'en'), 'Inner brow L');
  assert.equal(regionShort('chin', 'zh'), '下巴');
  assert.equal(regionLabel('somethingElse', 'en'), 'somethingElse');
});

test('clip view and flow payload: motion per region, int16 flow within 1/128 px, validators check sizes', async () => {
  const d = await loadClipData(...SAMPLE);
  const view = buildClipView({ clipId: 'sample', title: 'sample', index: 0, total: 1 }, d);
  assert.equal(view.noseWindow, 11);
  assert.equal(view.motion?.regions.length, 20);
  assert.ok(view.motion!.regions.find((r) => r.name === 'lipCornerL')!.px > 1, 'the warped lip corner moves');
  assert.equal(parseHostMessage({ type: 'clip', clip: view }).ok, true);
  const f = flowView(d.flow);
  assert.equal(f.scale, FLOW_SCALE);
  const raw = Buffer.from(f.data, 'base64');
  assert.equal(raw.length, d.width * d.height * 4);
  let worst = 0;
  for (let i = 0; i < d.width * d.height; i += 97) {
    worst = Math.max(worst, Math.abs(raw.readInt16LE(4 * i) / f.scale - d.flow.u[i]), Math.abs(raw.readInt16LE(4 * i + 2) / f.scale - d.flow.v[i]));
  }
  assert.ok(worst <= 0.5 / FLOW_SCALE + 1e-6, `quantisation error ${worst}`);
  assert.equal(parseHostMessage({ type: 'flow', clipId: 'sample', flow: f }).ok, true);
  const short = parseHostMessage({ type: 'flow', clipId: 'sample', flow: { ...f, width: f.width + 1 } });
  assert.equal(short.ok, false);
  assert.match(!short.ok ? short.error : '', /needs/);
});

test('webview requests: setFrames needs onset before apex, setNose a point or null', () => {
  assert.equal(parseWebviewMessage({ type: 'setFrames', clipId: 'c', onset: 1, apex: 6 }).ok, true);
  assert.equal(parseWebviewMessage({ type: 'setFrames', clipId: 'c', onset: 6, apex: 6 }).ok, false);
  assert.equal(parseWebviewMessage({ type: 'setFrames', clipId: 'c', onset: 1.5, apex: 6 }).ok, false);
  assert.equal(parseWebviewMessage({ type: 'setNose', clipId: 'c', nose: { x: 10.5, y: 3 } }).ok, true);
  assert.equal(parseWebviewMessage({ type: 'setNose', clipId: 'c', nose: null }).ok, true);
  assert.equal(parseWebviewMessage({ type: 'setNose', clipId: 'c', nose: { x: 'a', y: 3 } }).ok, false);
  assert.equal(parseHostMessage({ type: 'apexCurve', clipId: 'c', curve: [{ frame: 2, magnitude: 0.3 }] }).ok, true);
  assert.equal(parseHostMessage({ type: 'apexCurve', clipId: 'c', curve: [{ frame: 2.5, magnitude: 0.3 }] }).ok, false);
  const init = { type: 'init', version: PROTOCOL_VERSION, settings: { lang: 'en', trusted: true, defaultSource: { kind: 'builtin' }, endpoints: [] } };
  assert.equal(parseHostMessage(init).ok, true);
});

test('nose re-render from the stored flow: the same point gives the same map, another point another head vector', async () => {
  const d = await loadClipData(...SAMPLE);
  const same = await renderAtNose(SAMPLE[0], d, d.nose!);
  assert.deepEqual(same.head, d.head);
  assert.ok(same.mapPng.equals(d.mapPng), 'identical map bytes at the landmarks nose point');
  const moved = await renderAtNose(SAMPLE[0], d, { x: d.nose!.x - 40, y: d.nose!.y + 60 });
  assert.notDeepEqual(moved.head, d.head);
  assert.deepEqual(moved.nose, { x: d.nose!.x - 40, y: d.nose!.y + 60 });
  assert.ok(moved.motion, 'regions measured again with the new head vector');
  // Outside the frame is allowed, as in preprocess.py: the window is clipped to what lies inside, and said so.
  const outside = await renderAtNose(SAMPLE[0], d, { x: -5, y: 10 });
  assert.ok(outside.warnings.some((w) => /outside the .* onset frame/.test(w)), outside.warnings.join('; '));
});

test('scrubber frames: the spotted apex is the warp peak; a choice is honoured; the curve is cached on disk', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mellm-frames-'));
  try {
    await writeSampleSequence(join(dir, 'seq'));
    const scan = await scanDataset(dir);
    const e = listForScan(scan, 0).entries[0];
    const spotted = await resolvePair(e, undefined);
    assert.equal(spotted.frames?.apexFrom, 'spotted');
    assert.equal(spotted.frames?.apex, SEQUENCE_APEX_INDEX + 1, 'frame numbers start at 1 (img001)');
    assert.equal(spotted.frames?.frames.length, 11);
    assert.ok(spotted.curve && spotted.curve.length === 10);
    const chosen = await resolvePair(e, { onset: 2, apex: 4 });
    assert.equal(chosen.frames?.apexFrom, 'chosen');
    assert.match(chosen.onset, /img002\.png$/);
    assert.match(chosen.apex, /img004\.png$/);
    await assert.rejects(resolvePair(e, { onset: 2, apex: 40 }), /frame 40 is not among the frames/);
    const cache = join(dir, 'cache');
    const c1 = await apexCurve(e.clip!, 2, { cacheDir: cache });
    assert.equal(c1[0].frame, 3, 'the curve starts after the chosen onset');
    assert.ok(existsSync(join(cache, 'curves')) && readdirSync(join(cache, 'curves')).length === 1);
    const c2 = await apexCurve(e.clip!, 2, { cacheDir: cache });
    assert.deepEqual(c2, c1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
