// The one message protocol between the extension host (src/vscode/panel*.ts) and the panel (webview/),
// in src/shared because both sides import it (as vscode-hexeditor does with its shared/ folder).
// Pure TypeScript: no 'vscode', no Node. Both sides validate every message they RECEIVE with
// parseHostMessage / parseWebviewMessage before acting on it; anything malformed is dropped and logged.
// Images cross as data: URLs (PNG) so BMP frames, cached maps and the sample clip all render the same way.

export const PROTOCOL_VERSION = 1;

/**
 * Reasoning lanes, in display order; a lane added here appears in the panel and the agreement line.
 * 'a' is the main lane; Compare adds 'b' and 'c' (the region-text lane by default).
 */
export const LANES = ['a', 'b', 'c'] as const;
export type Lane = (typeof LANES)[number];
/** 'server': MELLM (map + prompt); 'region-text': region statistics as text to a text LLM; 'builtin'. */
export type SourceKind = 'builtin' | 'server' | 'region-text';
/**
 * supported / contradicted: the measured motion agrees / disagrees with what the answer says.
 * measured: the answer only restates the measurement (the built-in reasoner writes its text FROM the
 * measured motion), so agreement is no evidence and is shown neutrally. not-checkable: nothing to compare.
 */
export type ClaimStatus = 'supported' | 'contradicted' | 'not-checkable' | 'measured';
export type MapPhase = 'computing' | 'ready' | 'error';
/** The eight named directions of the map's colour table, image frame (x right, y down). */
export const DIRECTIONS8 = ['right', 'down-right', 'down', 'down-left', 'left', 'up-left', 'up', 'up-right'] as const;
export type Direction = (typeof DIRECTIONS8)[number];
export const INTENSITY_GRADES = ['none', 'slight', 'moderate', 'strong'] as const;
export type Intensity = (typeof INTENSITY_GRADES)[number];

/** Which reasoning source a lane uses. endpoint/model only for servers (absent = that source's settings). */
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

/** What was measured in one region, as the claim check saw it (region ids are shown by their names). */
export interface MeasuredView {
  region: string;
  direction: Direction | null;
  intensity: Intensity;
  /** Head-compensated magnitude, px. */
  px: number;
}

/**
 * Why a claim got its verdict, as data the panel puts into words in the display language:
 * still-ok (claims no motion, none clear), still-but-moves, moves-but-still (claims motion, none
 * measured), moves (motion, no direction claimed), direction-match, direction-mismatch, no-face,
 * unknown-region (not a measured region), outside (the region lies outside the image).
 */
export type ClaimWhyKind =
  | 'still-ok'
  | 'still-but-moves'
  | 'moves-but-still'
  | 'moves'
  | 'direction-match'
  | 'direction-mismatch'
  | 'no-face'
  | 'unknown-region'
  | 'outside';
export interface ClaimWhy {
  kind: ClaimWhyKind;
  /** Directions the claim names. */
  claimed: Direction[];
  measured: MeasuredView[];
}

/** A claim the answer makes about a region, located by character span in the streamed text. */
export interface ClaimMark {
  start: number;
  end: number;
  status: ClaimStatus;
  region?: string;
  /** Every region the claim is about (hovering the claim lights them on the map). */
  regions?: string[];
  /** One line of the core's reason (log and fallback; the panel shows `why` in words). */
  note?: string;
  why?: ClaimWhy;
}

/**
 * An AU of the answer against the measurement, in this order:
 * supported: the measured motion yields it (by the built-in FACS rules); contradicted: the answer's own
 * region claim for it is contradicted, or none of its regions moves; unconfirmed: its regions move but not
 * as the AU moves them; measured: the built-in reasoner's own inference (no independent evidence);
 * not-checkable: no face motion measured.
 */
export type AuVerdict = 'supported' | 'contradicted' | 'unconfirmed' | 'measured' | 'not-checkable';
export interface AuCheck {
  au: number;
  side?: 'L' | 'R';
  verdict: AuVerdict;
  why: 'inferred' | 'claim-contradicted' | 'regions-still' | 'regions-move' | 'builtin' | 'no-face';
  /** The AU's regions as measured. */
  measured: MeasuredView[];
}

/** One region's measured motion (the region table beside the map). */
export interface RegionStat {
  name: string;
  /** Head-compensated robust mean flow, px. */
  u: number;
  v: number;
  px: number;
  direction: Direction | null;
  /** magnitude / the region's noise floor estimated from the clip (the evidence z of regionMotion.ts). */
  ratio: number;
  intensity: Intensity;
  /** Calibrated confidence that this is not camera noise, 0..1 (absent from older hosts). */
  confidence?: number;
  pixels: number;
}

/** The clip's frames for the scrubber (frame numbers as in the file names). */
export interface FramesView {
  frames: number[];
  onset: number;
  apex: number;
  offset?: number;
  apexFrom: 'annotation' | 'spotted' | 'chosen';
  /** Apex-spotting curve: mean flow magnitude onset -> frame over the face (px); sent later when computed. */
  curve?: ApexCurvePoint[];
}
export interface ApexCurvePoint {
  frame: number;
  magnitude: number;
}

/** Dense flow onset -> apex (NOT head-compensated), int16 little-endian, u and v interleaved, times `scale`. */
export interface FlowView {
  width: number;
  height: number;
  /** Stored value = round(flow px * scale). */
  scale: number;
  /** base64 of the int16 array (2 * width * height values). */
  data: string;
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
  /** Measured regional motion (absent without a face). */
  motion?: { background: number; interOcular: number; regions: RegionStat[] };
  /** Side of the head-motion window at the nose (the authors' 11). */
  noseWindow?: number;
  /** Where the nose point came from: the landmarks, or the user (dragged in the panel). */
  noseFrom?: 'landmarks' | 'user';
  /**
   * How much the map depends on the nose point: share of map pixels (0..1) that change for a 1 px shift,
   * the mean over `shifts` moves (left, right, up, down of the nose pixel); `max` the largest of them.
   */
  noseSensitivity?: { share: number; shifts: number; max?: number };
  /**
   * One line shown as a banner over the map when it is NOT what the released weights would be given (no
   * face found: MELLM gets the plain grey onset; the panel shows the flow without head-motion compensation).
   */
  banner?: string;
  /**
   * The lighting change between onset and apex found on the face, when there is one (photometric.ts): one
   * sentence per UI language. The map is the authors' (raw frames); motion was measured on corrected ones.
   */
  lighting?: { en: string; zh: string };
  frames?: FramesView;
}

export interface AnalysisResult {
  aus: AuRef[];
  /**
   * The emotion as the panel should print it, in the UI's display language (host-side string, e.g.
   * "开心" or "happiness"; "unparsed" localised too). Absent from older hosts: fall back to `emotion`.
   */
  emotionLabel?: string;
  /** Emotion id, or 'unparsed' when the conclusion named none. */
  emotion: string;
  claims: ClaimMark[];
  /** AU number -> region names it moves (for chip hover highlighting). */
  auRegions: Record<string, string[]>;
  /** One entry per AU of `aus`, same order. */
  auChecks?: AuCheck[];
  /**
   * What the answer concludes (parse.ts): one emotion, 'none' (no micro-expression found), 'undetermined' (a
   * tie or an open class; `candidates` are the classes it leaves open) or 'unparsed'. Absent from older hosts.
   */
  outcome?: AnswerOutcome;
  candidates?: string[];
  /** Measured confidence (0..1) of each AU of `aus` (same order) and of the emotion (confidence.ts). */
  confidence?: { aus: number[]; emotion: number | null };
}
export type AnswerOutcome = 'parsed' | 'none' | 'undetermined' | 'unparsed';
/** The languages the UI (panel, legend, built-in answer, host strings) is offered in. */
export type UiLang = 'en' | 'zh';

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
  /** Prompt language sent to a MELLM server (mellm.language): NOT the UI's language. */
  lang: 'zh' | 'en';
  trusted: boolean;
  defaultSource: SourceSpec;
  /** Endpoints offered in the Compare pickers. */
  endpoints: string[];
  model?: string;
  /** The region-text lane's own endpoints and model (mellm.regionText.*); absent from older hosts. */
  regionText?: { endpoints: string[]; model?: string };
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
  /** The flow behind the map, for the value under the cursor and the display gain (after 'clip'). */
  | { type: 'flow'; clipId: string; flow: FlowView }
  | { type: 'apexCurve'; clipId: string; curve: ApexCurvePoint[] }
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
  /** Recompute the clip with these frames (scrubber). */
  | { type: 'setFrames'; clipId: string; onset: number; apex: number }
  /** Recompute the map with the head-motion window at this point (image px); null: back to the landmarks. */
  | { type: 'setNose'; clipId: string; nose: { x: number; y: number } | null }
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
const isLane = (x: unknown): x is Lane => (LANES as readonly unknown[]).includes(x);
const isDir = (x: unknown): x is Direction => (DIRECTIONS8 as readonly unknown[]).includes(x);
const isGrade = (x: unknown): x is Intensity => (INTENSITY_GRADES as readonly unknown[]).includes(x);
const isInt = (x: unknown): x is number => Number.isInteger(x);
const arrOf = <T>(x: unknown, f: (y: unknown) => y is T): x is T[] => Array.isArray(x) && x.every(f);
const isKind = (x: unknown): x is SourceKind => x === 'builtin' || x === 'server' || x === 'region-text';
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
const CLAIM_STATUSES: readonly unknown[] = ['supported', 'contradicted', 'not-checkable', 'measured'];
const WHY_KINDS: readonly unknown[] = ['still-ok', 'still-but-moves', 'moves-but-still', 'moves', 'direction-match', 'direction-mismatch', 'no-face', 'unknown-region', 'outside'];
const AU_VERDICTS: readonly unknown[] = ['supported', 'contradicted', 'unconfirmed', 'measured', 'not-checkable'];
const AU_WHYS: readonly unknown[] = ['inferred', 'claim-contradicted', 'regions-still', 'regions-move', 'builtin', 'no-face'];
function isMeasured(x: unknown): x is MeasuredView {
  return isObj(x) && isStr(x.region) && (x.direction === null || isDir(x.direction)) && isGrade(x.intensity) && isNum(x.px);
}
function isClaim(x: unknown): x is ClaimMark {
  return (
    isObj(x) &&
    isNum(x.start) &&
    isNum(x.end) &&
    x.start >= 0 &&
    x.end >= x.start &&
    CLAIM_STATUSES.includes(x.status) &&
    optStr(x.region) &&
    optStr(x.note) &&
    (x.regions === undefined || arrOf(x.regions, isStr)) &&
    (x.why === undefined || (isObj(x.why) && WHY_KINDS.includes(x.why.kind) && arrOf(x.why.claimed, isDir) && arrOf(x.why.measured, isMeasured)))
  );
}
function isAuCheck(x: unknown): x is AuCheck {
  return isObj(x) && isAu(x) && AU_VERDICTS.includes(x.verdict) && AU_WHYS.includes(x.why) && arrOf(x.measured, isMeasured);
}
function isRegionStat(x: unknown): x is RegionStat {
  return (
    isObj(x) && isStr(x.name) && isNum(x.u) && isNum(x.v) && isNum(x.px) && (x.direction === null || isDir(x.direction)) && isNum(x.ratio) && isGrade(x.intensity) && isNum(x.pixels) && (x.confidence === undefined || (isNum(x.confidence) && x.confidence >= 0 && x.confidence <= 1))
  );
}
const isCurvePoint = (x: unknown): x is ApexCurvePoint => isObj(x) && isInt(x.frame) && isNum(x.magnitude);
function framesError(f: unknown): string | null {
  if (!isObj(f)) return 'not an object';
  if (!arrOf(f.frames, isInt) || f.frames.length === 0) return 'frames must be a non-empty list of frame numbers';
  if (!isInt(f.onset) || !isInt(f.apex) || !(f.offset === undefined || isInt(f.offset))) return 'onset/apex/offset must be frame numbers';
  if (!(f.apexFrom === 'annotation' || f.apexFrom === 'spotted' || f.apexFrom === 'chosen')) return 'apexFrom malformed';
  if (f.curve !== undefined && !arrOf(f.curve, isCurvePoint)) return 'curve malformed';
  return null;
}
/** The flow payload: sizes agree with the data (2 int16 per pixel). */
function flowError(f: unknown): string | null {
  if (!isObj(f) || !isInt(f.width) || !isInt(f.height) || f.width <= 0 || f.height <= 0 || !isNum(f.scale) || f.scale <= 0 || !isStr(f.data)) return 'flow fields malformed';
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(f.data)) return 'flow.data is not base64';
  const bytes = (f.data.length / 4) * 3 - (f.data.endsWith('==') ? 2 : f.data.endsWith('=') ? 1 : 0);
  return bytes === f.width * f.height * 4 ? null : `flow.data holds ${bytes} bytes, ${f.width}x${f.height} needs ${f.width * f.height * 4}`;
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
  if (c.motion !== undefined && !(isObj(c.motion) && isNum(c.motion.background) && isNum(c.motion.interOcular) && arrOf(c.motion.regions, isRegionStat))) return 'clip.motion malformed';
  if (c.noseWindow !== undefined && !(isInt(c.noseWindow) && c.noseWindow > 0)) return 'clip.noseWindow malformed';
  if (c.noseFrom !== undefined && c.noseFrom !== 'landmarks' && c.noseFrom !== 'user') return 'clip.noseFrom malformed';
  if (
    c.noseSensitivity !== undefined &&
    !(isObj(c.noseSensitivity) && isNum(c.noseSensitivity.share) && isInt(c.noseSensitivity.shifts) && (c.noseSensitivity.max === undefined || isNum(c.noseSensitivity.max)))
  )
    return 'clip.noseSensitivity malformed';
  if (c.banner !== undefined && !isStr(c.banner)) return 'clip.banner malformed';
  if (c.lighting !== undefined && !(isObj(c.lighting) && isStr(c.lighting.en) && isStr(c.lighting.zh))) return 'clip.lighting malformed';
  if (c.frames !== undefined) {
    const e = framesError(c.frames);
    if (e) return `clip.frames: ${e}`;
  }
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
  if (s.regionText !== undefined) {
    const r = s.regionText;
    if (!isObj(r) || !(Array.isArray(r.endpoints) && r.endpoints.every(isStr)) || !optStr(r.model)) return 'settings.regionText malformed';
  }
  return null;
}
function resultError(r: unknown): string | null {
  if (!isObj(r)) return 'result is not an object';
  if (!(Array.isArray(r.aus) && r.aus.every(isAu))) return 'result.aus malformed';
  if (!isStr(r.emotion)) return 'result.emotion missing';
  if (!optStr(r.emotionLabel)) return 'result.emotionLabel malformed';
  if (!(Array.isArray(r.claims) && r.claims.every(isClaim))) return 'result.claims malformed';
  if (!isObj(r.auRegions) || !Object.values(r.auRegions).every((v) => Array.isArray(v) && v.every(isStr))) return 'result.auRegions malformed';
  if (r.auChecks !== undefined && !(arrOf(r.auChecks, isAuCheck) && r.auChecks.length === r.aus.length)) return 'result.auChecks malformed';
  if (r.outcome !== undefined && !['parsed', 'none', 'undetermined', 'unparsed'].includes(r.outcome as string)) return 'result.outcome malformed';
  if (r.candidates !== undefined && !(Array.isArray(r.candidates) && r.candidates.every(isStr))) return 'result.candidates malformed';
  if (r.confidence !== undefined) {
    const c = r.confidence;
    const unit = (x: unknown) => isNum(x) && x >= 0 && x <= 1;
    if (!isObj(c) || !(Array.isArray(c.aus) && c.aus.length === r.aus.length && c.aus.every(unit)) || !(c.emotion === null || unit(c.emotion))) return 'result.confidence malformed';
  }
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
    case 'flow': {
      if (!isStr(m.clipId)) return bad('flow: clipId missing');
      const e = flowError(m.flow);
      return e ? bad(`flow: ${e}`) : ok(m as unknown as HostMessage);
    }
    case 'apexCurve':
      return check(isStr(m.clipId) && arrOf(m.curve, isCurvePoint), 'bad fields');
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
    case 'setFrames':
      return check(isStr(m.clipId) && isInt(m.onset) && isInt(m.apex) && m.onset < m.apex, 'onset and apex must be frame numbers, onset before apex');
    case 'setNose':
      return check(isStr(m.clipId) && (m.nose === null || (isObj(m.nose) && isNum(m.nose.x) && isNum(m.nose.y))), 'nose must be {x, y} or null');
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
  view?: { mode: string; opacity: number; zoom: number; panX: number; panY: number; landmarks: boolean; regions: boolean; gain?: number; threshold?: number };
  /** The Compare lane was open. */
  compare?: boolean;
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
