// What the measurement says beside an answer (issue #15): the lighting change found between onset and apex,
// the measured confidence of each AU and of the emotion, and the outcomes that are not an emotion ("no
// micro-expression found", undetermined). Kept apart from lane.ts, which calls these when it renders.
import type { AnalysisResult, ClipView } from '../src/shared/protocol';
import { h } from './dom';
import { emotionName, t, uiVocab } from './l10n';

const pct = (x: number) => x.toFixed(2);

/** The emotion line of a lane: the class with its confidence, or what the answer concluded instead. */
export function emotionText(r: AnalysisResult): string {
  const outcome = r.outcome ?? (r.emotion === 'unparsed' ? 'unparsed' : 'parsed');
  if (outcome === 'none') return t('No micro-expression found');
  if (outcome === 'undetermined') {
    const c = (r.candidates ?? []).map(emotionName);
    return c.length > 1 ? t('Emotion: undetermined ({0})', c.join(' / ')) : t('Emotion: undetermined');
  }
  if (outcome === 'unparsed') return t('Emotion: not found in the answer');
  const base = t('Emotion: {0}', r.emotionLabel ?? emotionName(r.emotion));
  const c = r.confidence?.emotion;
  return c === null || c === undefined ? base : `${base} · ${t('confidence {0}', pct(c))}`;
}

/** The badge word when the outcome is not an emotion ('' for an emotion). */
export function outcomeBadge(r: AnalysisResult): string {
  if (r.outcome === 'none') return t('no micro-expression found');
  if (r.outcome === 'undetermined') return t('undetermined');
  return '';
}

/** The measured confidence of the i-th AU of the result, as a small label for its chip (null when unknown). */
export function auConfidenceLabel(r: AnalysisResult, i: number): HTMLElement | null {
  const v = r.confidence?.aus[i];
  if (v === undefined) return null;
  const el = h('span', 'chip-conf', pct(v));
  el.title = t('Measured confidence: share of camera-only regions that moved less');
  return el;
}

/** Words for the chip's tooltip and screen readers. */
export function auConfidenceWords(r: AnalysisResult, i: number): string | null {
  const v = r.confidence?.aus[i];
  return v === undefined ? null : t('measured confidence {0}', pct(v));
}

/** The lighting notice above the map: shown when the host found a lighting change on the face. */
export class LightingNotice {
  readonly root = h('div', 'lighting-notice');

  constructor() {
    this.root.setAttribute('role', 'note');
    this.root.hidden = true;
  }

  show(clip: ClipView | undefined): void {
    const l = clip?.lighting;
    this.root.hidden = !l;
    this.root.textContent = l ? l[uiVocab()] : '';
  }
}
