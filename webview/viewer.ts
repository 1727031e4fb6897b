// The image stage: onset / apex / MMC-Map / flow-only views, overlay opacity, onset<->apex flicker,
// zoom (wheel around the cursor, buttons, fit, 1:1) and pan (drag), landmark and region outlines, the
// ground-truth AUs' regions, hover highlighting, the head-motion vector, the nose point with its 11x11
// window (draggable, or moved with the arrow keys) and the image pixel under the cursor.
// Two SVG layers: one in IMAGE coordinates that zooms with the image (outlines, the window), one in
// SCREEN coordinates (the head arrow and the nose handle keep their size at any zoom).
// Images are <img> elements fed only validated data: URLs.
import type { ClipView } from '../src/shared/protocol';

export type ViewMode = 'onset' | 'apex' | 'map' | 'flow';
const SVG = 'http://www.w3.org/2000/svg';
export const MIN_ZOOM = 0.1;
export const MAX_ZOOM = 32;
/** Length of the head-motion arrow on screen, px (it shows the direction; the numbers are in the info line). */
const ARROW_PX = 36;

export interface ViewState {
  mode: ViewMode;
  opacity: number;
  zoom: number;
  panX: number;
  panY: number;
  landmarks: boolean;
  regions: boolean;
}

function svgEl<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

const polyPoints = (pts: [number, number][]) => pts.map(([x, y]) => `${x},${y}`).join(' ');

export class Viewer {
  readonly state: ViewState = { mode: 'map', opacity: 1, zoom: 1, panX: 0, panY: 0, landmarks: false, regions: false };
  private clip: ClipView | null = null;
  private readonly layer: HTMLElement;
  private readonly base: HTMLImageElement;
  private readonly overlay: HTMLImageElement;
  private readonly svg: SVGSVGElement;
  private readonly screen: SVGSVGElement;
  private readonly gLandmarks: SVGGElement;
  private readonly gRegions: SVGGElement;
  private readonly gTruth: SVGGElement;
  private readonly gHighlight: SVGGElement;
  private readonly gWindow: SVGGElement;
  private readonly gHead: SVGGElement;
  readonly noseHandle: HTMLElement;
  private flickerTimer: number | undefined;
  private flickerPhase = false;
  /** Until the user zooms or pans, the image follows the stage size. */
  private userMoved = false;
  /** Display-only replacement of the map image (gain / threshold); null = the map as sent to MELLM. */
  private mapOverride: string | null = null;
  /** The nose point being dragged (image px), before the host recomputes. */
  private noseDraft: { x: number; y: number } | null = null;
  onChange: () => void = () => {};
  /** Called when the current clip's MMC-Map image has been decoded and is on screen. */
  onMapShown: (clipId: string) => void = () => {};
  /** The image pixel under the pointer (integer coordinates), or null when it leaves the image. */
  onProbe: (p: { x: number; y: number } | null) => void = () => {};
  /** The nose point moves (drag or keys: preview) and is released (commit). */
  onNoseMove: (p: { x: number; y: number }) => void = () => {};
  onNoseSet: (p: { x: number; y: number }) => void = () => {};
  /** Escape with nothing dragged: back to the landmarks' nose point. */
  onNoseReset: () => void = () => {};
  private clipSerial = 0;

  constructor(readonly stage: HTMLElement) {
    this.layer = el('div', 'layer');
    this.base = el('img', 'base') as HTMLImageElement;
    this.overlay = el('img', 'overlay') as HTMLImageElement;
    this.base.alt = '';
    this.overlay.alt = '';
    this.base.draggable = false;
    this.overlay.draggable = false;
    this.svg = svgEl('svg');
    this.svg.classList.add('marks');
    this.svg.setAttribute('aria-hidden', 'true');
    this.gRegions = this.group(this.svg, 'regions');
    this.gTruth = this.group(this.svg, 'truth');
    this.gHighlight = this.group(this.svg, 'highlight');
    this.gLandmarks = this.group(this.svg, 'landmarks');
    this.gWindow = this.group(this.svg, 'nose-window');
    this.layer.append(this.base, this.overlay, this.svg);
    this.screen = svgEl('svg');
    this.screen.classList.add('screen-marks');
    this.screen.setAttribute('aria-hidden', 'true');
    this.gHead = this.group(this.screen, 'head');
    this.noseHandle = el('div', 'nose-handle');
    this.noseHandle.tabIndex = 0;
    this.noseHandle.setAttribute('role', 'button');
    this.noseHandle.dataset.keys = 'own';
    this.noseHandle.hidden = true;
    stage.append(this.layer, this.screen, this.noseHandle);
    this.bindPointer();
    this.bindNose();
    new ResizeObserver(() => {
      if (!this.userMoved) this.fit();
      else this.apply();
    }).observe(stage);
  }

  private group(svg: SVGSVGElement, cls: string): SVGGElement {
    const g = svgEl('g');
    g.classList.add(cls);
    svg.appendChild(g);
    return g;
  }

  get current(): ClipView | null {
    return this.clip;
  }

  setClip(clip: ClipView): void {
    const sameClip = this.clip?.clipId === clip.clipId;
    const sameSize = this.clip?.width === clip.width && this.clip?.height === clip.height;
    this.clip = clip;
    this.noseDraft = null;
    if (!sameClip) this.mapOverride = null;
    this.svg.setAttribute('viewBox', `0 0 ${clip.width} ${clip.height}`);
    this.svg.setAttribute('width', String(clip.width));
    this.svg.setAttribute('height', String(clip.height));
    this.layer.style.width = `${clip.width}px`;
    this.layer.style.height = `${clip.height}px`;
    this.drawMarks();
    // A new clip of the same size keeps the user's zoom and pan (stepping through a dataset).
    if (!sameClip && !(sameSize && this.userMoved)) this.fit();
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

  /** Show `url` instead of the map (display gain); null restores the map as sent to MELLM. */
  setMapOverride(url: string | null): void {
    this.mapOverride = url;
    this.apply();
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

  /** Highlight regions (AU chip or claim hover); empty clears. */
  highlight(regionNames: readonly string[]): void {
    this.outline(this.gHighlight, regionNames);
    this.stage.classList.toggle('highlighting', regionNames.length > 0);
  }

  /** Outline the regions of the annotated AUs (ground truth), dashed, always shown. */
  setTruth(regionNames: readonly string[]): void {
    this.outline(this.gTruth, regionNames);
  }

  private outline(g: SVGGElement, regionNames: readonly string[]): void {
    g.replaceChildren();
    for (const r of this.clip?.regions ?? []) {
      if (!regionNames.includes(r.name)) continue;
      const p = svgEl('polygon', { points: polyPoints(r.points) });
      p.dataset.region = r.name;
      g.appendChild(p);
    }
  }

  fit(): void {
    if (!this.clip) return;
    this.userMoved = false;
    const w = this.stage.clientWidth;
    const h = this.stage.clientHeight;
    const z = Math.min(w / this.clip.width, h / this.clip.height);
    this.state.zoom = z > 0 && Number.isFinite(z) ? z : 1;
    this.state.panX = (w - this.clip.width * this.state.zoom) / 2;
    this.state.panY = (h - this.clip.height * this.state.zoom) / 2;
    this.apply();
  }

  zoomAt(factor: number, cx: number, cy: number): void {
    this.userMoved = true;
    const z = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, this.state.zoom * factor));
    const k = z / this.state.zoom;
    this.state.panX = cx - (cx - this.state.panX) * k;
    this.state.panY = cy - (cy - this.state.panY) * k;
    this.state.zoom = z;
    this.apply();
  }

  /** Zoom around the stage centre (the +/- buttons and keys). */
  zoomBy(factor: number): void {
    this.zoomAt(factor, this.stage.clientWidth / 2, this.stage.clientHeight / 2);
  }

  /** One image pixel per screen pixel, around the stage centre. */
  actualSize(): void {
    this.zoomBy(1 / this.state.zoom);
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
    const { zoom, panX, panY } = this.state;
    this.layer.style.transform = `translate(${panX}px, ${panY}px) scale(${zoom})`;
    this.stage.classList.toggle('pixelated', zoom >= 3);
    if (c) {
      const base = this.baseKind() === 'apex' ? c.apex : c.onset;
      if (this.base.getAttribute('src') !== base) this.base.src = base;
      const map = this.mapOverride ?? c.map;
      const over = this.flickering ? undefined : this.state.mode === 'map' ? map : this.state.mode === 'flow' ? c.flowOnly : undefined;
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
    this.drawScreenMarks();
    this.onChange();
  }

  private nose(): { x: number; y: number } | null {
    return this.noseDraft ?? this.clip?.nose ?? null;
  }

  private drawMarks(): void {
    const c = this.clip!;
    this.gLandmarks.replaceChildren();
    this.gRegions.replaceChildren();
    this.gHighlight.replaceChildren();
    this.gTruth.replaceChildren();
    const r = Math.max(1, c.width / 220);
    for (const [x, y] of c.landmarks ?? []) this.gLandmarks.appendChild(svgEl('circle', { cx: x, cy: y, r }));
    for (const reg of c.regions ?? []) {
      const p = svgEl('polygon', { points: polyPoints(reg.points) });
      p.dataset.region = reg.name;
      this.gRegions.appendChild(p);
    }
    this.drawWindow();
  }

  /** The head-motion window: the pixels whose mean flow is subtracted (clipped to the image, as the authors). */
  private drawWindow(): void {
    this.gWindow.replaceChildren();
    const c = this.clip;
    const n = this.nose();
    if (!c || !n || !c.head) return;
    const half = Math.floor((c.noseWindow ?? 11) / 2);
    // The authors truncate the nose point to a pixel (int(x), int(y)); the window is that pixel +- half.
    const nx = Math.trunc(n.x);
    const ny = Math.trunc(n.y);
    const x0 = Math.max(0, nx - half);
    const y0 = Math.max(0, ny - half);
    const x1 = Math.min(c.width, nx + half + 1);
    const y1 = Math.min(c.height, ny + half + 1);
    const rect = svgEl('rect', { x: x0, y: y0, width: Math.max(0, x1 - x0), height: Math.max(0, y1 - y0) });
    this.gWindow.appendChild(rect);
    this.gWindow.classList.toggle('draft', this.noseDraft !== null);
  }

  private toScreen(x: number, y: number): [number, number] {
    return [this.state.panX + x * this.state.zoom, this.state.panY + y * this.state.zoom];
  }

  /** Head arrow and nose handle in screen pixels: same size at every zoom. */
  private drawScreenMarks(): void {
    this.gHead.replaceChildren();
    const c = this.clip;
    const n = this.nose();
    this.noseHandle.hidden = !(c && n && c.head);
    if (!c || !n) return;
    const [sx, sy] = this.toScreen(n.x, n.y);
    this.noseHandle.style.transform = `translate(${sx}px, ${sy}px)`;
    this.noseHandle.dataset.x = n.x.toFixed(1);
    this.noseHandle.dataset.y = n.y.toFixed(1);
    if (!c.head) return;
    const len = Math.hypot(c.head.u, c.head.v);
    if (len <= 1e-6) return;
    const ux = c.head.u / len;
    const uy = c.head.v / len;
    const x2 = sx + ux * ARROW_PX;
    const y2 = sy + uy * ARROW_PX;
    this.gHead.appendChild(svgEl('line', { x1: sx, y1: sy, x2, y2 }));
    const a = Math.atan2(uy, ux);
    const s = 7;
    const p1 = [x2 - s * Math.cos(a - 0.45), y2 - s * Math.sin(a - 0.45)];
    const p2 = [x2 - s * Math.cos(a + 0.45), y2 - s * Math.sin(a + 0.45)];
    this.gHead.appendChild(svgEl('polygon', { points: `${x2},${y2} ${p1[0]},${p1[1]} ${p2[0]},${p2[1]}` }));
  }

  /** Image coordinates of a client (mouse) position. */
  imagePoint(clientX: number, clientY: number): { x: number; y: number } {
    const rect = this.stage.getBoundingClientRect();
    return { x: (clientX - rect.left - this.state.panX) / this.state.zoom, y: (clientY - rect.top - this.state.panY) / this.state.zoom };
  }

  private probeAt(clientX: number, clientY: number): void {
    const c = this.clip;
    if (!c) return;
    const p = this.imagePoint(clientX, clientY);
    const x = Math.floor(p.x);
    const y = Math.floor(p.y);
    this.onProbe(x >= 0 && y >= 0 && x < c.width && y < c.height ? { x, y } : null);
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
      if (e.target === this.noseHandle) return;
      drag = { x: e.clientX, y: e.clientY, px: this.state.panX, py: this.state.panY };
      this.stage.setPointerCapture(e.pointerId);
      this.stage.classList.add('dragging');
    });
    this.stage.addEventListener('pointermove', (e) => {
      this.probeAt(e.clientX, e.clientY);
      if (!drag) return;
      this.userMoved = true;
      this.state.panX = drag.px + e.clientX - drag.x;
      this.state.panY = drag.py + e.clientY - drag.y;
      this.apply();
    });
    this.stage.addEventListener('pointerleave', () => this.onProbe(null));
    const end = () => {
      drag = null;
      this.stage.classList.remove('dragging');
    };
    this.stage.addEventListener('pointerup', end);
    this.stage.addEventListener('pointercancel', end);
    this.stage.addEventListener('dblclick', (e) => e.target !== this.noseHandle && this.fit());
  }

  private moveNose(p: { x: number; y: number }): void {
    const c = this.clip;
    if (!c) return;
    this.noseDraft = { x: Math.min(c.width - 1, Math.max(0, p.x)), y: Math.min(c.height - 1, Math.max(0, p.y)) };
    this.drawWindow();
    this.drawScreenMarks();
    this.onNoseMove(this.noseDraft);
  }

  private commitNose(): void {
    if (this.noseDraft) this.onNoseSet(this.noseDraft);
  }

  /** Back to the point the host sent (Escape, or a new clip message). */
  cancelNose(): void {
    this.noseDraft = null;
    this.drawWindow();
    this.drawScreenMarks();
    const n = this.clip?.nose;
    if (n) this.onNoseMove(n);
  }

  private bindNose(): void {
    const h = this.noseHandle;
    let dragging = false;
    h.addEventListener('pointerdown', (e) => {
      e.stopPropagation();
      dragging = true;
      h.setPointerCapture(e.pointerId);
      h.classList.add('dragging');
    });
    h.addEventListener('pointermove', (e) => {
      if (!dragging) return;
      e.stopPropagation();
      this.moveNose(this.imagePoint(e.clientX, e.clientY));
    });
    const end = (commit: boolean) => {
      if (!dragging) return;
      dragging = false;
      h.classList.remove('dragging');
      if (commit) this.commitNose();
    };
    h.addEventListener('pointerup', () => end(true));
    h.addEventListener('pointercancel', () => end(false));
    h.addEventListener('keydown', (e) => {
      const n = this.nose();
      if (!n) return;
      const step = e.shiftKey ? 5 : 1;
      const d: Record<string, [number, number]> = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
      if (d[e.key]) this.moveNose({ x: n.x + d[e.key][0], y: n.y + d[e.key][1] });
      else if (e.key === 'Enter') this.commitNose();
      else if (e.key === 'Escape') {
        if (this.noseDraft) this.cancelNose();
        else this.onNoseReset();
      }
      else return;
      e.preventDefault();
      e.stopPropagation();
    });
  }
}

function el(tag: string, cls: string): HTMLElement {
  const e = document.createElement(tag);
  e.className = cls;
  return e;
}
