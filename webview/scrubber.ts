// The frame scrubber: every frame from the onset to the offset, with the apex-spotting curve (mean flow
// magnitude onset -> frame over the face, computed by the core) drawn over it, the onset and apex marked.
// Click a frame to make it the apex (Shift+click, or the "Set onset" mode, makes it the onset); the host
// recomputes the map. Keyboard: it is a slider over the frames (arrows, Page Up/Down, Home/End), Enter
// sets the apex at the cursor, O (or Shift+Enter) the onset.
import type { ApexCurvePoint, FramesView } from '../src/shared/protocol';
import { h } from './dom';
import { onLanguage, t } from './l10n';

const SVG = 'http://www.w3.org/2000/svg';
const W = 1000;
const H = 48;

export class Scrubber {
  readonly root = h('div', 'scrubber');
  private readonly head = h('div', 'scrub-head');
  private readonly title = h('span', 'scrub-title');
  private readonly status = h('span', 'scrub-status');
  private readonly modeApex = h('button', 'tb text-only');
  private readonly modeOnset = h('button', 'tb text-only');
  private readonly track = h('div', 'scrub-track');
  private readonly svg = document.createElementNS(SVG, 'svg');
  private frames: FramesView | null = null;
  private cursor = 0;
  private setting: 'apex' | 'onset' = 'apex';
  /** The user asked for frames; until the host answers with a new clip, the scrubber shows the request. */
  private pending: { onset: number; apex: number } | null = null;
  /** A refusal to show until the next action (e.g. an onset after the apex). */
  private message = '';
  onChoose: (onset: number, apex: number) => void = () => {};

  constructor() {
    this.root.hidden = true;
    const modes = h('span', 'scrub-modes');
    modes.setAttribute('role', 'radiogroup');
    modes.dataset.keys = 'own';
    for (const [b, m] of [
      [this.modeApex, 'apex'],
      [this.modeOnset, 'onset'],
    ] as const) {
      b.type = 'button';
      b.setAttribute('role', 'radio');
      b.dataset.action = `scrub-${m}`;
      b.addEventListener('click', () => this.setSetting(m));
      modes.append(b);
    }
    this.head.append(this.title, modes, this.status);
    this.svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
    this.svg.setAttribute('preserveAspectRatio', 'none');
    this.svg.setAttribute('aria-hidden', 'true');
    this.track.append(this.svg);
    this.track.tabIndex = 0;
    this.track.dataset.keys = 'own';
    this.track.setAttribute('role', 'slider');
    this.root.append(this.head, this.track);
    this.track.addEventListener('click', (e) => {
      const i = this.indexAt(e.clientX);
      if (i === null) return;
      this.cursor = i;
      this.choose(e.shiftKey ? 'onset' : this.setting);
    });
    this.track.addEventListener('pointermove', (e) => {
      const i = this.indexAt(e.clientX);
      this.track.dataset.hover = i === null ? '' : String(this.frames!.frames[i]);
      this.draw(i);
    });
    this.track.addEventListener('pointerleave', () => this.draw(null));
    this.track.addEventListener('keydown', (e) => this.key(e));
    this.setSetting('apex');
    onLanguage(() => this.render());
  }

  /** Show a clip's frames (null hides the scrubber: a lone pair has none). */
  setFrames(f: FramesView | undefined): void {
    this.pending = null;
    this.message = '';
    // Another apex from the same onset: the curve (onset -> each frame) is still the same.
    const prev = this.frames;
    if (f && !f.curve && prev?.curve && prev.onset === f.onset && prev.frames.join() === f.frames.join()) f = { ...f, curve: prev.curve };
    this.frames = f ?? null;
    this.root.hidden = !f;
    if (!f) return;
    this.cursor = Math.max(0, f.frames.indexOf(f.apex));
    this.render();
  }

  setCurve(curve: ApexCurvePoint[]): void {
    if (!this.frames) return;
    this.frames = { ...this.frames, curve };
    this.render();
  }

  get view(): FramesView | null {
    return this.frames;
  }

  private setSetting(m: 'apex' | 'onset'): void {
    this.setting = m;
    this.modeApex.setAttribute('aria-checked', String(m === 'apex'));
    this.modeOnset.setAttribute('aria-checked', String(m === 'onset'));
    this.modeApex.tabIndex = m === 'apex' ? 0 : -1;
    this.modeOnset.tabIndex = m === 'onset' ? 0 : -1;
  }

  private indexAt(clientX: number): number | null {
    const f = this.frames;
    if (!f) return null;
    const r = this.track.getBoundingClientRect();
    if (r.width <= 0) return null;
    const x = (clientX - r.left) / r.width;
    return Math.max(0, Math.min(f.frames.length - 1, Math.round(x * (f.frames.length - 1))));
  }

  private choose(what: 'apex' | 'onset'): void {
    const f = this.frames;
    if (!f) return;
    const frame = f.frames[this.cursor];
    const cur = this.pending ?? { onset: f.onset, apex: f.apex };
    let onset = cur.onset;
    let apex = cur.apex;
    if (what === 'apex') apex = frame;
    else onset = frame;
    if (onset >= apex) {
      this.message = what === 'apex' ? t('The apex must come after the onset (frame {0}).', onset) : t('The onset must come before the apex (frame {0}).', apex);
      this.status.textContent = this.message;
      return;
    }
    this.message = '';
    if (onset === f.onset && apex === f.apex) return;
    this.pending = { onset, apex };
    this.render();
    this.onChoose(onset, apex);
  }

  private key(e: KeyboardEvent): void {
    const f = this.frames;
    if (!f) return;
    const n = f.frames.length;
    const moves: Record<string, number> = { ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1, PageUp: 10, PageDown: -10 };
    if (e.key in moves) this.cursor = Math.max(0, Math.min(n - 1, this.cursor + moves[e.key]));
    else if (e.key === 'Home') this.cursor = 0;
    else if (e.key === 'End') this.cursor = n - 1;
    else if (e.key === 'Enter') this.choose(e.shiftKey ? 'onset' : this.setting);
    else if (e.key === 'o' || e.key === 'O') this.choose('onset');
    else if (e.key === 'a' || e.key === 'A') this.choose('apex');
    else return;
    e.preventDefault();
    e.stopPropagation();
    this.render();
  }

  private render(): void {
    const f = this.frames;
    this.modeApex.textContent = t('Set apex');
    this.modeOnset.textContent = t('Set onset');
    this.modeApex.title = t('Click a frame to make it the apex (Enter)');
    this.modeOnset.title = t('Click a frame to make it the onset (Shift+click, O)');
    this.head.querySelector('.scrub-modes')!.setAttribute('aria-label', t('A click sets'));
    if (!f) return;
    const { onset, apex } = this.pending ?? f;
    const from = { annotation: t('annotated'), spotted: t('spotted'), chosen: t('chosen') }[f.apexFrom];
    this.title.textContent = t('Frames {0}–{1}: onset {2}, apex {3} ({4})', f.frames[0], f.frames[f.frames.length - 1], onset, apex, from);
    this.status.textContent = this.message || (this.pending ? t('Recomputing…') : f.curve ? '' : t('Computing the apex curve…'));
    const cur = f.frames[this.cursor];
    const mag = f.curve?.find((p) => p.frame === cur)?.magnitude;
    const role = cur === onset ? t('onset') : cur === apex ? t('apex') : '';
    this.track.setAttribute('aria-label', t('Frame scrubber'));
    this.track.setAttribute('aria-valuemin', String(f.frames[0]));
    this.track.setAttribute('aria-valuemax', String(f.frames[f.frames.length - 1]));
    this.track.setAttribute('aria-valuenow', String(cur));
    this.track.setAttribute(
      'aria-valuetext',
      [t('frame {0}', cur), role, mag !== undefined ? t('motion {0} px', mag.toFixed(2)) : ''].filter(Boolean).join(', '),
    );
    this.track.title = t('Enter: set the apex here · O: set the onset here · arrows move');
    this.draw(null);
  }

  private draw(hover: number | null): void {
    const f = this.frames;
    this.svg.replaceChildren();
    if (!f) return;
    const n = f.frames.length;
    const xOf = (i: number) => (n > 1 ? (i / (n - 1)) * W : W / 2);
    const idx = (frame: number) => f.frames.indexOf(frame);
    const { onset, apex } = this.pending ?? f;
    const el = (tag: string, attrs: Record<string, string | number>, cls: string) => {
      const e = document.createElementNS(SVG, tag);
      for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
      e.setAttribute('class', cls);
      this.svg.append(e);
      return e;
    };
    // The span the pair covers.
    const io = idx(onset);
    const ia = idx(apex);
    if (io >= 0 && ia >= 0) el('rect', { x: xOf(io), y: 0, width: Math.max(1, xOf(ia) - xOf(io)), height: H }, 'span');
    // One tick per frame when they fit.
    if (n <= 200) for (let i = 0; i < n; i++) el('line', { x1: xOf(i), x2: xOf(i), y1: H - 4, y2: H }, 'tick');
    if (f.curve && f.curve.length) {
      const max = Math.max(...f.curve.map((p) => p.magnitude), 1e-6);
      const pts = [[xOf(idx(f.frames[0])), H - 2]];
      for (const p of f.curve) {
        const i = idx(p.frame);
        if (i >= 0) pts.push([xOf(i), H - 2 - (p.magnitude / max) * (H - 8)]);
      }
      el('polyline', { points: pts.map(([x, y]) => `${x},${y}`).join(' ') }, 'curve');
      const peak = f.curve.reduce((a, b) => (b.magnitude > a.magnitude ? b : a));
      const ip = idx(peak.frame);
      if (ip >= 0) el('line', { x1: xOf(ip), x2: xOf(ip), y1: H - 2 - (peak.magnitude / max) * (H - 8), y2: H }, 'peak');
    }
    if (io >= 0) el('line', { x1: xOf(io), x2: xOf(io), y1: 0, y2: H }, 'mark onset');
    if (ia >= 0) el('line', { x1: xOf(ia), x2: xOf(ia), y1: 0, y2: H }, 'mark apex');
    el('line', { x1: xOf(this.cursor), x2: xOf(this.cursor), y1: 0, y2: H }, 'cursor');
    if (hover !== null) el('line', { x1: xOf(hover), x2: xOf(hover), y1: 0, y2: H }, 'hover');
  }
}
