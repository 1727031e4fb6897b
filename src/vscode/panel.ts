// The MELLM panel host: one WebviewPanel (strict CSP with a nonce, resource roots limited to the
// extension's media/ and dist/: frames and maps travel as data: URLs, so the roots never change and a new
// clip never reloads the page), validated messages both ways, map loading through the content-hash cache,
// reasoning lanes with stop/regenerate, dataset navigation, the scrubber's frames and apex curve, the
// user's nose point, report export, and a serializer so the panel comes back after a window reload.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { PROTOCOL_VERSION, parsePersistedState, parseWebviewMessage, type ApexCurvePoint, type ClipView, type HostMessage, type Lane, type LaneAction, type LaneActionId, type SourceSpec, type WebviewMessage } from '../shared/protocol';
import { resolvePrompt, sha256Utf8 } from '../core/reasoning/prompts';
import { buildRegionTextPrompt } from '../core/reasoning/regionText';
import { BuiltinReasoner } from '../core/reasoning/reasoner';
import type { ReasoningSource } from '../core/reasoning/source';
import type { RegionMotionReport } from '../core/reasoning/regionMotion';
import { runLane } from './analysis';
import { loadClipData, renderAtNose, type ClipData } from './clipPipeline';
import { apexCurve, resolvePair, type PairChoice } from './clipFrames';
import { buildClipView, flowView } from './clipView';
import { listForRef, type ClipList } from './clips';
import { exportClipReport } from './clipExport';
import { builtinLanguage, t, uiLanguage, webviewBundle } from './l10n';
import { panelEvents } from './panelEvents';
import { makeNonce, panelHtml } from './panelHtml';
import { cacheDir, isTrusted, readSettings, regionTextSource, serverClient, type MellmSettings } from './settings';

export const PANEL_VIEW_TYPE = 'mellm.panel';
/** The longest the flow and the first analysis wait for the map to be reported on screen. */
const AFTER_SHOWN_MS = 1500;

interface LaneRun {
  ctrl: AbortController;
  text?: string;
  label?: string;
  kind?: SourceSpec['kind'];
  incomplete?: boolean;
  /** Which prompt the answer was given (preset and SHA-256 of the text; the report names them). */
  prompt?: { preset: string; sha256: string };
  done: Promise<string | null>;
}

/** What the extension-host tests read back. */
export interface PanelSnapshot {
  clipId?: string;
  mapShownMs?: number;
  /** The clip whose map that was (the webview can re-report an earlier clip's image). */
  mapShownClip?: string;
  /** Command -> clip data ready (cache read or compute), and -> clip message posted, ms. */
  dataReadyMs?: number;
  postedMs?: number;
  mapCached?: boolean;
  /** The last failure loading the clip. */
  error?: string;
  /** The panel's log lines since the last clip load (tests check they name the right clip). */
  log: string[];
  /** The scrubber's frames as last sent. */
  frames?: ClipView['frames'];
  lanes: Partial<Record<Lane, { label?: string; text?: string; error?: string; actions?: string[] }>>;
}

export class MellmPanel {
  static current: MellmPanel | undefined;
  private list: ClipList | null = null;
  private data: ClipData | null = null;
  private clipView: ClipView | null = null;
  private ready = false;
  /** The first analysis waits for the webview's 'ready' so no streamed text is posted into the void. */
  private autoPending = false;
  private readonly lanes = new Map<Lane, LaneRun>();
  /** The source each lane last ran, for Retry. */
  private readonly lastSpec = new Map<Lane, SourceSpec>();
  private loadCtrl: AbortController | null = null;
  private commandT0 = 0;
  /** Set when a clip message is posted for the current command; cleared once its map is on screen. */
  private awaitingShown: string | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  readonly snapshot: PanelSnapshot = { lanes: {}, log: [] };
  /** Frames the user chose per clip (scrubber), kept while the panel lives. */
  private readonly choices = new Map<string, PairChoice>();
  /** The onset file of the pair on screen (the nose re-render decodes it). */
  private onsetFile = '';
  private apexFile = '';
  private curveCtrl: AbortController | null = null;
  /** Apex curves seen in this panel, by clip and onset frame (the scrubber keeps its curve across apex choices). */
  private readonly curves = new Map<string, ApexCurvePoint[]>();
  /** Resolved each time a lane finishes (tests wait on it). */
  private laneWaiters: ((lane: Lane) => void)[] = [];

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
  ) {
    const nonce = makeNonce((n) => randomBytes(n));
    const w = panel.webview;
    w.html = panelHtml({
      cspSource: w.cspSource,
      nonce,
      scriptUri: w.asWebviewUri(vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview.js')).toString(),
      styleUri: w.asWebviewUri(vscode.Uri.joinPath(context.extensionUri, 'media', 'panel.css')).toString(),
      codiconUri: w.asWebviewUri(vscode.Uri.joinPath(context.extensionUri, 'dist', 'codicons', 'codicon.css')).toString(),
    });
    this.disposables.push(
      w.onDidReceiveMessage((m) => this.onMessage(m)),
      panel.onDidDispose(() => this.dispose()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.sendInit()),
      // Language, sources, endpoints: the panel follows a later change without a reload.
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('mellm') && this.ready && this.sendInit()),
      // Keybindings (next/previous clip, compare, export) are scoped to the panel being the active editor.
      panel.onDidChangeViewState((e) => void vscode.commands.executeCommand('setContext', 'mellm.panelActive', e.webviewPanel.active)),
    );
    void vscode.commands.executeCommand('setContext', 'mellm.panelOpen', true);
    void vscode.commands.executeCommand('setContext', 'mellm.panelActive', panel.active);
  }

  /** Fixed for the panel's life: changing a webview's options reloads its page. */
  static options(context: vscode.ExtensionContext): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    const roots = [vscode.Uri.joinPath(context.extensionUri, 'media'), vscode.Uri.joinPath(context.extensionUri, 'dist')];
    return { enableScripts: true, retainContextWhenHidden: true, localResourceRoots: roots, enableFindWidget: true };
  }

  /** Open (or reuse) the panel on a clip list; `t0` is when the command started (for the latency log). */
  static async show(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, list: ClipList, t0 = performance.now()): Promise<MellmPanel> {
    let p = MellmPanel.current;
    if (!p) {
      const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, 'MELLM', vscode.ViewColumn.Active, MellmPanel.options(context));
      panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'icon.svg');
      p = new MellmPanel(panel, context, log);
      MellmPanel.current = p;
    } else {
      p.panel.reveal(undefined, false);
    }
    p.commandT0 = t0;
    p.list = list;
    await p.loadCurrent();
    return p;
  }

  /** The serializer's entry: re-open the clip the panel showed before the reload. */
  static async revive(panel: vscode.WebviewPanel, state: unknown, context: vscode.ExtensionContext, log: vscode.LogOutputChannel): Promise<void> {
    const s = parsePersistedState(state);
    panel.webview.options = MellmPanel.options(context);
    const p = new MellmPanel(panel, context, log);
    MellmPanel.current = p;
    if (!s?.clipRef) return;
    try {
      p.list = await listForRef(s.clipRef);
      await p.loadCurrent();
    } catch (e) {
      log.warn(`could not restore the MELLM panel: ${(e as Error).message}`);
      p.post({ type: 'notice', level: 'warning', message: t('The clip shown before the reload could not be reopened: {0}', (e as Error).message) });
    }
  }

  /** Wait until `lane` finishes its current run (tests). */
  waitForLane(lane: Lane, timeoutMs = 60_000): Promise<void> {
    const run = this.lanes.get(lane);
    const done = run ? run.done.then(() => undefined) : new Promise<void>((res) => this.laneWaiters.push((l) => l === lane && res()));
    return Promise.race([done, new Promise<void>((_, rej) => setTimeout(() => rej(new Error(`lane ${lane} did not finish in ${timeoutMs} ms`)), timeoutMs))]);
  }

  private post(m: HostMessage): void {
    void this.panel.webview.postMessage(m);
  }

  private sendInit(): void {
    const s = readSettings();
    const trusted = isTrusted();
    const def: SourceSpec = s.defaultReasoner === 'server' && trusted && s.endpoints.length ? { kind: 'server' } : { kind: 'builtin' };
    this.post({
      type: 'init',
      version: PROTOCOL_VERSION,
      settings: {
        lang: s.language,
        uiLang: uiLanguage(),
        l10n: webviewBundle(),
        trusted,
        defaultSource: def,
        endpoints: s.endpoints,
        model: s.model,
        regionText: { endpoints: s.regionText.endpoints, ...(s.regionText.model ? { model: s.regionText.model } : {}) },
      },
    });
  }

  private onMessage(raw: unknown): void {
    const parsed = parseWebviewMessage(raw);
    if (!parsed.ok) {
      this.log.warn(`panel message dropped: ${parsed.error}`);
      return;
    }
    const m: WebviewMessage = parsed.value;
    switch (m.type) {
      case 'ready':
        this.ready = true;
        this.sendInit();
        // A (re)started page gets the clip again; lane a runs once per load.
        if (this.clipView && this.autoPending) {
          this.autoPending = false;
          this.postClip();
        } else if (this.clipView && this.data) {
          this.post({ type: 'clip', clip: this.clipView });
          this.post({ type: 'flow', clipId: this.clipView.clipId, flow: flowView(this.data.flow) });
        }
        return;
      case 'setFrames':
        if (m.clipId === this.clipView?.clipId) void this.setFrames(m.onset, m.apex);
        return;
      case 'setNose':
        if (m.clipId === this.clipView?.clipId) void this.setNose(m.nose);
        return;
      case 'analyze':
        if (m.clipId === this.clipView?.clipId) void this.analyze(m.lane, m.source);
        return;
      case 'stop':
        this.lanes.get(m.lane)?.ctrl.abort();
        return;
      case 'navigate':
        void this.navigate(m.delta);
        return;
      case 'export':
        void this.exportReport();
        return;
      case 'openSettings':
        void vscode.commands.executeCommand('workbench.action.openSettings', '@ext:mellm-studio.mellm-studio mellm.');
        return;
      case 'mapShown': {
        this.fireShown(m.clipId);
        // Only the map of the clip posted for the current command counts: an earlier clip's image can
        // report again (a webview reload) while the next clip is still computing.
        if (m.clipId !== this.clipView?.clipId || m.clipId !== this.awaitingShown || !this.commandT0) return;
        const ms = performance.now() - this.commandT0;
        this.snapshot.mapShownMs = ms;
        this.snapshot.mapShownClip = m.clipId;
        this.awaitingShown = undefined;
        this.info(`clip ${m.clipId}: map on screen ${ms.toFixed(0)} ms after the command (${this.data?.cached ? 'cached' : 'computed'})`);
        this.commandT0 = 0;
        return;
      }
      case 'log':
        (m.level === 'error' ? this.log.warn : this.log.info).call(this.log, `panel: ${m.message}`);
        return;
      case 'laneAction':
        if (m.clipId === this.clipView?.clipId) void this.laneAction(m.lane, m.action);
        return;
    }
  }

  /** A failed lane's button: try the same source again, answer with the built-in reasoner, or fix the settings. */
  async laneAction(lane: Lane, action: LaneActionId): Promise<void> {
    this.log.info(`lane ${lane}: ${action}`);
    if (action === 'openSettings') {
      await vscode.commands.executeCommand('workbench.action.openSettings', this.lastSpec.get(lane)?.kind === 'region-text' ? 'mellm.regionText' : 'mellm.endpoints');
      return;
    }
    const spec = action === 'useBuiltin' ? { kind: 'builtin' as const } : (this.lastSpec.get(lane) ?? this.defaultSource());
    await this.analyze(lane, spec);
  }

  /** Show or hide the Compare lane, as the toolbar button does (command / keybinding). */
  toggleCompare(): void {
    this.post({ type: 'panelCommand', command: 'compare' });
  }

  async navigate(delta: 1 | -1): Promise<void> {
    if (!this.list) return;
    const i = this.list.index + delta;
    if (i < 0 || i >= this.list.entries.length) return;
    this.list.index = i;
    this.commandT0 = performance.now();
    await this.loadCurrent();
  }

  private info(line: string): void {
    this.snapshot.log.push(line);
    this.log.info(line);
  }

  private async loadCurrent(): Promise<void> {
    const list = this.list;
    if (!list) return;
    const e = list.entries[list.index];
    for (const run of this.lanes.values()) run.ctrl.abort();
    this.lanes.clear();
    this.loadCtrl?.abort();
    this.curveCtrl?.abort();
    const ctrl = new AbortController();
    this.loadCtrl = ctrl;
    this.panel.title = `MELLM · ${e.title}`;
    const s = readSettings();
    this.snapshot.clipId = e.id;
    this.snapshot.lanes = {};
    this.snapshot.log = [];
    this.snapshot.error = undefined;
    panelEvents.clipShown.fire({ clipId: e.id, ref: e.ref, index: list.index, total: list.entries.length });
    this.snapshot.mapShownMs = undefined;
    this.snapshot.mapShownClip = undefined;
    this.awaitingShown = undefined;
    try {
      // Tell the panel something is coming when the map is not ready almost at once.
      const slow = setTimeout(() => this.post({ type: 'mapStatus', clipId: e.id, phase: 'computing' }), 150);
      let data: ClipData;
      let pair: Awaited<ReturnType<typeof resolvePair>>;
      try {
        pair = await resolvePair(e, this.choices.get(e.id), { signal: ctrl.signal, device: s.device });
        data = await loadClipData(pair.onset, pair.apex, { cacheDir: cacheDir(this.context, s), device: s.device, signal: ctrl.signal });
      } finally {
        clearTimeout(slow);
      }
      if (ctrl.signal.aborted) return;
      this.snapshot.dataReadyMs = performance.now() - this.commandT0;
      this.data = data;
      this.onsetFile = pair.onset;
      this.apexFile = pair.apex;
      this.snapshot.mapCached = data.cached;
      this.clipView = buildClipView(
        { clipId: e.id, title: e.title, ref: e.ref, index: list.index, total: list.entries.length, groundTruth: e.groundTruth, warnings: pair.warnings, frames: pair.frames, noseFrom: 'landmarks' },
        data,
      );
      const frames = pair.frames ? `, frames ${pair.frames.onset} -> ${pair.frames.apex} (${pair.frames.apexFrom})` : '';
      this.info(`clip ${e.id}: map ${data.cached ? 'from cache' : 'computed'} in ${data.ms.toFixed(0)} ms (${data.width}x${data.height})${frames}`);
      if (pair.curve && pair.frames) this.curves.set(`${e.id}|${pair.frames.onset}`, pair.curve);
      const known = pair.frames && this.curves.get(`${e.id}|${pair.frames.onset}`);
      if (pair.frames && known) this.clipView.frames = { ...pair.frames, curve: known };
      this.snapshot.frames = this.clipView.frames;
      if (this.ready) this.postClip(s);
      else this.autoPending = true;
      if (pair.frames && !known && e.clip) void this.loadCurve(e.id, pair.frames.onset);
    } catch (err) {
      if (ctrl.signal.aborted) return;
      const msg = `${e.title}: ${(err as Error).message}`;
      this.snapshot.error = msg;
      this.log.error(msg);
      this.post({ type: 'mapStatus', clipId: e.id, phase: 'error', message: msg });
      void vscode.window.showErrorMessage(`MELLM: ${msg}`);
    }
  }

  /**
   * The clip to the panel; once its map is on screen (or after AFTER_SHOWN_MS at the latest) the flow
   * (half a megabyte for 280x340) and lane a's analysis follow, so neither competes with the map's decode.
   */
  private postClip(s = readSettings()): void {
    const view = this.clipView;
    if (!view || !this.data) return;
    this.awaitingShown = view.clipId;
    this.post({ type: 'clip', clip: view });
    this.snapshot.postedMs = performance.now() - this.commandT0;
    this.afterShown(view.clipId, () => {
      if (this.clipView !== view || !this.data) return;
      this.post({ type: 'flow', clipId: view.clipId, flow: flowView(this.data.flow) });
      void this.analyze('a', this.defaultSource(s));
    });
  }

  private shownWaiter: { clipId: string; run: () => void; timer: NodeJS.Timeout } | null = null;

  private afterShown(clipId: string, run: () => void): void {
    if (this.shownWaiter) clearTimeout(this.shownWaiter.timer);
    const timer = setTimeout(() => this.fireShown(clipId), AFTER_SHOWN_MS);
    this.shownWaiter = { clipId, run, timer };
  }

  private fireShown(clipId: string): void {
    const w = this.shownWaiter;
    if (!w || w.clipId !== clipId) return;
    clearTimeout(w.timer);
    this.shownWaiter = null;
    w.run();
  }

  /** The apex-spotting curve for the scrubber, in the background (cached on disk; aborted by navigation). */
  private async loadCurve(clipId: string, onsetFrame: number): Promise<void> {
    const e = this.list?.entries[this.list.index];
    if (!e?.clip || e.id !== clipId) return;
    this.curveCtrl?.abort();
    const ctrl = new AbortController();
    this.curveCtrl = ctrl;
    const s = readSettings();
    try {
      const t0 = performance.now();
      const curve = await apexCurve(e.clip, onsetFrame, { cacheDir: cacheDir(this.context, s), region: this.data?.face?.box ?? null, signal: ctrl.signal, device: s.device });
      if (ctrl.signal.aborted || this.clipView?.clipId !== clipId) return;
      this.curves.set(`${clipId}|${onsetFrame}`, curve);
      if (this.clipView.frames) this.clipView.frames = { ...this.clipView.frames, curve };
      this.snapshot.frames = this.clipView.frames;
      this.post({ type: 'apexCurve', clipId, curve });
      this.info(`clip ${clipId}: apex curve over ${curve.length} frames in ${(performance.now() - t0).toFixed(0)} ms`);
    } catch (err) {
      if (!ctrl.signal.aborted) this.log.warn(`clip ${clipId}: the apex curve could not be computed: ${(err as Error).message}`);
    }
  }

  /** Scrubber: show the clip with these frames (a cache hit when seen before) and analyse it again. */
  async setFrames(onset: number, apex: number): Promise<void> {
    const e = this.list?.entries[this.list.index];
    if (!e) return;
    this.choices.set(e.id, { onset, apex });
    this.commandT0 = performance.now();
    await this.loadCurrent();
  }

  /** The user moved the nose point (null: back to the landmarks' point): re-render from the stored flow. */
  async setNose(nose: { x: number; y: number } | null): Promise<void> {
    const view = this.clipView;
    const data = this.data;
    if (!view || !data) return;
    if (nose === null) return this.loadCurrent();
    const s = readSettings();
    try {
      const d = await renderAtNose(this.onsetFile, data, nose, { device: s.device });
      if (this.clipView !== view) return;
      this.data = d;
      this.clipView = { ...buildClipView({ ...view, warnings: view.warnings.filter((w) => !data.warnings.includes(w)) }, d), noseFrom: 'user' };
      this.info(`clip ${view.clipId}: map re-rendered with the nose window at (${d.nose?.x}, ${d.nose?.y}) in ${d.ms.toFixed(0)} ms`);
      this.postClip(s);
    } catch (err) {
      this.post({ type: 'notice', level: 'error', message: `${view.title}: ${(err as Error).message}` });
    }
  }

  /** What a failed lane offers: Retry always; for a server also the built-in reasoner and the settings. */
  private errorActions(spec: SourceSpec): LaneAction[] {
    const retry: LaneAction = { id: 'retry', label: t('Retry') };
    if (spec.kind === 'builtin') return [retry];
    return [retry, { id: 'useBuiltin', label: t('Use built-in reasoner') }, { id: 'openSettings', label: t('Open settings') }];
  }

  private defaultSource(s = readSettings()): SourceSpec {
    return s.defaultReasoner === 'server' && isTrusted() && s.endpoints.length > 0 ? { kind: 'server' } : { kind: 'builtin' };
  }

  private async sourceFor(spec: SourceSpec): Promise<ReasoningSource<RegionMotionReport>> {
    if (spec.kind === 'builtin') return new BuiltinReasoner();
    const s = readSettings();
    if (spec.kind === 'region-text') return (await regionTextSource(this.context, s, this.log, spec)) as ReasoningSource<RegionMotionReport>;
    return (await serverClient(this.context, s, this.log, spec)) as ReasoningSource<RegionMotionReport>;
  }

  /**
   * MELLM and the built-in reasoner get the mellm.prompt preset (default: main.py's prompt); the region-text
   * lane the measured regions as text.
   */
  private promptFor(spec: SourceSpec, s: MellmSettings, data: ClipData): { text: string; preset: string; sha256: string } {
    if (spec.kind !== 'region-text') return resolvePrompt({ preset: s.prompt });
    if (!data.regionStats) throw new Error('No face was found on the onset frame, so there are no region statistics for the region-text lane to send.');
    const text = buildRegionTextPrompt(data.regionStats, { lang: s.language });
    return { text, preset: 'region-text', sha256: sha256Utf8(text) };
  }

  /** Start (or restart) a lane; the webview's Regenerate/Compare buttons and the tests call it. */
  async analyze(lane: Lane, spec: SourceSpec): Promise<void> {
    const view = this.clipView;
    const data = this.data;
    if (!view || !data) return;
    this.lanes.get(lane)?.ctrl.abort();
    this.lastSpec.set(lane, spec);
    this.snapshot.lanes[lane] = {};
    const ctrl = new AbortController();
    const s = readSettings();
    const actions = this.errorActions(spec);
    // The lane is this run's from now on: a second Analyze while the source is being made (the key is
    // read asynchronously) replaces it, and only the current run of a lane may post into it.
    let finish: (text: string | null) => void = () => undefined;
    const run: LaneRun = { ctrl, kind: spec.kind, done: new Promise<string | null>((r) => (finish = r)) };
    this.lanes.set(lane, run);
    const current = () => this.lanes.get(lane) === run && !ctrl.signal.aborted;
    let source: ReasoningSource<RegionMotionReport>;
    let prompt: { text: string; preset: string; sha256: string };
    try {
      source = await this.sourceFor(spec);
      prompt = this.promptFor(spec, s, data);
    } catch (e) {
      if (current()) {
        this.post({ type: 'streamError', clipId: view.clipId, lane, message: (e as Error).message, actions });
        this.snapshot.lanes[lane] = { error: (e as Error).message, actions: actions.map((x) => x.id) };
      }
      this.laneWaiters.forEach((w) => w(lane));
      finish(null);
      return;
    }
    if (!current()) return finish(null);
    run.prompt = { preset: prompt.preset, sha256: prompt.sha256 };
    // The server gets the mellm.prompt preset; the built-in reasoner answers in the UI's language.
    const lang = spec.kind === 'builtin' ? builtinLanguage() : s.language;
    const ui = uiLanguage();
    const label = spec.kind === 'builtin' ? t('Built-in FACS reasoner') : source.label;
    run.label = label;
    void runLane({
      clipId: view.clipId,
      lane,
      source,
      label,
      request: { mapPng: data.mapPng, prompt: prompt.text, lang, task: 'meu', motion: data.motion ?? undefined },
      post: (m) => {
        if (this.lanes.get(lane) !== run) return;
        if (m.type === 'streamDone') run.incomplete = m.incomplete;
        this.post(m);
      },
      signal: ctrl.signal,
      log: (l) => this.info(l),
      errorActions: actions,
      labels: { lang: ui, unparsed: t('unparsed') },
      onOutcome: (o) => {
        if (spec.kind === 'server') panelEvents.serverOutcome.fire(o.ok ? { ok: true } : { ok: false, message: (o.error as Error).message, code: (o.error as { code?: string }).code });
        if (!o.ok && this.lanes.get(lane) === run) this.snapshot.lanes[lane] = { label, error: (o.error as Error).message, actions: actions.map((x) => x.id) };
      },
    }).then((text) => {
      if (text !== null) run.text = text;
      if (this.lanes.get(lane) === run) {
        this.snapshot.lanes[lane] = { ...this.snapshot.lanes[lane], label, text: text ?? undefined };
        panelEvents.laneFinished.fire({ clipId: view.clipId, ref: view.ref, lane, kind: spec.kind, ok: text !== null });
      }
      this.laneWaiters.forEach((w) => w(lane));
      finish(text);
    });
  }

  /** Write the clip's report folder (frames, map, .flo, report.md with claim verdicts) under mellm-reports/. */
  async exportReport(): Promise<string[]> {
    const view = this.clipView;
    const data = this.data;
    const entry = this.list?.entries[this.list.index];
    if (!view || !data || !entry) return [];
    const lanes = [...this.lanes.values()].filter((r) => r.text).map((r) => ({ label: r.label ?? '', text: r.text!, incomplete: r.incomplete, restates: r.kind === 'builtin', prompt: r.prompt }));
    try {
      const files = await exportClipReport({ view, data, entry, onsetPath: this.onsetFile, apexPath: this.apexFile, lanes });
      this.post({ type: 'exported', files });
      return files;
    } catch (err) {
      const msg = (err as Error).message;
      this.log.error(`export ${view.clipId}: ${msg}`);
      this.post({ type: 'notice', level: 'error', message: msg });
      void vscode.window.showErrorMessage(`MELLM: ${msg}`);
      return [];
    }
  }

  dispose(): void {
    for (const run of this.lanes.values()) run.ctrl.abort();
    this.loadCtrl?.abort();
    if (this.shownWaiter) clearTimeout(this.shownWaiter.timer);
    if (MellmPanel.current === this) {
      MellmPanel.current = undefined;
      void vscode.commands.executeCommand('setContext', 'mellm.panelOpen', false);
      void vscode.commands.executeCommand('setContext', 'mellm.panelActive', false);
    }
    this.disposables.forEach((d) => d.dispose());
  }
}
