// The agreement line: for every lane with a result, its emotion and AUs against the annotation, and, when
// two or more lanes answered, whether they agree with each other. General over the lanes present.
import type { AnalysisResult, AuRef, ClipView, Lane } from '../src/shared/protocol';
import { h, icon } from './dom';
import { emotionName, onLanguage, t } from './l10n';

export interface LaneResult {
  lane: Lane;
  /** Short name shown for the lane ("Answer", "Compared", or the source label). */
  name: string;
  result: AnalysisResult;
}

const auKey = (a: AuRef) => a.au;
const fmtSet = (s: Set<number>) => (s.size ? [...s].sort((a, b) => a - b).map((n) => `AU${n}`).join('+') : t('no AU'));

export class AgreementLine {
  readonly root = h('div', 'agreement');
  private clip: ClipView | null = null;
  private results: LaneResult[] = [];

  constructor() {
    this.root.setAttribute('role', 'status');
    this.root.hidden = true;
    onLanguage(() => this.render());
  }

  setClip(c: ClipView): void {
    if (this.clip?.clipId !== c.clipId) this.results = [];
    this.clip = c;
    this.render();
  }

  setResults(r: LaneResult[]): void {
    this.results = r;
    this.render();
  }

  private render(): void {
    const gt = this.clip?.groundTruth;
    const gtAus = new Set((gt?.aus ?? []).map(auKey));
    const rs = this.results;
    this.root.hidden = rs.length === 0;
    if (!rs.length) return;
    this.root.setAttribute('aria-label', t('Agreement'));
    const parts: HTMLElement[] = [h('span', 'agree-title', t('Agreement'))];
    for (const r of rs) {
      const aus = new Set(r.result.aus.map(auKey));
      const emo = r.result.emotion;
      const item = h('span', 'agree-lane');
      item.dataset.lane = r.lane;
      const emoWord = emo === 'unparsed' ? t('no emotion') : r.result.emotionLabel ?? emotionName(emo);
      item.append(h('span', 'agree-name', `${r.name}:`), document.createTextNode(` ${emoWord} · ${fmtSet(aus)}`));
      if (gt?.emotion) {
        const ok = emo === gt.emotion;
        const b = h('span', `agree-mark ${ok ? 'match' : 'mismatch'}`);
        b.append(icon(ok ? 'pass' : 'error'), h('span', '', ok ? t('emotion as annotated') : t('emotion differs')));
        item.append(b);
      }
      if (gtAus.size) {
        const hits = [...aus].filter((a) => gtAus.has(a)).length;
        const cls = hits === gtAus.size && aus.size === hits ? 'match' : hits > 0 ? 'partial' : 'mismatch';
        item.append(h('span', `agree-mark ${cls}`, t('AUs {0}/{1}', hits, gtAus.size)));
      }
      parts.push(item);
    }
    if (rs.length >= 2) {
      const emos = new Set(rs.map((r) => r.result.emotion));
      const sets = rs.map((r) => new Set(r.result.aus.map(auKey)));
      const shared = new Set([...sets[0]].filter((a) => sets.every((s) => s.has(a))));
      const all = new Set(sets.flatMap((s) => [...s]));
      const same = emos.size === 1;
      const between = h('span', `agree-lanes ${same ? 'match' : 'mismatch'}`);
      between.append(
        icon(same ? 'pass' : 'error'),
        h('span', '', `${same ? t('lanes agree on the emotion') : t('lanes differ on the emotion')} · ${t('AUs shared: {0} of {1}', shared.size, all.size)}`),
      );
      parts.push(between);
    }
    if (gt?.emotion || gtAus.size) {
      const ann = h('span', 'agree-gt', `${t('Annotation')}: ${gt?.emotion ? emotionName(gt.emotion) : '—'} · ${gtAus.size ? fmtSet(gtAus) : '—'}`);
      parts.push(ann);
    }
    this.root.replaceChildren(...parts);
  }
}
