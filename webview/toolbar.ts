// The panel's toolbar: clip navigation, the view switch (a radio group), overlay opacity, flicker,
// landmark/region toggles, zoom, compare, export and settings. Codicons as in VS Code's own action bars;
// labels collapse to icons when the panel is narrow (container query in panel.css), the accessible names
// and tooltips stay. Labels come from t() and are re-applied on a language change.
import { divider, h, setLabel, toggleButton, toolButton } from './dom';
import { onLanguage, t } from './l10n';
import type { ViewMode } from './viewer';

export const MODES: { mode: ViewMode; label: () => string }[] = [
  { mode: 'onset', label: () => t('Onset') },
  { mode: 'apex', label: () => t('Apex') },
  { mode: 'map', label: () => t('MMC-Map') },
  { mode: 'flow', label: () => t('Flow only') },
];

export class Toolbar {
  readonly root = h('div', 'toolbar');
  readonly prev = toolButton({ icon: 'chevron-left', label: '', action: 'prev' });
  readonly next = toolButton({ icon: 'chevron-right', label: '', action: 'next' });
  readonly pos = h('span', 'clip-pos');
  readonly title = h('span', 'clip-title');
  readonly modes = h('span', 'modes');
  readonly modeButtons: HTMLButtonElement[];
  readonly opacity = h('input');
  private readonly opacityLabel = h('label', 'opacity');
  private readonly opacityText = h('span', 'tb-label');
  readonly flicker = toggleButton({ icon: 'arrow-swap', label: '', action: 'flicker', showLabel: true });
  readonly landmarks = toggleButton({ icon: 'record-small', label: '', action: 'landmarks', showLabel: true });
  readonly regions = toggleButton({ icon: 'symbol-namespace', label: '', action: 'regions', showLabel: true });
  readonly zoomOut = toolButton({ icon: 'zoom-out', label: '', action: 'zoom-out' });
  readonly zoomValue = h('output', 'zoom-value');
  readonly zoomIn = toolButton({ icon: 'zoom-in', label: '', action: 'zoom-in' });
  readonly fit = toolButton({ icon: 'screen-normal', label: '', action: 'fit' });
  readonly actual = toolButton({ label: '', action: 'zoom-1' });
  readonly compare = toggleButton({ icon: 'split-horizontal', label: '', action: 'compare', showLabel: true });
  readonly exportBtn = toolButton({ icon: 'export', label: '', action: 'export', showLabel: true });
  readonly settings = toolButton({ icon: 'gear', label: '', action: 'settings' });

  constructor() {
    this.root.setAttribute('role', 'toolbar');
    this.modes.setAttribute('role', 'radiogroup');
    this.modes.dataset.keys = 'own';
    this.modeButtons = MODES.map((m, i) => {
      const b = h('button', 'tb mode');
      b.type = 'button';
      b.dataset.action = `mode-${m.mode}`;
      b.setAttribute('role', 'radio');
      b.setAttribute('aria-checked', 'false');
      b.tabIndex = i === 2 ? 0 : -1;
      b.appendChild(h('span', 'tb-label'));
      this.modes.appendChild(b);
      return b;
    });
    this.actual.classList.add('text-only');
    this.actual.textContent = '1:1';
    this.zoomValue.setAttribute('aria-live', 'off');
    this.opacity.type = 'range';
    this.opacity.min = '0';
    this.opacity.max = '100';
    this.opacity.value = '100';
    this.opacity.id = 'opacity';
    this.opacity.dataset.keys = 'own';
    this.opacityLabel.append(this.opacityText, this.opacity);
    const nav = h('span', 'tb-group nav');
    nav.append(this.prev, this.pos, this.next);
    const zoom = h('span', 'tb-group zoom');
    zoom.setAttribute('role', 'group');
    zoom.append(this.zoomOut, this.zoomValue, this.zoomIn, this.fit, this.actual);
    const spacer = h('span', 'tb-spacer');
    this.root.append(
      nav,
      this.title,
      divider(),
      this.modes,
      this.opacityLabel,
      this.flicker,
      divider(),
      this.landmarks,
      this.regions,
      divider(),
      zoom,
      spacer,
      this.compare,
      this.exportBtn,
      this.settings,
    );
    this.relabel();
    onLanguage(() => this.relabel());
    // Arrow keys move the checked view inside the radio group (roving tabindex, as ARIA's radio pattern).
    this.modes.addEventListener('keydown', (e) => {
      const i = this.modeButtons.indexOf(e.target as HTMLButtonElement);
      if (i < 0) return;
      const d = e.key === 'ArrowRight' || e.key === 'ArrowDown' ? 1 : e.key === 'ArrowLeft' || e.key === 'ArrowUp' ? -1 : 0;
      if (!d) return;
      e.preventDefault();
      const j = (i + d + MODES.length) % MODES.length;
      this.modeButtons[j].focus();
      this.modeButtons[j].click();
    });
  }

  private relabel(): void {
    setLabel(this.prev, t('Previous clip'), 'ArrowLeft');
    setLabel(this.next, t('Next clip'), 'ArrowRight');
    this.modes.setAttribute('aria-label', t('View'));
    this.modeButtons.forEach((b, i) => {
      b.querySelector('.tb-label')!.textContent = MODES[i].label();
      b.title = `${MODES[i].label()} (${i + 1})`;
      b.setAttribute('aria-keyshortcuts', String(i + 1));
    });
    this.opacityText.textContent = t('Overlay');
    this.opacity.setAttribute('aria-label', t('Overlay opacity'));
    this.opacity.title = t('Overlay opacity');
    setLabel(this.flicker, t('Flicker'), 'F');
    this.flicker.title = `${t('Alternate onset and apex')} (F)`;
    setLabel(this.landmarks, t('Landmarks'), 'L');
    setLabel(this.regions, t('Regions'), 'R');
    setLabel(this.zoomOut, t('Zoom out'), '-');
    setLabel(this.zoomIn, t('Zoom in'), '+');
    setLabel(this.fit, t('Fit to the view'), '0');
    setLabel(this.actual, t('1:1, actual size (one image pixel per screen pixel)'));
    this.actual.textContent = '1:1';
    this.zoomValue.title = t('Zoom');
    this.zoomValue.setAttribute('aria-label', t('Zoom'));
    setLabel(this.compare, t('Compare'));
    this.compare.title = t('Three reasoning sources side by side on this clip (built-in, MELLM, region text)');
    setLabel(this.exportBtn, t('Export report'));
    setLabel(this.settings, t('MELLM settings'));
  }

  setMode(mode: ViewMode, flickering: boolean): void {
    this.modeButtons.forEach((b, i) => {
      const on = MODES[i].mode === mode && !flickering;
      b.setAttribute('aria-checked', String(on));
      b.tabIndex = MODES[i].mode === mode ? 0 : -1;
    });
  }

  setZoom(zoom: number): void {
    this.zoomValue.textContent = `${Math.round(zoom * 100)}%`;
  }
}
