// A reasoning lane: source picker, stop/regenerate, the streamed answer, AU chips and the emotion badge.
// Two lanes side by side make "Compare".
import type { AnalysisResult, AuRef, ClipView, Lane, PanelSettingsView, SourceSpec } from '../src/shared/protocol';
import { StreamView } from './stream';

export interface LaneHooks {
  analyze(lane: Lane, source: SourceSpec): void;
  stop(lane: Lane): void;
  highlight(regions: string[]): void;
}

const fmtAu = (a: AuRef) => `${a.side ?? ''}AU${a.au}`;

export class LaneView {
  readonly root: HTMLElement;
  readonly stream: StreamView;
  private readonly select: HTMLElement & { value: string };
  private readonly label: HTMLElement;
  private readonly status: HTMLElement;
  private readonly chips: HTMLElement;
  private readonly emotion: HTMLElement;
  private readonly stopBtn: HTMLElement;
  private readonly regenBtn: HTMLElement;
  private clip: ClipView | null = null;
  streaming = false;

  constructor(readonly lane: Lane, private readonly hooks: LaneHooks) {
    this.root = div('lane');
    this.root.dataset.lane = lane;
    const head = div('lane-head');
    this.select = document.createElement('vscode-single-select') as HTMLElement & { value: string };
    this.select.className = 'source';
    this.select.title = 'Reasoning source';
    this.label = span('lane-label');
    this.status = span('lane-status');
    this.stopBtn = button('Stop', 'stop', true);
    this.regenBtn = button('Regenerate', 'regen', true);
    this.stopBtn.addEventListener('click', () => this.clip && this.hooks.stop(this.lane));
    this.regenBtn.addEventListener('click', () => this.clip && this.hooks.analyze(this.lane, this.source()));
    head.append(this.select, this.regenBtn, this.stopBtn, this.status);
    const body = div('lane-body');
    const md = div('md');
    body.appendChild(md);
    this.stream = new StreamView(md);
    const foot = div('lane-foot');
    this.chips = div('chips');
    this.emotion = div('emotion');
    foot.append(this.chips, this.emotion);
    this.root.append(head, this.label, body, foot);
    this.setStreaming(false);
  }

  setOptions(s: PanelSettingsView, preferred: SourceSpec): void {
    const opts: [string, string, boolean][] = [['builtin', 'Built-in FACS reasoner', false]];
    opts.push(['server', `MELLM server${s.model ? ` (${s.model})` : ''}`, !s.trusted]);
    for (const e of s.endpoints) opts.push([`server|${e}`, `MELLM @ ${e}`, !s.trusted]);
    this.select.replaceChildren(
      ...opts.map(([value, text, disabled]) => {
        const o = document.createElement('vscode-option') as HTMLElement & { value: string; disabled: boolean };
        o.value = value;
        o.textContent = text + (disabled ? ' — restricted mode' : '');
        o.disabled = disabled;
        return o;
      }),
    );
    const want = preferred.kind === 'builtin' ? 'builtin' : preferred.endpoint ? `server|${preferred.endpoint}` : 'server';
    // The element upgrades asynchronously; set the value once its options exist.
    queueMicrotask(() => (this.select.value = !s.trusted ? 'builtin' : want));
  }

  source(): SourceSpec {
    const v = String(this.select.value || 'builtin');
    if (v === 'builtin') return { kind: 'builtin' };
    if (v.startsWith('server|')) return { kind: 'server', endpoint: v.slice(7) };
    return { kind: 'server' };
  }

  setClip(clip: ClipView): void {
    if (this.clip?.clipId !== clip.clipId) {
      this.stream.reset();
      this.chips.replaceChildren();
      this.emotion.replaceChildren();
      this.label.textContent = '';
      this.status.textContent = '';
    }
    this.clip = clip;
  }

  start(label: string): void {
    this.stream.reset();
    this.chips.replaceChildren();
    this.emotion.replaceChildren();
    this.label.textContent = label;
    this.status.textContent = 'streaming…';
    this.status.dataset.state = 'streaming';
    this.setStreaming(true);
  }

  done(stop: string, incomplete: boolean, message: string | undefined, totalMs: number): void {
    this.stream.flush();
    this.setStreaming(false);
    this.status.dataset.state = incomplete ? 'incomplete' : 'done';
    this.status.textContent = incomplete ? `incomplete (${stop})${message ? ': ' + message : ''}` : `done in ${(totalMs / 1000).toFixed(1)} s`;
  }

  error(message: string): void {
    this.setStreaming(false);
    this.status.dataset.state = 'error';
    this.status.textContent = message;
  }

  showResult(r: AnalysisResult): void {
    this.stream.setClaims(r.claims);
    const gt = this.clip?.groundTruth;
    const gtAus = new Set((gt?.aus ?? []).map((a) => a.au));
    const predicted = new Set(r.aus.map((a) => a.au));
    const chips: HTMLElement[] = [];
    for (const a of r.aus) {
      const c = span('chip au');
      c.textContent = fmtAu(a);
      c.dataset.au = String(a.au);
      if (gtAus.size) c.classList.add(gtAus.has(a.au) ? 'match' : 'extra');
      const regions = r.auRegions[String(a.au)] ?? [];
      c.title = regions.length ? `moves: ${regions.join(', ')}` : 'no region mapped';
      c.addEventListener('mouseenter', () => this.hooks.highlight(regions));
      c.addEventListener('mouseleave', () => this.hooks.highlight([]));
      chips.push(c);
    }
    for (const a of gt?.aus ?? []) {
      if (predicted.has(a.au)) continue;
      const c = span('chip au missed');
      c.textContent = fmtAu(a);
      c.title = 'in the annotation, not in the answer';
      chips.push(c);
    }
    this.chips.replaceChildren(...chips);
    const pred = span('emo-pred');
    pred.textContent = r.emotion === 'unparsed' ? 'emotion: unparsed' : `emotion: ${r.emotion}`;
    const parts: HTMLElement[] = [pred];
    if (gt?.emotion) {
      const badge = span('badge');
      const match = r.emotion === gt.emotion;
      badge.classList.add(r.emotion === 'unparsed' ? 'unparsed' : match ? 'match' : 'mismatch');
      badge.textContent = r.emotion === 'unparsed' ? '? unparsed' : match ? '✓ matches label' : `✗ label: ${gt.emotion}`;
      parts.push(badge);
    }
    if (gtAus.size) {
      const hits = r.aus.filter((a) => gtAus.has(a.au)).length;
      const aub = span('badge aus');
      aub.textContent = `AUs ${hits}/${gtAus.size} of the annotation`;
      aub.classList.add(hits === gtAus.size && r.aus.length === hits ? 'match' : hits > 0 ? 'partial' : 'mismatch');
      parts.push(aub);
    }
    this.emotion.replaceChildren(...parts);
  }

  private setStreaming(on: boolean): void {
    this.streaming = on;
    this.root.classList.toggle('streaming', on);
    this.stopBtn.toggleAttribute('disabled', !on);
    this.regenBtn.toggleAttribute('disabled', on);
  }
}

function div(cls: string): HTMLElement {
  const d = document.createElement('div');
  d.className = cls;
  return d;
}
function span(cls: string): HTMLElement {
  const s = document.createElement('span');
  s.className = cls;
  return s;
}
export function button(text: string, id: string, secondary = false): HTMLElement {
  const b = document.createElement('vscode-button');
  b.textContent = text;
  b.dataset.action = id;
  if (secondary) b.setAttribute('secondary', '');
  return b;
}
