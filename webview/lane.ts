// A reasoning lane: source picker, stop/regenerate, the streamed answer with its checked claims, AU chips
// (marked by the claim check and by the annotation), the emotion with its badges, and the claim check in
// words. Hovering or focusing a claim or a chip lights its regions on the map and says why.
import type { AnalysisResult, AuCheck, AuRef, ClaimMark, ClipView, Lane, LaneAction, LaneActionId, PanelSettingsView, SourceKind, SourceSpec } from '../src/shared/protocol';
import { auName } from '../src/core/facs';
import { auReason, auVerdictWord, claimReason, statusWord } from './claims';
import { auConfidenceLabel, auConfidenceWords, emotionText, outcomeBadge } from './evidence';
import { h, icon, setLabel, toolButton } from './dom';
import { emotionName, onLanguage, t, uiVocab } from './l10n';
import { StreamView } from './stream';

export interface LaneHooks {
  analyze(lane: Lane, source: SourceSpec): void;
  stop(lane: Lane): void;
  highlight(regions: string[]): void;
  /** A lane's result changed (the agreement line listens). */
  changed(lane: Lane): void;
  /** One of the host's actions on a failed lane (Retry, Use built-in reasoner, Open settings). */
  action(lane: Lane, action: LaneActionId): void;
}

const fmtAu = (a: AuRef) => `${a.side ?? ''}AU${a.au}`;
const VERDICT_ICON: Record<string, string> = { supported: 'pass', contradicted: 'error', unconfirmed: 'question', measured: 'graph-line', 'not-checkable': 'circle-slash' };

export class LaneView {
  readonly root: HTMLElement;
  readonly stream: StreamView;
  private readonly select: HTMLElement & { value: string };
  private readonly label: HTMLElement;
  private readonly status: HTMLElement;
  private readonly statusIcon: HTMLElement;
  private readonly statusText: HTMLElement;
  private readonly chips: HTMLElement;
  private readonly emotion: HTMLElement;
  private readonly check: HTMLElement;
  private readonly detail: HTMLElement;
  private readonly actions: HTMLElement;
  private readonly labelEl: HTMLElement;
  private readonly stopBtn: HTMLButtonElement;
  private readonly regenBtn: HTMLButtonElement;
  private readonly md: HTMLElement;
  private readonly heading: HTMLElement;
  private clip: ClipView | null = null;
  private settings: PanelSettingsView | null = null;
  private preferred: SourceSpec = { kind: 'builtin' };
  private kind: SourceKind = 'builtin';
  private lastDone: { stop: string; incomplete: boolean; message?: string; totalMs: number } | null = null;
  private lastError: string | null = null;
  /** The last claim check, kept so a language change can word it again. */
  result: AnalysisResult | null = null;
  streaming = false;

  constructor(readonly lane: Lane, private readonly hooks: LaneHooks) {
    this.root = h('section', 'lane');
    this.root.dataset.lane = lane;
    this.heading = h('h2', 'sr-only');
    const head = h('div', 'lane-head');
    this.select = document.createElement('vscode-single-select') as HTMLElement & { value: string };
    this.select.className = 'source';
    this.label = h('span', 'lane-label');
    this.labelEl = this.label;
    this.actions = h('div', 'lane-actions');
    this.actions.hidden = true;
    this.status = h('span', 'lane-status');
    this.status.setAttribute('role', 'status');
    this.statusIcon = h('span', 'status-icon');
    this.statusText = h('span', 'status-text');
    this.status.append(this.statusIcon, this.statusText);
    this.regenBtn = toolButton({ icon: 'refresh', label: '', action: 'regen' });
    this.stopBtn = toolButton({ icon: 'debug-stop', label: '', action: 'stop' });
    this.stopBtn.addEventListener('click', () => this.clip && this.hooks.stop(this.lane));
    this.regenBtn.addEventListener('click', () => this.clip && this.hooks.analyze(this.lane, this.source()));
    head.append(this.select, this.regenBtn, this.stopBtn, this.status);
    const body = h('div', 'lane-body');
    body.tabIndex = 0;
    body.setAttribute('role', 'region');
    this.md = h('div', 'md');
    body.appendChild(this.md);
    this.stream = new StreamView(this.md);
    const foot = h('div', 'lane-foot');
    this.chips = h('div', 'chips');
    this.emotion = h('div', 'emotion');
    this.check = h('div', 'claim-check');
    this.detail = h('div', 'claim-detail');
    this.detail.setAttribute('aria-live', 'polite');
    foot.append(this.chips, this.emotion, this.check, this.detail);
    this.root.append(this.heading, head, this.label, this.actions, body, foot);
    this.bindClaimHover();
    this.setStreaming(false);
    this.relabel();
    onLanguage(() => {
      this.relabel();
      if (this.settings) this.setOptions(this.settings, this.preferred);
      if (this.lastDone) this.done(this.lastDone.stop, this.lastDone.incomplete, this.lastDone.message, this.lastDone.totalMs);
      if (this.result) this.showResult(this.result);
    });
  }

  private relabel(): void {
    // Lanes b and c are both compare lanes: each landmark needs its own name (axe landmark-unique).
    this.root.setAttribute('aria-label', this.lane === 'a' ? t('Answer') : this.lane === 'b' ? t('Compared answer') : t('Second compared answer'));
    this.heading.textContent = this.root.getAttribute('aria-label');
    // The element names its inner combobox from its `label` property.
    (this.select as HTMLElement & { label?: string }).label = t('Reasoning source');
    this.select.setAttribute('label', t('Reasoning source'));
    this.select.title = t('Reasoning source');
    setLabel(this.regenBtn, t('Regenerate'));
    setLabel(this.stopBtn, t('Stop'));
    this.md.parentElement!.setAttribute('aria-label', this.lane === 'a' ? t('Answer text') : this.lane === 'b' ? t('Compared answer text') : t('Second compared answer text'));
  }

  setOptions(s: PanelSettingsView, preferred: SourceSpec): void {
    this.settings = s;
    this.preferred = preferred;
    const current = this.select.value;
    const opts: [string, string, boolean][] = [['builtin', t('Built-in FACS reasoner'), false]];
    opts.push(['server', s.model ? t('MELLM server ({0})', s.model) : t('MELLM server'), !s.trusted]);
    for (const e of s.endpoints) opts.push([`server|${e}`, `MELLM @ ${e}`, !s.trusted]);
    const rt = s.regionText;
    opts.push(['region-text', rt?.model ? t('Region text → LLM ({0})', rt.model) : t('Region text → LLM'), !s.trusted]);
    for (const e of rt?.endpoints ?? []) opts.push([`region-text|${e}`, `Region text @ ${e}`, !s.trusted]);
    this.select.replaceChildren(
      ...opts.map(([value, text, disabled]) => {
        const o = document.createElement('vscode-option') as HTMLElement & { value: string; disabled: boolean };
        o.value = value;
        o.textContent = text + (disabled ? ` — ${t('restricted mode')}` : '');
        o.disabled = disabled;
        return o;
      }),
    );
    const want = preferred.kind === 'builtin' ? 'builtin' : preferred.endpoint ? `${preferred.kind}|${preferred.endpoint}` : preferred.kind;
    // The element upgrades asynchronously; set the value once its options exist. A re-sent init keeps the user's choice.
    const keep = current && opts.some(([v, , d]) => v === current && !d) ? current : undefined;
    queueMicrotask(() => (this.select.value = !s.trusted ? 'builtin' : keep ?? want));
  }

  source(): SourceSpec {
    const v = String(this.select.value || 'builtin');
    if (v === 'builtin') return { kind: 'builtin' };
    const bar = v.indexOf('|');
    const kind = bar < 0 ? v : v.slice(0, bar);
    const spec: SourceSpec = { kind: kind === 'region-text' ? 'region-text' : 'server' };
    return bar < 0 ? spec : { ...spec, endpoint: v.slice(bar + 1) };
  }

  setClip(clip: ClipView): void {
    if (this.clip?.clipId !== clip.clipId) this.clear();
    this.clip = clip;
  }

  private clear(): void {
    this.stream.reset();
    this.result = null;
    this.lastDone = null;
    this.lastError = null;
    this.chips.replaceChildren();
    this.emotion.replaceChildren();
    this.check.replaceChildren();
    this.detail.textContent = '';
    this.label.textContent = '';
    this.actions.replaceChildren();
    this.actions.hidden = true;
    this.setStatus('', '', '');
    this.hooks.changed(this.lane);
  }

  private setStatus(state: string, iconName: string, text: string): void {
    this.status.dataset.state = state;
    this.statusIcon.replaceChildren(...(iconName ? [icon(iconName)] : []));
    this.statusText.textContent = text;
  }

  start(label: string, kind: SourceKind): void {
    this.clear();
    this.kind = kind;
    this.label.textContent = label;
    // The picker already names the built-in reasoner; a server's label names the endpoint that answered.
    this.label.hidden = kind === 'builtin';
    // The built-in reasoner answers at once: no "streaming" label for it.
    if (kind !== 'builtin') this.setStatus('streaming', 'loading', t('streaming…'));
    this.root.dataset.kind = kind;
    this.setStreaming(true);
  }

  done(stop: string, incomplete: boolean, message: string | undefined, totalMs: number): void {
    this.lastDone = { stop, incomplete, message, totalMs };
    this.stream.flush();
    this.setStreaming(false);
    if (incomplete) this.setStatus('incomplete', 'warning', t('incomplete ({0})', stop) + (message ? `: ${message}` : ''));
    else {
      const time = totalMs < 1000 ? t('{0} ms', Math.max(1, Math.round(totalMs))) : t('{0} s', (totalMs / 1000).toFixed(1));
      this.setStatus('done', 'check', this.kind === 'builtin' ? t('answered in {0}', time) : t('done in {0}', time));
    }
  }

  /** The lane failed; the host's actions (in its order, with its labels) become buttons. */
  error(message: string, actions: readonly LaneAction[] = []): void {
    this.lastError = message;
    this.setStreaming(false);
    this.setStatus('error', 'error', message);
    this.actions.replaceChildren(
      ...actions.map((a, i) => {
        const b = h('button', i === 0 ? 'action primary' : 'action', a.label);
        b.type = 'button';
        b.dataset.action = a.id;
        b.addEventListener('click', () => this.hooks.action(this.lane, a.id));
        return b;
      }),
    );
    this.actions.hidden = actions.length === 0;
  }

  /** The source label of the last run ('' before one). */
  /** Who answered the current run ('builtin' before any). */
  get sourceKind(): SourceKind {
    return this.kind;
  }

  get sourceLabel(): string {
    return this.labelEl.textContent ?? '';
  }

  get errorMessage(): string | null {
    return this.lastError;
  }

  showResult(r: AnalysisResult): void {
    this.result = r;
    this.stream.setClaims(r.claims);
    this.titleMarks(r.claims);
    this.renderChips(r);
    this.renderEmotion(r);
    this.renderCheck(r.claims);
    this.hooks.changed(this.lane);
  }

  private titleMarks(claims: readonly ClaimMark[]): void {
    for (const m of this.md.querySelectorAll<HTMLElement>('mark.claim')) {
      const c = claims[Number(m.dataset.claim)];
      if (c) m.title = `${statusWord(c.status)}: ${claimReason(c)}`;
    }
  }

  private renderChips(r: AnalysisResult): void {
    const gt = this.clip?.groundTruth;
    const gtAus = new Set((gt?.aus ?? []).map((a) => a.au));
    const predicted = new Set(r.aus.map((a) => a.au));
    const chips: HTMLElement[] = [];
    r.aus.forEach((a, i) => {
      const check: AuCheck | undefined = r.auChecks?.[i];
      const c = h('button', 'chip au');
      c.type = 'button';
      c.dataset.au = String(a.au);
      const relation = gtAus.size ? (gtAus.has(a.au) ? 'match' : 'extra') : '';
      if (relation) c.classList.add(relation);
      if (check) {
        c.dataset.verdict = check.verdict;
        c.appendChild(icon(VERDICT_ICON[check.verdict]));
      }
      c.appendChild(h('span', 'chip-text', fmtAu(a)));
      const conf = auConfidenceLabel(r, i);
      if (conf) c.appendChild(conf);
      const regions = r.auRegions[String(a.au)] ?? [];
      const parts = [`${fmtAu(a)} ${auName(a.au, uiVocab())}`];
      if (check) parts.push(`${auVerdictWord(check.verdict)}: ${auReason(check)}`);
      const confWords = auConfidenceWords(r, i);
      if (confWords) parts.push(confWords);
      if (relation) parts.push(relation === 'match' ? t('in the annotation') : t('not in the annotation'));
      const words = parts.join(' — ');
      c.setAttribute('aria-label', words);
      c.title = words;
      const on = () => {
        this.hooks.highlight(regions);
        this.detail.textContent = words;
      };
      const off = () => {
        this.hooks.highlight([]);
        this.detail.textContent = '';
      };
      c.addEventListener('mouseenter', on);
      c.addEventListener('focus', on);
      c.addEventListener('mouseleave', off);
      c.addEventListener('blur', off);
      chips.push(c);
    });
    for (const a of gt?.aus ?? []) {
      if (predicted.has(a.au)) continue;
      const c = h('span', 'chip au missed', fmtAu(a));
      c.title = `${fmtAu(a)} ${auName(a.au, uiVocab())} — ${t('in the annotation, not in the answer')}`;
      c.setAttribute('aria-label', c.title);
      c.setAttribute('role', 'note');
      chips.push(c);
    }
    this.chips.setAttribute('aria-label', t('Action units'));
    this.chips.setAttribute('role', 'group');
    this.chips.replaceChildren(...chips);
  }

  private renderEmotion(r: AnalysisResult): void {
    const gt = this.clip?.groundTruth;
    const gtAus = new Set((gt?.aus ?? []).map((a) => a.au));
    const pred = h('span', 'emo-pred', emotionText(r));
    const parts: HTMLElement[] = [pred];
    if (gt?.emotion) {
      const match = r.emotion === gt.emotion;
      const kind = r.emotion === 'unparsed' ? 'unparsed' : match ? 'match' : 'mismatch';
      const badge = h('span', `badge ${kind}`);
      badge.append(icon(kind === 'match' ? 'pass' : kind === 'mismatch' ? 'error' : 'question'));
      badge.append(h('span', '', kind === 'unparsed' ? outcomeBadge(r) || t('unparsed') : match ? t('matches the label') : t('label: {0}', emotionName(gt.emotion))));
      parts.push(badge);
    }
    if (gtAus.size) {
      const hits = r.aus.filter((a) => gtAus.has(a.au)).length;
      const aub = h('span', 'badge aus', t('AUs {0}/{1} of the annotation', hits, gtAus.size));
      aub.classList.add(hits === gtAus.size && r.aus.length === hits ? 'match' : hits > 0 ? 'partial' : 'mismatch');
      parts.push(aub);
    }
    this.emotion.replaceChildren(...parts);
  }

  /** The claim check in words: counts, then every contradicted claim with its reason (hover lights the region). */
  private renderCheck(claims: readonly ClaimMark[]): void {
    const n = (s: string) => claims.filter((c) => c.status === s).length;
    if (claims.length === 0) {
      this.check.replaceChildren(h('div', 'check-summary', t('Claim check: no region claims found in the answer.')));
      return;
    }
    const counts: string[] = [];
    if (n('contradicted')) counts.push(t('{0} contradicted', n('contradicted')));
    if (n('supported')) counts.push(t('{0} supported', n('supported')));
    if (n('measured')) counts.push(t('{0} restate the measurement', n('measured')));
    if (n('not-checkable')) counts.push(t('{0} not checkable', n('not-checkable')));
    const summary = h('div', 'check-summary', `${t('Claim check')}: ${counts.join(' · ')}`);
    const items = claims
      .map((c, i) => ({ c, i }))
      .filter(({ c }) => c.status === 'contradicted')
      .map(({ c, i }) => {
        const li = h('li', 'claim-item');
        const b = h('button', 'claim-link');
        b.type = 'button';
        b.dataset.claim = String(i);
        const quote = this.stream.value.slice(c.start, c.end).trim();
        b.append(icon('error'), h('span', 'claim-quote', `“${quote.length > 60 ? quote.slice(0, 59) + '…' : quote}”`));
        li.append(b, h('span', 'claim-why', claimReason(c)));
        return li;
      });
    const list = h('ul', 'claim-list');
    list.append(...items);
    this.check.replaceChildren(summary, ...(items.length ? [list] : []));
  }

  /** Claims in the text and in the list: hover or focus lights the claim's regions and words the reason. */
  private bindClaimHover(): void {
    const claimOf = (e: Event): ClaimMark | null => {
      const el = (e.target as HTMLElement | null)?.closest?.('[data-claim]') as HTMLElement | null;
      return el && this.result ? this.result.claims[Number(el.dataset.claim)] ?? null : null;
    };
    const on = (e: Event) => {
      const c = claimOf(e);
      if (!c) return;
      this.hooks.highlight(c.regions ?? (c.region ? [c.region] : []));
      this.detail.textContent = `${statusWord(c.status)}: ${claimReason(c)}`;
      this.root.querySelectorAll(`mark[data-claim="${Number((e.target as HTMLElement).closest('[data-claim]')!.getAttribute('data-claim'))}"]`).forEach((m) => m.classList.add('hot'));
    };
    const off = (e: Event) => {
      if (!claimOf(e)) return;
      this.hooks.highlight([]);
      this.detail.textContent = '';
      this.root.querySelectorAll('mark.hot').forEach((m) => m.classList.remove('hot'));
    };
    for (const root of [this.md, this.check]) {
      root.addEventListener('mouseover', on);
      root.addEventListener('mouseout', off);
      root.addEventListener('focusin', on);
      root.addEventListener('focusout', off);
    }
    this.check.addEventListener('click', (e) => {
      const b = (e.target as HTMLElement).closest('[data-claim]');
      const m = b && this.md.querySelector(`mark[data-claim="${b.getAttribute('data-claim')}"]`);
      m?.scrollIntoView({ block: 'center' });
    });
  }

  private setStreaming(on: boolean): void {
    this.streaming = on;
    this.root.classList.toggle('streaming', on);
    this.stopBtn.disabled = !on;
    this.regenBtn.disabled = on;
  }
}
