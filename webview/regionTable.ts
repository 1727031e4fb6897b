// The region table beside the map: for each facial region its measured direction, magnitude (px), ratio
// to its noise floor, the AUs the answers attribute to it and each lane's claim verdict there.
// Hovering a row lights the region on the map.
import type { AnalysisResult, ClaimStatus, ClipView, Lane } from '../src/shared/protocol';
import { regionsForAu } from '../src/shared/regions';
import { directionWord, intensityWord, statusWord } from './claims';
import { h, icon } from './dom';
import { onLanguage, regionName, regionShortName, t } from './l10n';
import { directionColour } from './legend';

const ARROW: Record<string, string> = { up: '↑', 'up-right': '↗', right: '→', 'down-right': '↘', down: '↓', 'down-left': '↙', left: '←', 'up-left': '↖' };
const ANGLE: Record<string, number> = { right: 0, 'down-right': 45, down: 90, 'down-left': 135, left: 180, 'up-left': 225, up: 270, 'up-right': 315 };
const STATUS_ICON: Record<ClaimStatus, string> = { supported: 'pass', contradicted: 'error', measured: 'circle-small', 'not-checkable': 'circle-slash' };
/** Worst first: a region claimed both ways shows the contradiction. */
const STATUS_ORDER: ClaimStatus[] = ['contradicted', 'supported', 'measured', 'not-checkable'];

export class RegionTable {
  readonly root = h('div', 'region-table');
  private readonly table = h('table');
  private readonly onlyMoving = h('button', 'tb text-only show-still');
  private clip: ClipView | null = null;
  private results: { lane: Lane; label: string; result: AnalysisResult }[] = [];
  private showAll = false;
  highlight: (regions: string[]) => void = () => {};

  constructor() {
    this.root.tabIndex = 0;
    this.root.setAttribute('role', 'region');
    this.onlyMoving.type = 'button';
    this.onlyMoving.dataset.action = 'region-all';
    this.onlyMoving.setAttribute('aria-pressed', 'false');
    this.onlyMoving.addEventListener('click', () => {
      this.showAll = !this.showAll;
      this.onlyMoving.setAttribute('aria-pressed', String(this.showAll));
      this.render();
    });
    this.root.append(this.onlyMoving, this.table);
    this.table.addEventListener('mouseover', (e) => {
      const row = (e.target as HTMLElement).closest('tr[data-region]') as HTMLElement | null;
      if (row) this.highlight([row.dataset.region!]);
    });
    this.table.addEventListener('mouseleave', () => this.highlight([]));
    onLanguage(() => this.render());
  }

  setClip(c: ClipView): void {
    if (this.clip?.clipId !== c.clipId) this.results = [];
    this.clip = c;
    this.render();
  }

  /** The results of the lanes shown (in lane order); a lane without a result is left out. */
  setResults(results: { lane: Lane; label: string; result: AnalysisResult }[]): void {
    this.results = results;
    this.render();
  }

  private render(): void {
    const m = this.clip?.motion;
    this.root.setAttribute('aria-label', t('Measured motion per region'));
    this.onlyMoving.textContent = t('Show still regions');
    this.root.hidden = !m;
    if (!m) return;
    const head = h('tr');
    const cols: [string, string][] = [
      [t('Region'), t('Region (R/L: the subject’s right/left)')],
      [t('Motion'), t('Measured direction (colour as on the map)')],
      ['px', t('Magnitude, px (head motion removed)')],
      ['×floor', t("Times this region's noise floor (face background, forward-backward error, warping residual)")],
      ['AU', t('AUs the answers attribute to the region')],
    ];
    if (this.results.length) cols.push([t('Claims'), this.results.map((r) => r.label).join(' · ')]);
    head.append(
      ...cols.map(([c, title]) => {
        const th = h('th', '', c);
        th.scope = 'col';
        th.title = title;
        return th;
      }),
    );
    const thead = h('thead');
    thead.append(head);
    const tbody = h('tbody');
    const rows = m.regions.filter((r) => this.showAll || r.intensity !== 'none' || this.claimed(r.name));
    for (const r of rows) {
      const tr = h('tr');
      tr.dataset.region = r.name;
      tr.dataset.intensity = r.intensity;
      const name = h('th', '', regionShortName(r.name));
      name.scope = 'row';
      name.title = regionName(r.name);
      const dir = h('td', 'dir');
      if (r.direction && r.intensity !== 'none') {
        const sw = h('span', 'swatch');
        sw.style.background = directionColour(ANGLE[r.direction]);
        dir.append(sw, document.createTextNode(ARROW[r.direction]), h('span', 'sr-only', directionWord(r.direction)));
        dir.title = `${directionWord(r.direction)}, ${intensityWord(r.intensity)}`;
      } else {
        dir.textContent = '·';
        dir.title = intensityWord('none');
        dir.append(h('span', 'sr-only', intensityWord('none')));
      }
      const px = h('td', 'num', r.px.toFixed(2));
      const ratio = h('td', 'num', r.ratio >= 100 ? '>100' : r.ratio.toFixed(1));
      const aus = h('td', 'aus', this.ausAt(r.name).join(' '));
      tr.append(name, dir, px, ratio, aus);
      if (this.results.length) {
        const cell = h('td', 'verdicts');
        for (const res of this.results) cell.append(this.verdictMark(res.result, r.name, res.label));
        tr.append(cell);
      }
      tbody.append(tr);
    }
    const caption = h('caption', '', t('Measured motion per region (head motion removed; background {0} px)', m.background.toFixed(2)));
    this.table.replaceChildren(caption, thead, tbody);
  }

  private claimed(region: string): boolean {
    return this.results.some((r) => r.result.claims.some((c) => (c.regions ?? [c.region]).includes(region) && c.status !== 'not-checkable'));
  }

  private ausAt(region: string): string[] {
    const out = new Set<string>();
    for (const r of this.results) for (const a of r.result.aus) if (regionsForAu(a).includes(region)) out.add(`${a.side ?? ''}AU${a.au}`);
    return [...out];
  }

  /** One lane's verdict on the region: an icon (a dash when the lane made no claim there). */
  private verdictMark(r: AnalysisResult, region: string, lane: string): HTMLElement {
    const s = h('span', 'verdict');
    const statuses = r.claims.filter((c) => (c.regions ?? [c.region]).includes(region)).map((c) => c.status);
    const worst = STATUS_ORDER.find((x) => statuses.includes(x));
    const words = worst ? statusWord(worst) : t('No claim about this region');
    s.title = `${lane}: ${words}`;
    if (worst) {
      s.dataset.status = worst;
      s.append(icon(STATUS_ICON[worst]));
    } else s.append(h('span', 'none', '–'));
    s.append(h('span', 'sr-only', `${lane}: ${words}`));
    return s;
  }
}
