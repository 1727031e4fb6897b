// The one message protocol between the extension host (src/vscode/panel*.ts) and the panel (webview/),
// in src/shared because both sides import it (as vscode-hexeditor does with its shared/ folder).
// Pure TypeScript: no 'vscode', no Node. Both sides validate every message they RECEIVE with
// parseHostMessage / parseWebviewMessage before acting on it; anything malformed is dropped and logged.
// Images cross as data: URLs (PNG) so BMP frames, cached maps and the sample clip all render the same way.

export const PROTOCOL_VERSION = 1;

export type Lane = 'a' | 'b';
export type SourceKind = 'builtin' | 'server';
export type ClaimStatus = 'supported' | 'contradicted' | 'not-checkable';
export type MapPhase = 'computing' | 'ready' | 'error';

/** Which reasoning source a lane uses. endpoint/model only for 'server' (absent = settings). */
export interface SourceSpec {
  kind: SourceKind;
  endpoint?: string;
  model?: string;
}

export interface AuRef {
  au: number;
  side?: 'L' | 'R';
}

export interface RegionOutline {
  name: string;
  /** Polygon in image pixels. */
  points: [number, number][];
}

/** A claim the answer makes about a region, located by character span in the streamed text. */
export interface ClaimMark {
  start: number;
  end: number;
  status: ClaimStatus;
  region?: string;
  /** One line shown as the mark's tooltip (what was measured). */
  note?: string;
}

/** Where a clip came from, so a restored panel (after a window reload) can re-open it. */
export type ClipRef =
  | { kind: 'folder'; folder: string }
  | { kind: 'pair'; onset: string; apex: string }
  | { kind: 'dataset'; root: string; clipId: string };

export interface ClipView {
  clipId: string;
  ref?: ClipRef;
  title: string;
  /** Position in the dataset (0-based) and its size; total 1 for a lone clip. */
  index: number;
  total: number;
  width: number;
  height: number;
  onset: string;
  apex: string;
  /** Present once the MMC-Map is ready. */
  map?: string;
  flowOnly?: string;
  head?: { u: number; v: number };
  nose?: { x: number; y: number };
  landmarks?: [number, number][];
  regions?: RegionOutline[];
  groundTruth?: { emotion?: string; aus?: AuRef[] };
  warnings: string[];
  /** Where the map came from and how long it took (shown in the footer). */
  mapInfo?: { cached: boolean; ms: number };
}

export interface AnalysisResult {
  aus: AuRef[];
  /** Emotion id, or 'unparsed' when the conclusion named none. */
  /**
   * The emotion as the panel should print it, in the UI's display language (host-side string, e.g.
   * "开心" or "happiness"; "unparsed" localised too). Absent from older hosts: fall back to `emotion`.
   */
  emotionLabel?: string;
  emotion: string;
  claims: ClaimMark[];
  /** AU number -> region names it moves (for chip hover highlighting). */
  auRegions: Record<string, string[]>;
}
/** The languages the UI (panel, legend, built-in answer, host strings) is offered in. */
export type UiLang = 'en' | 'zh';


  /** Prompt language sent to a MELLM server (mellm.language): NOT the UI's language. */
export interface PanelSettingsView {
  /**
   * VS Code's display language reduced to what the UI offers: the panel's strings and the legend follow it.
   * A later language change sends a new 'init'. Absent (older hosts, tests): English.
   */
  uiLang?: UiLang;
  /**
   * vscode.l10n.bundle of the host (English source string -> translation) for the webview's own strings;
   * absent or empty in English. Keys are the English strings, as with vscode.l10n.t.
   */
  l10n?: Record<string, string>;
  lang: 'zh' | 'en';
  trusted: boolean;
  defaultSource: SourceSpec;
  /** Endpoints offered in the Compare pickers. */
  endpoints: string[];
  model?: string;
}
/**
 * Actions the host offers when a lane fails (server down, bad key, timeout). The panel renders one button per
 * action with the host's (localised) label, in the given order, and posts { type: 'laneAction' } back.
 */
export type LaneActionId = 'retry' | 'useBuiltin' | 'openSettings';
export const LANE_ACTION_IDS: readonly LaneActionId[] = ['retry', 'useBuiltin', 'openSettings'];
export interface LaneAction {
  id: LaneActionId;
  label: string;
}

/** Panel-side toggles the workbench triggers (keybindings, command palette) while the panel is active. */
export type PanelCommand = 'compare';


export type HostMessage =
  | { type: 'init'; version: number; settings: PanelSettingsView }
  | { type: 'clip'; clip: ClipView }
  | { type: 'mapStatus'; clipId: string; phase: MapPhase; message?: string }
  | { type: 'streamStart'; clipId: string; lane: Lane; label: string; kind: SourceKind }
  | { type: 'streamDelta'; clipId: string; lane: Lane; text: string }
  | { type: 'streamDone'; clipId: string; lane: Lane; stop: string; incomplete: boolean; message?: string; totalMs: number }
  | { type: 'streamError'; clipId: string; lane: Lane; message: string; actions?: LaneAction[] }
  | { type: 'analysis'; clipId: string; lane: Lane; result: AnalysisResult }
  | { type: 'exported'; files: string[] }
  | { type: 'notice'; level: 'info' | 'warning' | 'error'; message: string }
  /** Run a panel-side command (e.g. toggle the Compare lane, as its toolbar button does). */
  | { type: 'panelCommand'; command: PanelCommand };

export type WebviewMessage =
  | { type: 'ready' }
  | { type: 'analyze'; clipId: string; lane: Lane; source: SourceSpec }
  | { type: 'stop'; clipId: string; lane: Lane }
  | { type: 'navigate'; delta: 1 | -1 }
  | { type: 'export'; clipId: string; mapPng?: string }
  | { type: 'openSettings' }
  /** The map image finished loading in the panel (the host measures command -> map on screen). */
  | { type: 'mapShown'; clipId: string }
  | { type: 'log'; level: 'info' | 'error'; message: string }
  /** The user chose one of a failed lane's actions (streamError.actions). */
  | { type: 'laneAction'; clipId: string; lane: Lane; action: LaneActionId };

// ---------- validation (hand-written; a failed check returns a reason, never throws) ----------

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const isStr = (x: unknown): x is string => typeof x === 'string';
const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const isBool = (x: unknown): x is boolean => typeof x === 'boolean';
const isLane = (x: unknown): x is Lane => x === 'a' || x === 'b';
const isKind = (x: unknown): x is SourceKind => x === 'builtin' || x === 'server';
const optStr = (x: unknown) => x === undefined || isStr(x);
const isPoint = (x: unknown): x is [number, number] => Array.isArray(x) && x.length === 2 && isNum(x[0]) && isNum(x[1]);
/** Images must be PNG/JPEG data URLs or webview resource URLs: nothing else is put into an <img>. */
const isImageUrl = (x: unknown) =>
  isStr(x) && (/^data:image\/(png|jpeg);base64,[A-Za-z0-9+/=]*$/.test(x) || /^https:\/\/[^\s"'<>]+$/.test(x) || /^vscode-(webview|resource):/.test(x));

const isActionId = (x: unknown): x is LaneActionId => (LANE_ACTION_IDS as readonly unknown[]).includes(x);
const isLaneAction = (x: unknown): x is LaneAction => isObj(x) && isActionId(x.id) && isStr(x.label) && x.label.length <= 200;

function isSource(x: unknown): x is SourceSpec {
  return isObj(x) && isKind(x.kind) && optStr(x.endpoint) && optStr(x.model);
}
function isAu(x: unknown): x is AuRef {
  return isObj(x) && isNum(x.au) && (x.side === undefined || x.side === 'L' || x.side === 'R');
}
function isClaim(x: unknown): x is ClaimMark {
  return (
    isObj(x) &&
    isNum(x.start) &&
    isNum(x.end) &&
    x.start >= 0 &&
    x.end >= x.start &&
    (x.status === 'supported' || x.status === 'contradicted' || x.status === 'not-checkable') &&
    optStr(x.region) &&
    optStr(x.note)
  );
}
function clipError(c: unknown): string | null {
  if (!isObj(c)) return 'clip is not an object';
  for (const k of ['clipId', 'title', 'onset', 'apex'] as const) if (!isStr(c[k])) return `clip.${k} missing`;
  for (const k of ['index', 'total', 'width', 'height'] as const) if (!isNum(c[k])) return `clip.${k} not a number`;
  for (const k of ['onset', 'apex', 'map', 'flowOnly'] as const) if (c[k] !== undefined && !isImageUrl(c[k])) return `clip.${k} is not an image URL`;
  if (c.head !== undefined && !(isObj(c.head) && isNum(c.head.u) && isNum(c.head.v))) return 'clip.head malformed';
  if (c.nose !== undefined && !(isObj(c.nose) && isNum(c.nose.x) && isNum(c.nose.y))) return 'clip.nose malformed';
  if (c.landmarks !== undefined && !(Array.isArray(c.landmarks) && c.landmarks.every(isPoint))) return 'clip.landmarks malformed';
  if (
    c.regions !== undefined &&
    !(Array.isArray(c.regions) && c.regions.every((r) => isObj(r) && isStr(r.name) && Array.isArray(r.points) && r.points.every(isPoint)))
  )
    return 'clip.regions malformed';
  if (c.groundTruth !== undefined) {
    const g = c.groundTruth;
    if (!isObj(g) || !optStr(g.emotion) || !(g.aus === undefined || (Array.isArray(g.aus) && g.aus.every(isAu)))) return 'clip.groundTruth malformed';
  }
  if (!(Array.isArray(c.warnings) && c.warnings.every(isStr))) return 'clip.warnings malformed';
  if (c.ref !== undefined && !isClipRef(c.ref)) return 'clip.ref malformed';
  if (c.mapInfo !== undefined && !(isObj(c.mapInfo) && isBool(c.mapInfo.cached) && isNum(c.mapInfo.ms))) return 'clip.mapInfo malformed';
  return null;
}
function settingsError(s: unknown): string | null {
  if (!isObj(s)) return 'settings is not an object';
  if (s.lang !== 'zh' && s.lang !== 'en') return 'settings.lang must be zh or en';
  if (s.uiLang !== undefined && s.uiLang !== 'zh' && s.uiLang !== 'en') return 'settings.uiLang must be zh or en';
  if (s.l10n !== undefined && !(isObj(s.l10n) && Object.values(s.l10n).every(isStr))) return 'settings.l10n malformed';
  if (!isBool(s.trusted)) return 'settings.trusted missing';
  if (!isSource(s.defaultSource)) return 'settings.defaultSource malformed';
  if (!(Array.isArray(s.endpoints) && s.endpoints.every(isStr))) return 'settings.endpoints malformed';
  if (!optStr(s.model)) return 'settings.model malformed';
  return null;
}
function resultError(r: unknown): string | null {
  if (!isObj(r)) return 'result is not an object';
  if (!(Array.isArray(r.aus) && r.aus.every(isAu))) return 'result.aus malformed';
  if (!isStr(r.emotion)) return 'result.emotion missing';
  if (!optStr(r.emotionLabel)) return 'result.emotionLabel malformed';
  if (!(Array.isArray(r.claims) && r.claims.every(isClaim))) return 'result.claims malformed';
  if (!isObj(r.auRegions) || !Object.values(r.auRegions).every((v) => Array.isArray(v) && v.every(isStr))) return 'result.auRegions malformed';
  return null;
}

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = <T>(error: string): Parsed<T> => ({ ok: false, error });

/** Validate a message the webview received from the host. */
export function parseHostMessage(x: unknown): Parsed<HostMessage> {
  if (!isObj(x) || !isStr(x.type)) return bad('not a message object');
  const m = x as Obj & { type: string };
  const check = (cond: boolean, what: string): Parsed<HostMessage> => (cond ? ok(m as unknown as HostMessage) : bad(`${m.type}: ${what}`));
  switch (m.type) {
    case 'init': {
      if (m.version !== PROTOCOL_VERSION) return bad(`init: protocol version ${String(m.version)} != ${PROTOCOL_VERSION}`);
      const e = settingsError(m.settings);
      return e ? bad(`init: ${e}`) : ok(m as unknown as HostMessage);
    }
    case 'clip': {
      const e = clipError(m.clip);
      return e ? bad(`clip: ${e}`) : ok(m as unknown as HostMessage);
    }
    case 'mapStatus':
      return check(isStr(m.clipId) && (m.phase === 'computing' || m.phase === 'ready' || m.phase === 'error') && optStr(m.message), 'bad fields');
    case 'streamStart':
      return check(isStr(m.clipId) && isLane(m.lane) && isStr(m.label) && isKind(m.kind), 'bad fields');
    case 'streamDelta':
      return check(isStr(m.clipId) && isLane(m.lane) && isStr(m.text), 'bad fields');
    case 'streamDone':
      return check(isStr(m.clipId) && isLane(m.lane) && isStr(m.stop) && isBool(m.incomplete) && optStr(m.message) && isNum(m.totalMs), 'bad fields');
    case 'streamError':
      return check(isStr(m.clipId) && isLane(m.lane) && isStr(m.message) && (m.actions === undefined || (Array.isArray(m.actions) && m.actions.every(isLaneAction))), 'bad fields');
    case 'panelCommand':
      return check(m.command === 'compare', 'unknown command');
    case 'analysis': {
      if (!isStr(m.clipId) || !isLane(m.lane)) return bad('analysis: bad fields');
      const e = resultError(m.result);
      return e ? bad(`analysis: ${e}`) : ok(m as unknown as HostMessage);
    }
    case 'exported':
      return check(Array.isArray(m.files) && m.files.every(isStr), 'files malformed');
    case 'notice':
      return check((m.level === 'info' || m.level === 'warning' || m.level === 'error') && isStr(m.message), 'bad fields');
    default:
      return bad(`unknown message type ${JSON.stringify(m.type).slice(0, 40)}`);
  }
}

/** Validate a message the host received from the webview (the webview is less trusted than the host). */
export function parseWebviewMessage(x: unknown): Parsed<WebviewMessage> {
  if (!isObj(x) || !isStr(x.type)) return bad('not a message object');
  const m = x as Obj & { type: string };
  const check = (cond: boolean, what: string): Parsed<WebviewMessage> => (cond ? ok(m as unknown as WebviewMessage) : bad(`${m.type}: ${what}`));
  switch (m.type) {
    case 'ready':
    case 'openSettings':
      return ok(m as unknown as WebviewMessage);
    case 'analyze':
      return check(isStr(m.clipId) && isLane(m.lane) && isSource(m.source), 'bad fields');
    case 'stop':
      return check(isStr(m.clipId) && isLane(m.lane), 'bad fields');
    case 'mapShown':
      return check(isStr(m.clipId), 'clipId missing');
    case 'navigate':
      return check(m.delta === 1 || m.delta === -1, 'delta must be 1 or -1');
    case 'export':
      return check(isStr(m.clipId) && (m.mapPng === undefined || (isStr(m.mapPng) && m.mapPng.startsWith('data:image/png;base64,'))), 'bad fields');
    case 'log':
      return check((m.level === 'info' || m.level === 'error') && isStr(m.message) && m.message.length <= 4000, 'bad fields');
    case 'laneAction':
      return check(isStr(m.clipId) && isLane(m.lane) && isActionId(m.action), 'bad fields');
    default:
      return bad(`unknown message type ${JSON.stringify(m.type).slice(0, 40)}`);
  }
}

/** What the webview persists with vscode.setState so the serializer can restore the panel after a reload. */
export interface PanelPersistedState {
  version: number;
  /** Folder or two image paths the clip came from (host re-opens it). */
  clipRef?: ClipRef;
  view?: { mode: string; opacity: number; zoom: number; panX: number; panY: number; landmarks: boolean; regions: boolean };
}

export function parsePersistedState(x: unknown): PanelPersistedState | null {
  if (!isObj(x) || x.version !== PROTOCOL_VERSION) return null;
  if (x.clipRef !== undefined && !isClipRef(x.clipRef)) return null;
  return x as unknown as PanelPersistedState;
}

function isClipRef(r: unknown): r is ClipRef {
  return (
    isObj(r) &&
    ((r.kind === 'folder' && isStr(r.folder)) ||
      (r.kind === 'pair' && isStr(r.onset) && isStr(r.apex)) ||
      (r.kind === 'dataset' && isStr(r.root) && isStr(r.clipId)))
  );
}
