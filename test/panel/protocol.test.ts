// The host<->webview protocol validators, the panel's clip pipeline (content-hash cache, folder pairing)
// and the answer analysis the panel shows (parsed AUs, claim spans).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PROTOCOL_VERSION, parseHostMessage, parsePersistedState, parseWebviewMessage } from '../../src/shared/protocol';
import { analyse, regionsForAu } from '../../src/vscode/analysis';
import { cacheKey, loadClipData, pairInFolder } from '../../src/vscode/clipPipeline';
import { BuiltinReasoner } from '../../src/core/reasoning/reasoner';
import { buildPrompt } from '../../src/core/reasoning/prompts';

const ROOT = resolve(__dirname, '..', '..');
const PAIR = join(ROOT, 'test/fixtures/faces/s3right_280x340');

test('host messages: valid ones pass, malformed ones are rejected with a reason', () => {
  const init = { type: 'init', version: PROTOCOL_VERSION, settings: { lang: 'en', trusted: true, defaultSource: { kind: 'builtin' }, endpoints: [] } };
  assert.equal(parseHostMessage(init).ok, true);
  // The third lane and the region-text source (issue 19).
  assert.equal(parseHostMessage({ type: 'streamStart', clipId: 'c', lane: 'c', label: 'Region text @ x (q)', kind: 'region-text' }).ok, true);
  assert.equal(parseHostMessage({ ...init, settings: { ...init.settings, regionText: { endpoints: ['http://gpu:8001'], model: 'Qwen3-8B' } } }).ok, true);
  const bad = [
    [{ type: 'init', version: PROTOCOL_VERSION, settings: { ...init.settings, regionText: { endpoints: 'http://x' } } }, /regionText/],
    [{ ...init, version: 99 }, /protocol version/],
    [{ type: 'init', version: PROTOCOL_VERSION, settings: { ...init.settings, lang: 'fr' } }, /lang/],
    [{ type: 'streamDelta', clipId: 'c', lane: 'd', text: 'x' }, /bad fields/],
    [{ type: 'clip', clip: { clipId: 'c', title: 't', onset: 'javascript:alert(1)', apex: 'data:image/png;base64,AA==', index: 0, total: 1, width: 1, height: 1, warnings: [] } }, /onset is not an image URL/],
    [{ type: 'clip', clip: { clipId: 'c', title: 't', onset: 'data:image/svg+xml;base64,AA==', apex: 'data:image/png;base64,AA==', index: 0, total: 1, width: 1, height: 1, warnings: [] } }, /onset is not an image URL/],
    [{ type: 'analysis', clipId: 'c', lane: 'a', result: { aus: [], emotion: 'x', claims: [{ start: 5, end: 2, status: 'supported' }], auRegions: {} } }, /claims/],
    [{ type: 'evil' }, /unknown message type/],
    ['string', /not a message object/],
  ] as const;
  for (const [m, re] of bad) {
    const r = parseHostMessage(m);
    assert.equal(r.ok, false, JSON.stringify(m));
    if (!r.ok) assert.match(r.error, re);
  }
});

test('webview messages: only the known, well-formed ones pass', () => {
  assert.equal(parseWebviewMessage({ type: 'analyze', clipId: 'c', lane: 'b', source: { kind: 'server', endpoint: 'http://x:8000' } }).ok, true);
  assert.equal(parseWebviewMessage({ type: 'navigate', delta: 2 }).ok, false);
  assert.equal(parseWebviewMessage({ type: 'analyze', clipId: 'c', lane: 'a', source: { kind: 'shell' } }).ok, false);
  assert.equal(parseWebviewMessage({ type: 'analyze', clipId: 'c', lane: 'c', source: { kind: 'region-text', endpoint: 'http://x:8001' } }).ok, true);
  assert.equal(parseWebviewMessage({ type: 'export', clipId: 'c', mapPng: 'file:///etc/passwd' }).ok, false);
  assert.equal(parseWebviewMessage({ type: 'log', level: 'info', message: 'x'.repeat(5000) }).ok, false);
  assert.equal(parseWebviewMessage({ type: 'runCommand', command: 'rm' }).ok, false);
});

test('lane actions, panel commands and the UI language cross the protocol validated', () => {
  const err = { type: 'streamError', clipId: 'c', lane: 'a', message: 'down', actions: [{ id: 'retry', label: 'Retry' }, { id: 'useBuiltin', label: 'Use built-in reasoner' }, { id: 'openSettings', label: 'Open settings' }] };
  assert.equal(parseHostMessage(err).ok, true);
  assert.equal(parseHostMessage({ ...err, actions: undefined }).ok, true, 'actions are optional');
  assert.equal(parseHostMessage({ ...err, actions: [{ id: 'runShell', label: 'x' }] }).ok, false, 'only known action ids');
  assert.equal(parseHostMessage({ ...err, actions: [{ id: 'retry' }] }).ok, false, 'an action needs its label');
  assert.equal(parseHostMessage({ type: 'panelCommand', command: 'compare' }).ok, true);
  assert.equal(parseHostMessage({ type: 'panelCommand', command: 'eval' }).ok, false);
  assert.equal(parseWebviewMessage({ type: 'laneAction', clipId: 'c', lane: 'b', action: 'useBuiltin' }).ok, true);
  assert.equal(parseWebviewMessage({ type: 'laneAction', clipId: 'c', lane: 'b', action: 'rm -rf' }).ok, false);
  assert.equal(parseWebviewMessage({ type: 'laneAction', clipId: 'c', lane: 'z', action: 'retry' }).ok, false);
  const settings = { lang: 'zh', uiLang: 'en', trusted: true, defaultSource: { kind: 'builtin' }, endpoints: [], l10n: { Retry: '重试' } };
  assert.equal(parseHostMessage({ type: 'init', version: PROTOCOL_VERSION, settings }).ok, true);
  assert.equal(parseHostMessage({ type: 'init', version: PROTOCOL_VERSION, settings: { ...settings, uiLang: 'fr' } }).ok, false);
  assert.equal(parseHostMessage({ type: 'init', version: PROTOCOL_VERSION, settings: { ...settings, l10n: { Retry: 1 } } }).ok, false);
  const result = { aus: [], emotion: 'happiness', emotionLabel: '开心', claims: [], auRegions: {} };
  assert.equal(parseHostMessage({ type: 'analysis', clipId: 'c', lane: 'a', result }).ok, true);
  assert.equal(parseHostMessage({ type: 'analysis', clipId: 'c', lane: 'a', result: { ...result, emotionLabel: 3 } }).ok, false);
});

test('persisted panel state is validated before a restore', () => {
  assert.deepEqual(parsePersistedState({ version: PROTOCOL_VERSION, clipRef: { kind: 'folder', folder: '/a' } })?.clipRef, { kind: 'folder', folder: '/a' });
  assert.equal(parsePersistedState({ version: PROTOCOL_VERSION, clipRef: { kind: 'folder' } }), null);
  assert.equal(parsePersistedState({ version: 0 }), null);
  assert.equal(parsePersistedState(null), null);
});

test('clip pipeline: map cached by content (a copy elsewhere hits), parameters change the key', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mellm-panel-'));
  try {
    const cache = join(dir, 'cache');
    const first = await loadClipData(join(PAIR, 'onset.png'), join(PAIR, 'apex.png'), { cacheDir: cache });
    assert.equal(first.cached, false);
    assert.equal(first.width, 280);
    assert.ok(first.face, 'a face is found on the fixture');
    assert.ok(first.motion, 'regional motion measured');
    assert.equal(first.mapPng.subarray(1, 4).toString(), 'PNG');
    // Same content under another path: a cache hit with the same map bytes.
    mkdirSync(join(dir, 'copy'));
    cpSync(join(PAIR, 'onset.png'), join(dir, 'copy', 'a.png'));
    cpSync(join(PAIR, 'apex.png'), join(dir, 'copy', 'b.png'));
    const again = await loadClipData(join(dir, 'copy', 'a.png'), join(dir, 'copy', 'b.png'), { cacheDir: cache });
    assert.equal(again.cached, true);
    assert.deepEqual(again.mapPng, first.mapPng);
    assert.deepEqual(again.head, first.head);
    assert.equal(again.key, first.key);
    // The raw flow comes back from the cache exactly (the panel's value under the cursor and nose re-render).
    assert.deepEqual(again.flow.u, first.flow.u);
    assert.deepEqual(again.flow.v, first.flow.v);
    const b = Buffer.from('x');
    assert.notEqual(cacheKey(b, b, {}), cacheKey(b, b, { lambda: 0.2 }));
    // No temp files left in the cache.
    const files = readdirSync(join(cache, first.key.slice(0, 2)));
    assert.deepEqual(files.sort(), [`${first.key}.flo`, `${first.key}.flow.png`, `${first.key}.json`, `${first.key}.map.png`]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('clip folders: onset.*/apex.* by name, else exactly two images, else none', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mellm-pair-'));
  try {
    for (const n of ['img10.png', 'img2.png']) writeFileSync(join(dir, n), '');
    assert.deepEqual(await pairInFolder(dir), { onset: join(dir, 'img2.png'), apex: join(dir, 'img10.png') });
    writeFileSync(join(dir, 'img3.png'), '');
    assert.equal(await pairInFolder(dir), null);
    writeFileSync(join(dir, 'Apex.JPG'), '');
    writeFileSync(join(dir, 'onset.bmp'), '');
    assert.deepEqual(await pairInFolder(dir), { onset: join(dir, 'onset.bmp'), apex: join(dir, 'Apex.JPG') });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('analysis: parsed AUs and emotion, claim spans point at the claimed text', async () => {
  const d = await loadClipData(join(ROOT, 'media/sample/onset.png'), join(ROOT, 'media/sample/apex.png'));
  const text = new BuiltinReasoner().answer({ mapPng: d.mapPng, prompt: buildPrompt({ lang: 'en' }), lang: 'en', task: 'meu', motion: d.motion! }).text;
  const r = analyse(text, d.motion);
  assert.equal(r.emotion, 'happiness', 'the sample is a smile');
  assert.ok(r.aus.some((a) => a.au === 12));
  assert.ok(r.claims.length > 0);
  for (const c of r.claims) {
    assert.ok(c.end > c.start && c.end <= text.length);
    assert.notEqual(text.slice(c.start, c.end).trim(), '');
  }
  assert.ok(r.claims.some((c) => c.status === 'supported' && /lip corner/i.test(text.slice(c.start, c.end))));
  assert.deepEqual(r.auRegions['12'], regionsForAu({ au: 12 }));
  // The same answer against motion measured on a different clip is contradicted somewhere.
  const other = await loadClipData(join(PAIR, 'onset.png'), join(PAIR, 'apex.png'));
  assert.ok(analyse(text, other.motion).claims.some((c) => c.status === 'contradicted'));
  // A text without a conclusion is 'unparsed', never a default class.
  assert.equal(analyse('I cannot tell.', null).emotion, 'unparsed');
  assert.deepEqual(regionsForAu({ au: 12, side: 'L' }), ['lipCornerL', 'nasolabialL']);
});
