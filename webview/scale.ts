// The magnitude scale beside the map: brightness = speed, from 0 px to the speed that saturates at the
// current display gain (the map's own brightness is min-max normalised, so full brightness is its
// fastest pixel), with the display gain and threshold controls (display only).
import { h } from './dom';
import { onLanguage, t } from './l10n';
import type { DisplayParams } from './displayMap';

export class ScaleView {
  readonly root = h('div', 'scale');
  private readonly bar = h('div', 'scale-bar');
  private readonly ticks = h('div', 'scale-ticks');
  private readonly caption = h('div', 'scale-caption');
  readonly gain = h('input');
  readonly threshold = h('input');
  private readonly gainText = h('output', 'scale-value');
  private readonly thresholdText = h('output', 'scale-value');
  private readonly gainLabel = h('label', 'scale-control');
  private readonly thresholdLabel = h('label', 'scale-control');
  private range: { min: number; max: number } | null = null;
  onChange: (p: DisplayParams) => void = () => {};

  constructor() {
    this.root.setAttribute('role', 'group');
    this.bar.setAttribute('aria-hidden', 'true');
    this.gain.type = 'range';
    this.gain.min = '1';
    this.gain.max = '8';
    this.gain.step = '0.5';
    this.gain.value = '1';
    this.gain.id = 'display-gain';
    this.threshold.type = 'range';
    this.threshold.min = '0';
    this.threshold.max = '3';
    this.threshold.step = '0.1';
    this.threshold.value = '0';
    this.threshold.id = 'display-threshold';
    for (const i of [this.gain, this.threshold]) {
      i.dataset.keys = 'own';
      i.addEventListener('input', () => {
        this.render();
        this.onChange(this.params());
      });
    }
    this.gainLabel.append(h('span', 'scale-name'), this.gain, this.gainText);
    this.thresholdLabel.append(h('span', 'scale-name'), this.threshold, this.thresholdText);
    this.root.append(this.caption, this.bar, this.ticks, this.gainLabel, this.thresholdLabel);
    this.render();
    onLanguage(() => this.render());
  }

  params(): DisplayParams {
    return { gain: Number(this.gain.value), threshold: Number(this.threshold.value) };
  }

  set(p: Partial<DisplayParams>): void {
    if (p.gain !== undefined) this.gain.value = String(p.gain);
    if (p.threshold !== undefined) this.threshold.value = String(p.threshold);
    this.render();
  }

  /** The compensated magnitude range of the clip's flow (null: no flow yet). */
  setRange(r: { min: number; max: number } | null): void {
    this.range = r;
    this.render();
  }

  private render(): void {
    const p = this.params();
    this.root.setAttribute('aria-label', t('Magnitude scale'));
    this.caption.textContent = t('Brightness = speed (px, onset → apex)');
    (this.gainLabel.firstChild as HTMLElement).textContent = t('Display gain');
    (this.thresholdLabel.firstChild as HTMLElement).textContent = t('Threshold');
    this.gain.setAttribute('aria-label', t('Display gain (the map sent to MELLM is unchanged)'));
    this.threshold.setAttribute('aria-label', t('Display threshold in px (the map sent to MELLM is unchanged)'));
    this.gain.title = this.gain.getAttribute('aria-label')!;
    this.threshold.title = this.threshold.getAttribute('aria-label')!;
    this.gainText.textContent = `×${p.gain}`;
    this.thresholdText.textContent = t('{0} px', p.threshold.toFixed(1));
    const r = this.range;
    if (!r) {
      this.ticks.replaceChildren();
      this.bar.style.removeProperty('--thr');
      return;
    }
    const top = r.min + (r.max - r.min) / p.gain;
    this.threshold.max = String(Math.max(0.5, Math.ceil(r.max * 10) / 10));
    const pct = top > 0 ? Math.min(100, (p.threshold / top) * 100) : 0;
    this.bar.style.setProperty('--thr', `${pct}%`);
    this.ticks.replaceChildren(
      h('span', '', t('{0} px', r.min.toFixed(1))),
      h('span', '', t('{0} px', ((r.min + top) / 2).toFixed(1))),
      h('span', '', p.gain > 1 ? `≥ ${t('{0} px', top.toFixed(1))}` : t('{0} px', top.toFixed(1))),
    );
  }
}
