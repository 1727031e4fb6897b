// The MELLM panel (browser sandbox; never imports Node modules). Every host message is validated with the
// shared protocol before use; state needed after a window reload is kept with vscode.setState.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import {
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
import { buildLegend } from './legend';
import { LaneView, button } from './lane';
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
const toolbar = h('header', 'toolbar');
const prevBtn = button('◀', 'prev', true);
const nextBtn = button('▶', 'next', true);
prevBtn.title = 'Previous clip (←)';
nextBtn.title = 'Next clip (→)';
const title = h('span', 'clip-title');
const pos = h('span', 'clip-pos');
const modes = h('span', 'modes');
const MODES: [ViewMode, string][] = [
  ['onset', 'Onset'],
  ['apex', 'Apex'],
  ['map', 'MMC-Map'],
  ['flow', 'Flow only'],
];
const modeButtons = MODES.map(([m, t], i) => {
  const b = button(t, `mode-${m}`, true);
  b.title = `${t} (${i + 1})`;
  b.addEventListener('click', () => viewer.setMode(m));
  modes.appendChild(b);
  return b;
});
const opacityLabel = h('label', 'opacity');
opacityLabel.textContent = 'Overlay ';
const opacity = document.createElement('input');
opacity.type = 'range';
opacity.min = '0';
opacity.max = '100';
opacity.value = '100';
opacity.id = 'opacity';
opacity.setAttribute('aria-label', 'Overlay opacity');
opacityLabel.appendChild(opacity);
const flickerBtn = button('Flicker', 'flicker', true);
flickerBtn.title = 'Alternate onset and apex (F)';
const landmarksBox = checkbox('Landmarks', 'landmarks');
const regionsBox = checkbox('Regions', 'regions');
const fitBtn = button('Fit', 'fit', true);
const compareBtn = button('Compare', 'compare', true);
compareBtn.title = 'Two reasoning sources side by side on this clip';
const exportBtn = button('Export report', 'export', true);
const settingsBtn = button('⚙', 'settings', true);
settingsBtn.title = 'MELLM settings';
toolbar.append(prevBtn, pos, nextBtn, title, modes, opacityLabel, flickerBtn, landmarksBox, regionsBox, fitBtn, compareBtn, exportBtn, settingsBtn);

const notice = h('div', 'notice');
notice.hidden = true;
const mainEl = h('main', 'panes');
const left = h('section', 'left');
const stage = h('div', 'stage');
stage.tabIndex = 0;
const busy = h('div', 'busy');
busy.appendChild(document.createElement('vscode-progress-ring'));
const busyText = h('span', 'busy-text');
busy.appendChild(busyText);
busy.hidden = true;
stage.appendChild(busy);
const info = h('div', 'info');
const legendSlot = h('div', 'legend-slot');
left.append(stage, info, legendSlot);
const lanesEl = h('section', 'lanes');
mainEl.append(left, lanesEl);
app.replaceChildren(toolbar, notice, mainEl);

const viewer = new Viewer(stage);
const hooks = {
  analyze: (lane: Lane, source: SourceSpec) =>
    clip && post({ type: 'analyze', clipId: clip.clipId, lane, source }),
  stop: (lane: Lane) => clip && post({ type: 'stop', clipId: clip.clipId, lane }),
  highlight: (regions: string[]) => viewer.highlight(regions),
};
const lanes: Record<Lane, LaneView> = { a: new LaneView('a', hooks), b: new LaneView('b', hooks) };
lanesEl.append(lanes.a.root, lanes.b.root);
lanes.b.root.hidden = true;

// ---------- controls ----------
viewer.onChange = () => {
  modeButtons.forEach((b, i) => b.toggleAttribute('secondary', MODES[i][0] !== viewer.state.mode || viewer.flickering));
  flickerBtn.toggleAttribute('secondary', !viewer.flickering);
  persisted = { ...persisted, view: { ...viewer.state } };
  saveState();
};
viewer.onMapShown = (clipId) => post({ type: 'mapShown', clipId });
opacity.addEventListener('input', () => viewer.setOpacity(Number(opacity.value) / 100));
flickerBtn.addEventListener('click', () => viewer.toggleFlicker());
fitBtn.addEventListener('click', () => viewer.fit());
for (const box of [landmarksBox, regionsBox]) box.addEventListener('change', () => viewer.setToggles(isChecked(landmarksBox), isChecked(regionsBox)));
prevBtn.addEventListener('click', () => post({ type: 'navigate', delta: -1 }));
nextBtn.addEventListener('click', () => post({ type: 'navigate', delta: 1 }));
compareBtn.addEventListener('click', () => {
  const on = lanes.b.root.hidden;
  lanes.b.root.hidden = !on;
  lanesEl.classList.toggle('compare', on);
  compareBtn.toggleAttribute('secondary', !on);
  if (on && clip && !lanes.b.stream.value && !lanes.b.streaming) hooks.analyze('b', lanes.b.source());
});
exportBtn.addEventListener('click', () => clip && post({ type: 'export', clipId: clip.clipId }));
settingsBtn.addEventListener('click', () => post({ type: 'openSettings' }));

document.addEventListener('keydown', (e) => {
  const t = e.target as HTMLElement | null;
  if (t && (t.tagName === 'INPUT' && (t as HTMLInputElement).type !== 'range')) return;
  if (t && /^(TEXTAREA|VSCODE-SINGLE-SELECT|VSCODE-OPTION)$/.test(t.tagName)) return;
  if (e.altKey || e.ctrlKey || e.metaKey) return;
  if (e.key === 'ArrowRight' || e.key === 'n') post({ type: 'navigate', delta: 1 });
  else if (e.key === 'ArrowLeft' || e.key === 'p') post({ type: 'navigate', delta: -1 });
  else if (e.key === 'f') viewer.toggleFlicker();
  else if (/^[1-4]$/.test(e.key)) viewer.setMode(MODES[Number(e.key) - 1][0]);
  else if (e.key === '0') viewer.fit();
  else return;
  e.preventDefault();
});

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
  switch (m.type) {
    case 'init':
      settings = m.settings;
      lanes.a.setOptions(settings, settings.defaultSource);
      lanes.b.setOptions(settings, settings.defaultSource.kind === 'builtin' ? { kind: 'server' } : { kind: 'builtin' });
      legendSlot.replaceChildren(buildLegend(settings.lang));
      document.body.classList.toggle('restricted', !settings.trusted);
      if (!settings.trusted) showNotice('info', 'Restricted mode: images and maps only; no MELLM server is contacted.');
      return;
    case 'clip':
      showClip(m.clip);
      return;
    case 'mapStatus':
      if (!clip || m.clipId !== clip.clipId) return;
      busy.hidden = m.phase !== 'computing';
      busyText.textContent = m.phase === 'computing' ? 'Computing MMC-Map…' : '';
      if (m.phase === 'error') showNotice('error', m.message ?? 'The MMC-Map could not be computed.');
      return;
    case 'streamStart':
      if (clip && m.clipId === clip.clipId) lanes[m.lane].start(m.label);
      return;
    case 'streamDelta':
      if (clip && m.clipId === clip.clipId) lanes[m.lane].stream.append(m.text);
      return;
    case 'streamDone':
      if (clip && m.clipId === clip.clipId) lanes[m.lane].done(m.stop, m.incomplete, m.message, m.totalMs);
      return;
    case 'streamError':
      if (clip && m.clipId === clip.clipId) lanes[m.lane].error(m.message);
      return;
    case 'analysis':
      if (clip && m.clipId === clip.clipId) lanes[m.lane].showResult(m.result);
      return;
    case 'exported':
      showNotice('info', `Report written: ${m.files.join(', ')}`);
      return;
    case 'notice':
      showNotice(m.level, m.message);
      return;
  }
}

function showClip(c: ClipView): void {
  const first = !clip;
  clip = c;
  title.textContent = c.title;
  title.title = c.title;
  pos.textContent = c.total > 1 ? `${c.index + 1} / ${c.total}` : '';
  prevBtn.toggleAttribute('disabled', c.index <= 0);
  nextBtn.toggleAttribute('disabled', c.index >= c.total - 1);
  viewer.setClip(c);
  if (first && restoredView && c.ref && JSON.stringify(restoredView.ref) === JSON.stringify(c.ref)) {
    viewer.restore({ ...restoredView.view, mode: restoredView.view.mode as ViewMode });
    opacity.value = String(Math.round(viewer.state.opacity * 100));
    setChecked(landmarksBox, viewer.state.landmarks);
    setChecked(regionsBox, viewer.state.regions);
  }
  busy.hidden = !!c.map;
  if (!c.map) busyText.textContent = 'Computing MMC-Map…';
  lanes.a.setClip(c);
  lanes.b.setClip(c);
  const lines: string[] = [];
  if (c.head) lines.push(`Head motion (subtracted): u ${c.head.u.toFixed(2)} px, v ${c.head.v.toFixed(2)} px (arrow drawn enlarged at the nose tip)`);
  if (c.groundTruth?.emotion || c.groundTruth?.aus?.length)
    lines.push(`Annotation: ${c.groundTruth.emotion ?? '—'}${c.groundTruth.aus?.length ? ' · AUs ' + c.groundTruth.aus.map((a) => `${a.side ?? ''}AU${a.au}`).join(' ') : ''}`);
  if (c.mapInfo) lines.push(`Map ${c.mapInfo.cached ? 'from cache' : 'computed'} in ${Math.round(c.mapInfo.ms)} ms`);
  info.replaceChildren(...lines.map((l) => textEl('div', l)), ...c.warnings.map((w) => textEl('div', '⚠ ' + w, 'warn')));
  if (c.ref) persisted = { ...persisted, clipRef: c.ref };
  saveState();
}

function showNotice(level: 'info' | 'warning' | 'error', message: string): void {
  notice.hidden = false;
  notice.dataset.level = level;
  notice.textContent = message;
}

function saveState(): void {
  vscode.setState(persisted);
}

function h(tag: string, cls: string): HTMLElement {
  const e = document.createElement(tag);
  e.className = cls;
  return e;
}
function textEl(tag: string, text: string, cls = ''): HTMLElement {
  const e = h(tag, cls);
  e.textContent = text;
  return e;
}
function checkbox(label: string, id: string): HTMLElement {
  const c = document.createElement('vscode-checkbox');
  c.setAttribute('label', label);
  c.dataset.action = id;
  return c;
}
function isChecked(e: HTMLElement): boolean {
  return Boolean((e as HTMLElement & { checked?: boolean }).checked);
}
function setChecked(e: HTMLElement, v: boolean): void {
  (e as HTMLElement & { checked?: boolean }).checked = v;
}

post({ type: 'ready' });
