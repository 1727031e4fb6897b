// The MELLM panel (browser sandbox; never imports Node modules). Every host message is validated with the
// shared protocol (src/shared/protocol.ts) before use; state needed after a window reload is kept with
// vscode.setState. A new clip arrives as a message into the same page (no reload): the Compare lane, the
// zoom and the toggles stay as the user left them.
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import {
  LANES,
  PROTOCOL_VERSION,
  parseHostMessage,
  parsePersistedState,
  type ClipView,
  type HostMessage,
  type Lane,
  type PanelPersistedState,
  type PanelSettingsView,
  type SourceSpec,
  type WebviewMessage,
} from '../src/shared/protocol';
import { regionsForAu } from '../src/shared/regions';
import { LightingNotice } from './evidence';
import { AgreementLine } from './agreement';
import { directionWord } from './claims';
import { greyOf, isIdentity, renderDisplayMap, type DisplayParams } from './displayMap';
import { h, isPressed, setPressed } from './dom';
import { FlowData } from './flowField';
import { emotionName, onLanguage, setLanguage, t } from './l10n';
import { buildLegend } from './legend';
import { LaneView, type LaneHooks } from './lane';
import { RegionTable } from './regionTable';
import { ScaleView } from './scale';
import { Scrubber } from './scrubber';
import { MODES, Toolbar } from './toolbar';
import { Viewer, type ViewMode } from './viewer';

interface VsCodeApi {
  postMessage(msg: unknown): void;
  getState(): unknown;
  setState(s: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const post = (m: WebviewMessage) => vscode.postMessage(m);

let settings: PanelSettingsView = { lang: 'en', trusted: false, defaultSource: { kind: 'builtin' }, endpoints: [] };
let clip: ClipView | null = null;
let persisted: PanelPersistedState = parsePersistedState(vscode.getState()) ?? { version: PROTOCOL_VERSION };
/** The view saved before a reload; applied once when the same clip comes back. */
const restoredView = persisted.view && persisted.clipRef ? { view: persisted.view, ref: persisted.clipRef } : null;

// ---------- layout ----------
const app = document.getElementById('app') ?? document.body.appendChild(document.createElement('div'));
app.id = 'app';
const bar = new Toolbar();
const notice = h('div', 'notice');
notice.setAttribute('role', 'status');
notice.hidden = true;
const mainEl = h('main', 'panes');
const left = h('section', 'left');
const stage = h('div', 'stage');
stage.tabIndex = 0;
stage.dataset.keys = 'stage';
const busy = h('div', 'busy');
busy.appendChild(document.createElement('vscode-progress-ring'));
const busyText = h('span', 'busy-text');
busy.appendChild(busyText);
busy.hidden = true;
const probe = h('div', 'probe');
probe.setAttribute('aria-live', 'off');
const info = h('div', 'info');
const scrubber = new Scrubber();
const side = h('aside', 'side');
const legendSlot = h('div', 'legend-slot');
const scale = new ScaleView();
const table = new RegionTable();
side.append(legendSlot, scale.root, table.root);
// A map that is not what MELLM would be given (no face: the uncompensated flow) carries the host's banner.
const mapBanner = h('div', 'map-banner');
mapBanner.setAttribute('role', 'status');
mapBanner.hidden = true;
// The lighting change the host found between onset and apex (the map shows it as colour; motion was measured without it).
const lightingNotice = new LightingNotice();
left.append(mapBanner, lightingNotice.root, stage, probe, scrubber.root, info);
const lanesEl = h('section', 'lanes');
const agreement = new AgreementLine();
mainEl.append(left, side, lanesEl);
// The banner landmark holds the toolbar, notices and the agreement line; an h1 (for screen readers) names the clip.
const banner = h('header', 'banner');
const heading = h('h1', 'sr-only', 'MELLM');
banner.append(heading, bar.root, notice, agreement.root);
app.replaceChildren(banner, mainEl);

const viewer = new Viewer(stage);
stage.appendChild(busy);
const hooks: LaneHooks = {
  analyze: (lane: Lane, source: SourceSpec) => clip && post({ type: 'analyze', clipId: clip.clipId, lane, source }),
  stop: (lane: Lane) => clip && post({ type: 'stop', clipId: clip.clipId, lane }),
  highlight: (regions: string[]) => viewer.highlight(regions),
  changed: () => resultsChanged(),
  action: (lane, action) => clip && post({ type: 'laneAction', clipId: clip.clipId, lane, action }),
};
const lanes = Object.fromEntries(LANES.map((l) => [l, new LaneView(l, hooks)])) as Record<Lane, LaneView>;
for (const l of LANES) {
  lanesEl.append(lanes[l].root);
  lanes[l].root.hidden = l !== 'a';
}
/** Compare shows these beside lane a: the other of built-in / MELLM, and the region-text lane. */
const compareLanes: Lane[] = ['b', 'c'];

// ---------- controls ----------
viewer.onChange = () => {
  bar.setMode(viewer.state.mode, viewer.flickering);
  setPressed(bar.flicker, viewer.flickering);
  bar.setZoom(viewer.state.zoom);
  persisted = { ...persisted, view: { ...persisted.view, ...viewer.state } };
  saveState();
};
viewer.onMapShown = (clipId) => post({ type: 'mapShown', clipId });
viewer.onProbe = (p) => showProbe(p);
table.highlight = (regions) => viewer.highlight(regions);
scrubber.onChoose = (onset, apex) => clip && post({ type: 'setFrames', clipId: clip.clipId, onset, apex });
scale.onChange = (p) => {
  persisted = { ...persisted, view: { ...viewer.state, ...p } };
  saveState();
  void redrawMap();
};
viewer.onNoseMove = (n) => {
  noseDraft = n;
  void redrawMap();
  showProbe(null);
};
viewer.onNoseSet = (n) => clip && post({ type: 'setNose', clipId: clip.clipId, nose: { x: n.x, y: n.y } });
viewer.onNoseReset = () => clip?.noseFrom === 'user' && post({ type: 'setNose', clipId: clip.clipId, nose: null });
bar.opacity.addEventListener('input', () => viewer.setOpacity(Number(bar.opacity.value) / 100));
bar.modeButtons.forEach((b, i) => b.addEventListener('click', () => viewer.setMode(MODES[i].mode)));
bar.flicker.addEventListener('click', () => viewer.toggleFlicker());
const toggles = () => viewer.setToggles(isPressed(bar.landmarks), isPressed(bar.regions));
for (const b of [bar.landmarks, bar.regions])
  b.addEventListener('click', () => {
    setPressed(b, !isPressed(b));
    toggles();
  });
bar.zoomIn.addEventListener('click', () => viewer.zoomBy(1.25));
bar.zoomOut.addEventListener('click', () => viewer.zoomBy(1 / 1.25));
bar.fit.addEventListener('click', () => viewer.fit());
bar.actual.addEventListener('click', () => viewer.actualSize());
bar.prev.addEventListener('click', () => post({ type: 'navigate', delta: -1 }));
bar.next.addEventListener('click', () => post({ type: 'navigate', delta: 1 }));
bar.compare.addEventListener('click', () => setCompare(!isPressed(bar.compare), true));
bar.exportBtn.addEventListener('click', () => clip && post({ type: 'export', clipId: clip.clipId }));
bar.settings.addEventListener('click', () => post({ type: 'openSettings' }));

function setCompare(on: boolean, run: boolean): void {
  lanesEl.classList.toggle('compare', on);
  mainEl.classList.toggle('comparing', on);
  setPressed(bar.compare, on);
  persisted = { ...persisted, compare: on };
  saveState();
  for (const l of compareLanes) {
    const lane = lanes[l];
    lane.root.hidden = !on;
    if (on && run && clip && !lane.stream.value && !lane.streaming) hooks.analyze(l, lane.source());
  }
}

document.addEventListener('keydown', (e) => {
  const t0 = e.target as HTMLElement | null;
  if (e.altKey || e.ctrlKey || e.metaKey) return;
  // Text fields and selects keep every key; sliders, the view radio group, the scrubber and the nose handle
  // keep the arrows and their own keys, while letters and digits still reach the panel's shortcuts.
  if (t0 && (/^(TEXTAREA|VSCODE-SINGLE-SELECT|VSCODE-OPTION)$/.test(t0.tagName) || (t0.tagName === 'INPUT' && (t0 as HTMLInputElement).type !== 'range'))) return;
  if (t0 && (t0.tagName === 'INPUT' || t0.closest('[data-keys="own"]')) && /^(Arrow|Page|Home|End|Enter| |Escape)/.test(e.key)) return;
  const k = e.key;
  if (k === 'ArrowRight' || k === 'n') post({ type: 'navigate', delta: 1 });
  else if (k === 'ArrowLeft' || k === 'p') post({ type: 'navigate', delta: -1 });
  else if (k === 'f') viewer.toggleFlicker();
  else if (/^[1-4]$/.test(k)) viewer.setMode(MODES[Number(k) - 1].mode);
  else if (k === '0') viewer.fit();
  else if (k === '+' || k === '=') viewer.zoomBy(1.25);
  else if (k === '-') viewer.zoomBy(1 / 1.25);
  else if (k === 'l' || k === 'r') (k === 'l' ? bar.landmarks : bar.regions).click();
  else return;
  e.preventDefault();
});

// ---------- the flow: value under the cursor, display gain, nose preview ----------
let flow: FlowData | null = null;
let grey: { clipId: string; data: Promise<Uint8ClampedArray> } | null = null;
/** Where the user is dragging the nose window (preview until the host recomputes). */
let noseDraft: { x: number; y: number } | null = null;
let redrawing = false;

/** The head vector the map on screen subtracts: the host's, or the window mean at the dragged point. */
function headNow(): { u: number; v: number } {
  const c = clip;
  if (noseDraft && flow && c) return flow.windowMean(noseDraft.x, noseDraft.y, c.noseWindow ?? 11);
  return c?.head ?? { u: 0, v: 0 };
}

/** Re-render the map for the display gain / threshold / dragged nose point; the PNG itself otherwise. */
async function redrawMap(): Promise<void> {
  const c = clip;
  const p: DisplayParams = scale.params();
  if (!c || !flow || (isIdentity(p) && !noseDraft)) {
    viewer.setMapOverride(null);
    if (flow && c) scale.setRange(flow.range(c.head ?? { u: 0, v: 0 }));
    return;
  }
  if (redrawing) return;
  redrawing = true;
  try {
    if (!grey || grey.clipId !== c.clipId) grey = { clipId: c.clipId, data: greyOf(c.onset, c.width, c.height) };
    const g = await grey.data;
    if (clip !== c || !flow) return;
    const head = headNow();
    scale.setRange(flow.range(head));
    viewer.setMapOverride(renderDisplayMap(flow, g, head, p));
  } finally {
    redrawing = false;
  }
}

function showProbe(p: { x: number; y: number } | null): void {
  if (!p || !clip) {
    probe.textContent = '';
    return;
  }
  if (!flow) {
    probe.textContent = t('x {0}, y {1}', p.x, p.y);
    return;
  }
  const s = flow.at(p.x, p.y, headNow());
  probe.textContent = t(
    'x {0}, y {1} · flow u {2}, v {3} px · {4} px · {5}',
    p.x,
    p.y,
    s.u.toFixed(2),
    s.v.toFixed(2),
    s.magnitude.toFixed(2),
    s.direction && s.magnitude >= 0.05 ? `${directionWord(s.direction)} (${Math.round(s.angle)}°)` : t('no motion'),
  );
}

/** Every lane with a result: the agreement line and the region table's claim columns. */
function resultsChanged(): void {
  const rs = LANES.filter((l) => !lanes[l].root.hidden && lanes[l].result).map((l) => ({
    lane: l,
    name: l === 'a' ? t('Answer') : lanes[l].sourceKind === 'region-text' ? t('Region text') : t('Compared'),
    label: lanes[l].sourceLabel || l,
    result: lanes[l].result!,
  }));
  agreement.setResults(rs);
  table.setResults(rs);
}

// ---------- host messages ----------
window.addEventListener('message', (ev: MessageEvent) => {
  const parsed = parseHostMessage(ev.data);
  if (!parsed.ok) {
    post({ type: 'log', level: 'error', message: `panel dropped a malformed message: ${parsed.error}` });
    return;
  }
  handle(parsed.value);
});

function handle(m: HostMessage): void {
  const mine = 'clipId' in m && clip !== null && m.clipId === clip.clipId;
  switch (m.type) {
    case 'init':
      settings = m.settings;
      setLanguage(settings.uiLang, settings.l10n);
      lanes.a.setOptions(settings, settings.defaultSource);
      lanes.b.setOptions(settings, settings.defaultSource.kind === 'builtin' ? { kind: 'server' } : { kind: 'builtin' });
      lanes.c.setOptions(settings, settings.defaultSource.kind === 'region-text' ? { kind: 'builtin' } : { kind: 'region-text' });
      legendSlot.replaceChildren(buildLegend());
      document.body.classList.toggle('restricted', !settings.trusted);
      if (!settings.trusted) showNotice('info', t('Restricted mode: images and maps only; no MELLM server is contacted.'));
      return;
    case 'clip':
      showClip(m.clip);
      return;
    case 'mapStatus':
      if (!mine) return;
      busy.hidden = m.phase !== 'computing';
      busyText.textContent = m.phase === 'computing' ? t('Computing MMC-Map…') : '';
      if (m.phase === 'error') showNotice('error', m.message ?? t('The MMC-Map could not be computed.'));
      return;
    case 'streamStart':
      if (mine) lanes[m.lane].start(m.label, m.kind);
      return;
    case 'streamDelta':
      if (mine) lanes[m.lane].stream.append(m.text);
      return;
    case 'streamDone':
      if (mine) lanes[m.lane].done(m.stop, m.incomplete, m.message, m.totalMs);
      return;
    case 'streamError':
      if (mine) lanes[m.lane].error(m.message, m.actions ?? []);
      return;
    case 'analysis':
      if (mine) lanes[m.lane].showResult(m.result);
      return;
    case 'flow':
      if (!mine) return;
      flow = FlowData.decode(m.flow);
      noseDraft = null;
      void redrawMap();
      return;
    case 'apexCurve':
      if (mine) scrubber.setCurve(m.curve);
      return;
    case 'panelCommand':
      if (m.command === 'compare') setCompare(!isPressed(bar.compare), true);
      return;
    case 'exported':
      showNotice('info', t('Report written: {0}', m.files.join(', ')));
      return;
    case 'notice':
      showNotice(m.level, m.message);
      return;
  }
}

function showClip(c: ClipView): void {
  const first = !clip;
  const newClip = clip?.clipId !== c.clipId;
  clip = c;
  // The flow of the previous pair no longer matches (a new clip, other frames or another nose point follow with their own).
  flow = null;
  noseDraft = null;
  viewer.setMapOverride(null);
  bar.title.textContent = c.title;
  heading.textContent = t('MELLM: {0}', c.title);
  bar.title.title = c.title;
  bar.pos.textContent = c.total > 1 ? `${c.index + 1} / ${c.total}` : '';
  bar.prev.disabled = c.index <= 0;
  bar.next.disabled = c.index >= c.total - 1;
  viewer.setClip(c);
  if (first && restoredView && c.ref && JSON.stringify(restoredView.ref) === JSON.stringify(c.ref)) {
    viewer.restore({ ...restoredView.view, mode: restoredView.view.mode as ViewMode });
    bar.opacity.value = String(Math.round(viewer.state.opacity * 100));
    setPressed(bar.landmarks, viewer.state.landmarks);
    setPressed(bar.regions, viewer.state.regions);
  }
  if (first && persisted.compare) setCompare(true, false);
  if (first && restoredView) scale.set({ gain: restoredView.view.gain ?? 1, threshold: restoredView.view.threshold ?? 0 });
  scrubber.setFrames(c.frames);
  table.setClip(c);
  agreement.setClip(c);
  viewer.setTruth((c.groundTruth?.aus ?? []).flatMap((a) => regionsForAu(a)));
  scale.setRange(null);
  busy.hidden = !!c.map;
  if (!c.map) busyText.textContent = t('Computing MMC-Map…');
  for (const l of LANES) lanes[l].setClip(c);
  // The Compare lane stays open across clips and analyses each new clip as well.
  if (newClip) for (const l of compareLanes) if (!lanes[l].root.hidden) hooks.analyze(l, lanes[l].source());
  renderInfo();
  if (c.ref) persisted = { ...persisted, clipRef: c.ref };
  saveState();
}

function renderInfo(): void {
  const c = clip;
  if (!c) return;
  const n = c.nose;
  viewer.noseHandle.setAttribute(
    'aria-label',
    n ? t('Nose point ({0}, {1}), the centre of the head-motion window: drag it, or move it with the arrow keys and press Enter', n.x, n.y) : t('Nose point'),
  );
  viewer.noseHandle.title = viewer.noseHandle.getAttribute('aria-label')!;
  const lines: string[] = [];
  if (c.head) lines.push(t('Head motion (subtracted at the nose): u {0} px, v {1} px (the arrow shows its direction)', c.head.u.toFixed(2), c.head.v.toFixed(2)));
  if (c.groundTruth?.emotion || c.groundTruth?.aus?.length) {
    const aus = c.groundTruth.aus?.length ? c.groundTruth.aus.map((a) => `${a.side ?? ''}AU${a.au}`).join(' ') : '—';
    lines.push(t('Annotation: {0} · AUs {1}', c.groundTruth.emotion ? emotionName(c.groundTruth.emotion) : '—', aus));
  }
  if (c.groundTruth?.aus?.length && c.regions?.length) lines.push(t('Dashed outlines: the regions of the annotated AUs.'));
  if (c.noseFrom === 'user' && c.nose) lines.push(t('Nose window moved by you to ({0}, {1}); Escape on the nose handle returns it to the landmarks.', c.nose.x, c.nose.y));
  if (c.noseSensitivity) lines.push(t('Map sensitivity: {0}% of the pixels change when the nose point moves by 1 px.', (c.noseSensitivity.share * 100).toFixed(0)));
  if (c.mapInfo) lines.push(c.mapInfo.cached ? t('Map from cache in {0} ms', Math.round(c.mapInfo.ms)) : t('Map computed in {0} ms', Math.round(c.mapInfo.ms)));
  info.replaceChildren(...lines.map((l) => h('div', '', l)), ...c.warnings.map((w) => h('div', 'warn', '⚠ ' + w)));
  mapBanner.hidden = !c.banner;
  mapBanner.textContent = c.banner ?? '';
  lightingNotice.show(c);
}

onLanguage(() => {
  renderInfo();
  legendSlot.replaceChildren(buildLegend());
});

function showNotice(level: 'info' | 'warning' | 'error', message: string): void {
  notice.hidden = false;
  notice.dataset.level = level;
  notice.textContent = message;
}

function saveState(): void {
  vscode.setState(persisted);
}

post({ type: 'ready' });
