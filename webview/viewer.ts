// The image stage: onset / apex / MMC-Map / flow-only views, overlay opacity, onset<->apex flicker,
// zoom (wheel, around the cursor) and pan (drag), landmark and region-outline overlays, the head-motion
// vector, and AU-driven region highlighting. Images are <img> elements fed only validated data: URLs.
import type { ClipView } from '../src/shared/protocol';

export type ViewMode = 'onset' | 'apex' | 'map' | 'flow';
const SVG = 'http://www.w3.org/2000/svg';

export interface ViewState {
  mode: ViewMode;
  opacity: number;
  zoom: number;
  panX: number;
  panY: number;
  landmarks: boolean;
  regions: boolean;
}

export class Viewer {
  readonly state: ViewState = { mode: 'map', opacity: 1, zoom: 1, panX: 0, panY: 0, landmarks: false, regions: false };
  private clip: ClipView | null = null;
  private readonly layer: HTMLElement;
  private readonly base: HTMLImageElement;
  private readonly overlay: HTMLImageElement;
  private readonly svg: SVGSVGElement;
  private readonly gLandmarks: SVGGElement;
  private readonly gRegions: SVGGElement;
  private readonly gHighlight: SVGGElement;
  private readonly gHead: SVGGElement;
  private flickerTimer: number | undefined;
  private flickerPhase = false;
  /** Until the user zooms or pans, the image follows the stage size. */
  private userMoved = false;
  onChange: () => void = () => {};
  /** Called when the current clip's MMC-Map image has been decoded and is on screen. */
  onMapShown: (clipId: string) => void = () => {};
  private clipSerial = 0;

  constructor(readonly stage: HTMLElement) {
    this.layer = el('div', 'layer');
    this.base = el('img', 'base') as HTMLImageElement;
    this.overlay = el('img', 'overlay') as HTMLImageElement;
    this.base.alt = 'frame';
    this.overlay.alt = 'motion overlay';
    this.base.draggable = false;
    this.overlay.draggable = false;
    this.svg = document.createElementNS(SVG, 'svg');
    this.svg.classList.add('marks');
    this.gRegions = this.group('regions');
    this.gHighlight = this.group('highlight');
    this.gLandmarks = this.group('landmarks');
    this.gHead = this.group('head');
    this.layer.append(this.base, this.overlay, this.svg);
    stage.appendChild(this.layer);
    this.bindPointer();
    new ResizeObserver(() => {
      if (!this.userMoved) this.fit();
    }).observe(stage);
  }

  private group(cls: string): SVGGElement {
    const g = document.createElementNS(SVG, 'g');
    g.classList.add(cls);
    this.svg.appendChild(g);
    return g;
  }

  setClip(clip: ClipView): void {
    const sameClip = this.clip?.clipId === clip.clipId;
    this.clip = clip;
    this.svg.setAttribute('viewBox', `0 0 ${clip.width} ${clip.height}`);
    this.svg.setAttribute('width', String(clip.width));
    this.svg.setAttribute('height', String(clip.height));
    this.layer.style.width = `${clip.width}px`;
    this.layer.style.height = `${clip.height}px`;
    this.drawMarks();
    if (!sameClip) this.fit();
    this.apply();
    // Report once the map is decoded (what the map view paints); every clip message gets its own report,
    // so the host can time "command -> map on screen" even when the same clip is sent again.
    const serial = ++this.clipSerial;
    if (clip.map) {
      const probe = new Image();
      probe.src = clip.map;
      probe
        .decode()
        .then(() => requestAnimationFrame(() => serial === this.clipSerial && this.onMapShown(clip.clipId)))
        .catch(() => undefined);
    }
  }

  setMode(mode: ViewMode): void {
    this.stopFlicker();
    this.state.mode = mode;
    this.apply();
  }

  setOpacity(v: number): void {
    this.state.opacity = Math.min(1, Math.max(0, v));
    this.apply();
  }

  setToggles(landmarks: boolean, regions: boolean): void {
    this.state.landmarks = landmarks;
    this.state.regions = regions;
    this.apply();
  }

  get flickering(): boolean {
    return this.flickerTimer !== undefined;
  }

  toggleFlicker(periodMs = 400): void {
    if (this.flickering) return this.stopFlicker();
    this.flickerTimer = window.setInterval(() => {
      this.flickerPhase = !this.flickerPhase;
      this.apply();
    }, periodMs);
    this.apply();
  }

  stopFlicker(): void {
    if (this.flickerTimer !== undefined) window.clearInterval(this.flickerTimer);
    this.flickerTimer = undefined;
    this.flickerPhase = false;
    this.apply();
  }

  /** Highlight regions (AU chip hover); empty clears. */
  highlight(regionNames: readonly string[]): void {
    this.gHighlight.replaceChildren();
    for (const r of this.clip?.regions ?? []) {
      if (!regionNames.includes(r.name)) continue;
      const p = document.createElementNS(SVG, 'polygon');
      p.setAttribute('points', r.points.map(([x, y]) => `${x},${y}`).join(' '));
      p.dataset.region = r.name;
      this.gHighlight.appendChild(p);
    }
    this.stage.classList.toggle('highlighting', regionNames.length > 0);
  }

  fit(): void {
    this.userMoved = false;
    if (!this.clip) return;
    const w = this.stage.clientWidth || this.clip.width;
    const h = this.stage.clientHeight || this.clip.height;
    const z = Math.min(w / this.clip.width, h / this.clip.height);
    this.state.zoom = z > 0 && Number.isFinite(z) ? z : 1;
    this.state.panX = (w - this.clip.width * this.state.zoom) / 2;
    this.state.panY = (h - this.clip.height * this.state.zoom) / 2;
    this.apply();
  }

  zoomAt(factor: number, cx: number, cy: number): void {
    this.userMoved = true;
    const z = Math.min(32, Math.max(0.1, this.state.zoom * factor));
    const k = z / this.state.zoom;
    this.state.panX = cx - (cx - this.state.panX) * k;
    this.state.panY = cy - (cy - this.state.panY) * k;
    this.state.zoom = z;
    this.apply();
  }

  restore(v: Partial<ViewState>): void {
    Object.assign(this.state, v);
    this.userMoved = true;
    this.apply();
  }

  /** The image currently on the base layer (for tests and export). */
  get shownBase(): 'onset' | 'apex' {
    return this.baseKind();
  }

  private baseKind(): 'onset' | 'apex' {
    if (this.flickering) return this.flickerPhase ? 'apex' : 'onset';
    return this.state.mode === 'apex' ? 'apex' : 'onset';
  }

  private apply(): void {
    const c = this.clip;
    this.layer.style.transform = `translate(${this.state.panX}px, ${this.state.panY}px) scale(${this.state.zoom})`;
    this.stage.classList.toggle('pixelated', this.state.zoom >= 3);
    if (c) {
      const base = this.baseKind() === 'apex' ? c.apex : c.onset;
      if (this.base.getAttribute('src') !== base) this.base.src = base;
      const over = this.flickering ? undefined : this.state.mode === 'map' ? c.map : this.state.mode === 'flow' ? c.flowOnly : undefined;
      if (over) {
        if (this.overlay.getAttribute('src') !== over) this.overlay.src = over;
        this.overlay.hidden = false;
        this.overlay.style.opacity = String(this.state.opacity);
      } else this.overlay.hidden = true;
    }
    this.gLandmarks.style.display = this.state.landmarks ? '' : 'none';
    this.gRegions.style.display = this.state.regions ? '' : 'none';
    this.stage.dataset.mode = this.state.mode;
    this.stage.dataset.base = this.baseKind();
    this.onChange();
  }

  private drawMarks(): void {
    const c = this.clip!;
    this.gLandmarks.replaceChildren();
    this.gRegions.replaceChildren();
    this.gHead.replaceChildren();
    this.gHighlight.replaceChildren();
    const r = Math.max(1, c.width / 220);
    for (const [x, y] of c.landmarks ?? []) {
      const dot = document.createElementNS(SVG, 'circle');
      dot.setAttribute('cx', String(x));
      dot.setAttribute('cy', String(y));
      dot.setAttribute('r', String(r));
      this.gLandmarks.appendChild(dot);
    }
    for (const reg of c.regions ?? []) {
      const p = document.createElementNS(SVG, 'polygon');
      p.setAttribute('points', reg.points.map(([x, y]) => `${x},${y}`).join(' '));
      p.dataset.region = reg.name;
      const t = document.createElementNS(SVG, 'title');
      t.textContent = reg.name;
      p.appendChild(t);
      this.gRegions.appendChild(p);
    }
    if (c.head && c.nose) {
      // The head-motion vector is usually sub-pixel: draw it scaled so it is visible, and say the scale.
      const len = Math.hypot(c.head.u, c.head.v);
      const scale = len > 0 ? (c.width * 0.12) / Math.max(len, 0.5) : 0;
      const x2 = c.nose.x + c.head.u * scale;
      const y2 = c.nose.y + c.head.v * scale;
      const line = document.createElementNS(SVG, 'line');
      line.setAttribute('x1', String(c.nose.x));
      line.setAttribute('y1', String(c.nose.y));
      line.setAttribute('x2', String(x2));
      line.setAttribute('y2', String(y2));
      line.setAttribute('stroke-width', String(r * 1.2));
      const dot = document.createElementNS(SVG, 'circle');
      dot.setAttribute('cx', String(c.nose.x));
      dot.setAttribute('cy', String(c.nose.y));
      dot.setAttribute('r', String(r * 2));
      this.gHead.append(line, dot);
      if (len > 0) {
        const a = Math.atan2(y2 - c.nose.y, x2 - c.nose.x);
        const s = r * 5;
        const head = document.createElementNS(SVG, 'polygon');
        const p1 = [x2 - s * Math.cos(a - 0.45), y2 - s * Math.sin(a - 0.45)];
        const p2 = [x2 - s * Math.cos(a + 0.45), y2 - s * Math.sin(a + 0.45)];
        head.setAttribute('points', `${x2},${y2} ${p1[0]},${p1[1]} ${p2[0]},${p2[1]}`);
        this.gHead.appendChild(head);
      }
    }
  }

  private bindPointer(): void {
    this.stage.addEventListener(
      'wheel',
      (e) => {
        e.preventDefault();
        const rect = this.stage.getBoundingClientRect();
        this.zoomAt(e.deltaY < 0 ? 1.15 : 1 / 1.15, e.clientX - rect.left, e.clientY - rect.top);
      },
      { passive: false },
    );
    let drag: { x: number; y: number; px: number; py: number } | null = null;
    this.stage.addEventListener('pointerdown', (e) => {
      drag = { x: e.clientX, y: e.clientY, px: this.state.panX, py: this.state.panY };
      this.stage.setPointerCapture(e.pointerId);
      this.stage.classList.add('dragging');
    });
    this.stage.addEventListener('pointermove', (e) => {
      if (!drag) return;
      this.userMoved = true;
      this.state.panX = drag.px + e.clientX - drag.x;
      this.state.panY = drag.py + e.clientY - drag.y;
      this.apply();
    });
    const end = () => {
      drag = null;
      this.stage.classList.remove('dragging');
    };
    this.stage.addEventListener('pointerup', end);
    this.stage.addEventListener('pointercancel', end);
    this.stage.addEventListener('dblclick', () => this.fit());
  }
}

function el(tag: string, cls: string): HTMLElement {
  const e = document.createElement(tag);
  e.className = cls;
  return e;
}
