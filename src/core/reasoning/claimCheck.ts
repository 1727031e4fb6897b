// Claim check: every "region / colour or direction / intensity / AU" statement of an answer, compared
// with the motion measured in that region (regionMotion.ts). It shows where a model saw motion that is
// not there, or read a colour the map does not have.
//
// Reading the answer (zh and en, tolerant of the model's wording in paper Fig. 4):
//  - Lines are split into clauses at ，；。,; outside parentheses. A clause that introduces another
//    region or side after a motion statement starts a new claim ("左侧…斑块，右侧…斑块" is two claims).
//  - A clause that lists AUs ("推断的面部动作单元 (AUs)：…", "AUs: …", "→ AU12") only adds AUs: AU names
//    like "嘴角上扬" or "皱眉" are not read as regions or directions.
//  - Colours map to directions by the prompt's table (yellow alone, between orange-yellow and
//    yellow-green, counts as either); direction words are image directions; "outwards/inwards" are used
//    only when the claim's side is known.
//  - Sides: one convention with the parser (laterality.ts): "左侧 / left" alone is the SUBJECT's left, as FACS
//    codes sides; only "图像左侧 / the image's left" (or viewer's) is the image side, i.e. the subject's right.
// Verdicts:
//  - a claim of motion: contradicted when none of its regions moves, or when no moving region's direction
//    lies within 67.5 degrees (one and a half named sectors) of a claimed direction; else supported;
//  - a claim of no motion: contradicted when one of its regions moves moderately or strongly;
//  - not checkable: the region is not one we measure, or the answer has no face motion to compare with.
// Claimed intensity is compared and reported, but does not decide the verdict (brightness is min-max
// normalised per image, so a model's "strong" is relative; ours is in inter-ocular distances).
import { REGION_NAMES, type RegionName } from '../face/types';
import { extractAus, toHalfWidth } from './parse';
import {
  DIRECTIONS,
  DIRECTION_WORDS,
  INTENSITIES,
  type Direction8,
  type MotionIntensity,
  type RegionMotionReport,
} from './regionMotion';
import { inferAus } from './facsRules';
import { EN_SIDE_PHRASES, ZH_SIDE_PHRASES, subjectSide, type SideWord } from './laterality';

export type ClaimVerdict = 'supported' | 'contradicted' | 'not-checkable';
export type ClaimedIntensity = MotionIntensity | 'present';
type Base = 'forehead' | 'innerBrow' | 'outerBrow' | 'upperEyelid' | 'lowerEyelid' | 'cheek' | 'noseWing' | 'nasolabial' | 'lipCorner' | 'upperLip' | 'lowerLip' | 'chin';
type ClaimSide = SideWord;

export interface RegionClaim {
  /** [start, end) UTF-16 offsets into the answer text. */
  span: [number, number];
  text: string;
  /** Regions the claim is about, after its side (subject's sides). */
  regions: RegionName[];
  /** The side as written, if any. */
  side: ClaimSide | null;
  /** Claimed image directions (from colours and direction words). */
  directions: Direction8[];
  /** Colour words as written. */
  colours: string[];
  intensity: ClaimedIntensity | null;
  /** The claim says there is no (clear) motion. */
  noMotion: boolean;
  /** AU numbers the claim names. */
  aus: number[];
}

export interface MeasuredRegion {
  region: RegionName;
  direction: Direction8 | null;
  colour: { zh: string; en: string } | null;
  intensity: MotionIntensity;
  magnitude: number;
  normalised: number;
  angle: number;
}

export interface ClaimResult extends RegionClaim {
  verdict: ClaimVerdict;
  /** One line saying why. */
  reason: string;
  measured: MeasuredRegion[];
  /** Whether a moving region's direction matches a claimed one (null: no direction claimed or nothing moves). */
  directionMatch: boolean | null;
  /** Claimed vs measured grade: equal, one grade apart, further (null when not comparable). */
  intensityMatch: 'match' | 'near' | 'mismatch' | null;
  /** Claimed AUs the measurement also yields (by number; side not compared). */
  ausInferred: number[];
  ausNotInferred: number[];
}

export interface ClaimCheckReport {
  claims: ClaimResult[];
  supported: number;
  contradicted: number;
  notCheckable: number;
}

const SIDED: readonly Base[] = ['innerBrow', 'outerBrow', 'upperEyelid', 'lowerEyelid', 'cheek', 'noseWing', 'nasolabial', 'lipCorner'];

// ---- vocabularies (longest alternatives first) --------------------------------------------------

const ZH_REGIONS: [RegExp, Base[]][] = [
  [/鼻唇沟/g, ['nasolabial']],
  [/眉内侧|内侧眉|眉头|内眉/g, ['innerBrow']],
  [/眉外侧|外侧眉|眉尾|眉梢|外眉/g, ['outerBrow']],
  [/上眼睑|上睑|上眼皮/g, ['upperEyelid']],
  [/下眼睑|下睑|下眼皮|眼下|眼袋/g, ['lowerEyelid']],
  [/嘴角|口角|唇角/g, ['lipCorner']],
  [/上唇/g, ['upperLip']],
  [/下唇/g, ['lowerLip']],
  [/额头|前额|额部/g, ['forehead']],
  [/脸颊|面颊|颊部|颧骨|颧部/g, ['cheek']],
  [/鼻翼|鼻孔/g, ['noseWing']],
  [/下巴|下颌|下颏|颏部/g, ['chin']],
  [/(?<!皱)眉(?:毛|部|区域|区|弓)?/g, ['innerBrow', 'outerBrow']],
  [/(?<![眨闭睁])眼(?:睛|部|周|睑|角)?(?!距)/g, ['upperEyelid', 'lowerEyelid']],
  [/嘴巴|嘴部|嘴唇|口部|唇部|口周|嘴/g, ['upperLip', 'lowerLip', 'lipCorner']],
  [/(?<!皱)鼻(?:子|部|梁)?/g, ['noseWing']],
];
const EN_REGIONS: [RegExp, Base[]][] = [
  [/\bnasolabial(?:\s+folds?)?/gi, ['nasolabial']],
  [/\binner\s+(?:eye)?brows?|\binner\s+corners?\s+of\s+the\s+(?:eye)?brows?/gi, ['innerBrow']],
  [/\bouter\s+(?:eye)?brows?|\bbrow\s+tails?/gi, ['outerBrow']],
  [/\bupper\s+(?:eye)?lids?/gi, ['upperEyelid']],
  [/\blower\s+(?:eye)?lids?|\bunder[- ]eye|\bbelow\s+the\s+eyes?|\bunder\s+the\s+eyes?/gi, ['lowerEyelid']],
  [/\b(?:lip|mouth)\s+corners?|\bcorners?\s+of\s+the\s+(?:mouth|lips)/gi, ['lipCorner']],
  [/\bupper\s+lip/gi, ['upperLip']],
  [/\blower\s+lip/gi, ['lowerLip']],
  [/\bforehead/gi, ['forehead']],
  [/\bcheek(?:s|bones?)?\b/gi, ['cheek']],
  [/\bnose\s+wings?|\bnostrils?|\bnasal\s+alae?|\balae\b/gi, ['noseWing']],
  [/\bchin\b|\bjaw\b/gi, ['chin']],
  [/\b(?:eye)?brows?\b/gi, ['innerBrow', 'outerBrow']],
  [/\beye(?:s|lids?)?\b/gi, ['upperEyelid', 'lowerEyelid']],
  [/\bmouth\b|\blips\b/gi, ['upperLip', 'lowerLip', 'lipCorner']],
  [/\bnose\b/gi, ['noseWing']],
];

// Colour stems must be followed by 色, a separator or a patch word, so words like 红润 are not colours.
const ZH_COLOUR = /(品红|洋红|粉红|橙黄|橘黄|黄绿|粉|紫|红|橙|黄|绿|青|蓝|白)(?=色|\/|、|和|与|或|及|斑|块|$)/g;
const ZH_COLOUR_DIR: Record<string, Direction8[] | 'none'> = {
  品红: ['up-right'], 洋红: ['up-right'], 粉红: ['up-right'], 粉: ['up-right'], 紫: ['up'], 红: ['right'],
  橙黄: ['down-right'], 橘黄: ['down-right'], 橙: ['down-right'], 黄: ['down-right', 'down'], 黄绿: ['down'],
  绿: ['down-left'], 青: ['left'], 蓝: ['up-left'], 白: 'none',
};
const EN_COLOUR = /\b(magenta|fuchsia|pink|purple|violet|red|orange-yellow|orange|yellow-green|yellowish-green|lime|chartreuse|yellow|green|cyan|teal|turquoise|blue|white)\b/gi;
const EN_COLOUR_DIR: Record<string, Direction8[] | 'none'> = {
  magenta: ['up-right'], fuchsia: ['up-right'], pink: ['up-right'], purple: ['up'], violet: ['up'], red: ['right'],
  'orange-yellow': ['down-right'], orange: ['down-right'], 'yellow-green': ['down'], 'yellowish-green': ['down'], lime: ['down'],
  chartreuse: ['down'], yellow: ['down-right', 'down'], green: ['down-left'], cyan: ['left'], teal: ['left'], turquoise: ['left'],
  blue: ['up-left'], white: 'none',
};

type DirToken = Direction8 | 'out' | 'in';
const ZH_DIRECTIONS: [RegExp, DirToken][] = [
  [/右上/g, 'up-right'], [/左上/g, 'up-left'], [/右下/g, 'down-right'], [/左下/g, 'down-left'],
  [/(?:向|朝)上|上移|上方(?=运动|移动)|上扬|上抬|抬起|抬高|提升|隆起|升高/g, 'up'],
  [/(?:向|朝)下|下移|下方(?=运动|移动)|下压|下拉|下降|下垂|下沉/g, 'down'],
  [/(?:向|朝)右|右移|右方(?=运动|移动)?/g, 'right'], [/(?:向|朝)左|左移|左方(?=运动|移动)?/g, 'left'],
  [/(?:向|朝)外|外拉|外展/g, 'out'], [/(?:向|朝)内|内收|聚拢|靠拢/g, 'in'],
];
const EN_DIRECTIONS: [RegExp, DirToken][] = [
  [/\b(?:up(?:wards?)?[- ](?:and[- ])?(?:to[- ]the[- ])?right(?:wards?)?|upper[- ]right)\b/gi, 'up-right'],
  [/\b(?:up(?:wards?)?[- ](?:and[- ])?(?:to[- ]the[- ])?left(?:wards?)?|upper[- ]left)\b/gi, 'up-left'],
  [/\b(?:down(?:wards?)?[- ](?:and[- ])?(?:to[- ]the[- ])?right(?:wards?)?|lower[- ]right)\b/gi, 'down-right'],
  [/\b(?:down(?:wards?)?[- ](?:and[- ])?(?:to[- ]the[- ])?left(?:wards?)?|lower[- ]left)\b/gi, 'down-left'],
  [/\b(?:to|towards)\s+the\s+right\b|\brightwards?\b|(?<=direction:?\s*)right\b/gi, 'right'],
  [/\b(?:to|towards)\s+the\s+left\b|\bleftwards?\b|(?<=direction:?\s*)left\b/gi, 'left'],
  [/\bup(?:wards?)?\b|\b(?:rises?|rising|raised|lifts?|lifted|elevated)\b/gi, 'up'],
  [/\bdown(?:wards?)?\b|\b(?:lowered|drops?|dropped|falls?|depressed)\b/gi, 'down'],
  [/\bout(?:wards?)?\b|\blaterally\b/gi, 'out'],
  [/\binwards?\b|\btogether\b|\bmedially\b/gi, 'in'],
];

const ZH_SIDES = ZH_SIDE_PHRASES as [RegExp, ClaimSide][];
const EN_SIDES = EN_SIDE_PHRASES as [RegExp, ClaimSide][];

const ZH_NO_MOTION = /(?:未|没有|无|并无|不见)(?:检测到|发现|观察到|看到|出现|见)?(?:任何)?(?:明显|显著|清晰)?的?(?:局部)?(?:运动|移动|色块|变化)|静止/g;
const EN_NO_MOTION = /\bno\s+(?:\w+\s+){0,2}(?:motion|movement|colou?r|change)s?\b|\b(?:does|do|did)\s+not\s+(?:show|move)\b|\bnot\s+(?:detected|visible)\b|\b(?:static|motionless|still)\b/gi;

const ZH_INTENSITY: [RegExp, ClaimedIntensity][] = [
  [/很强|较强|强烈|剧烈|强/g, 'strong'],
  [/中等|适中|中度|一般/g, 'moderate'],
  [/较弱|微弱|轻微|细微|轻度|弱/g, 'slight'],
  [/明显|显著/g, 'present'],
];
const EN_INTENSITY: [RegExp, ClaimedIntensity][] = [
  [/\b(?:strong|marked|pronounced|intense|large|high)\b/gi, 'strong'],
  [/\b(?:moderate|medium)\b/gi, 'moderate'],
  [/\b(?:slight|weak|subtle|faint|mild|small|low)\b/gi, 'slight'],
  [/\b(?:significant|clear|obvious|noticeable|visible)\b/gi, 'present'],
];

// A clause listing AUs: "推断的面部动作单元 (AUs)：…", "AUs: …", "→ AU12"; and AU mentions with their names.
const AU_CLAUSE = /(?:动作单元|\bAUs?\b)\s*(?:\(\s*AUs?\s*\))?\s*[:：]|→/i;
const AU_MENTION = /(?:(?:左侧|右侧|左|右|Left|Right|[LR])\s*)?AU\s*\d+[A-E]?(?:\s*[(（](?:[^()（）]|[(（][^()（）]*[)）])*[)）])?/gi;
/** AU names written before "(AUn)", e.g. "皱眉 (AU45)", "Cheek raiser (AU6)". */
const AU_NAME_BEFORE = /[\u4e00-\u9fffA-Za-z ]{1,16}\s*[(（]\s*AU\s*\d+[A-E]?\s*[)）]/gi;

// ---- clause scanning --------------------------------------------------------------------------------

interface Clause {
  start: number;
  end: number;
}

/** Clauses of one line: split at ，；。,; (and '.' followed by a space) outside parentheses. */
function clausesOf(text: string, from: number, to: number): Clause[] {
  const out: Clause[] = [];
  let depth = 0;
  let s = from;
  for (let i = from; i < to; i++) {
    const c = text[i];
    if (c === '(' || c === '（') depth++;
    else if ((c === ')' || c === '）') && depth > 0) depth--;
    else if (depth === 0 && ('，；。;'.includes(c) || (c === ',' && !/\d/.test(text[i + 1] ?? '')) || (c === '.' && /\s/.test(text[i + 1] ?? ' ') && !/\d/.test(text[i - 1] ?? '')))) {
      if (i > s) out.push({ start: s, end: i });
      s = i + 1;
    }
  }
  if (to > s) out.push({ start: s, end: to });
  return out;
}

interface Found<T> {
  value: T;
  at: number;
  end: number;
}

/** Matches of each pattern (in order), masking matched text so later patterns cannot reuse it. */
function scan<T>(masked: string[], patterns: [RegExp, T][]): Found<T>[] {
  const out: Found<T>[] = [];
  for (const [re, value] of patterns) {
    re.lastIndex = 0;
    const s = masked.join('');
    for (const m of s.matchAll(new RegExp(re.source, re.flags.includes('g') ? re.flags : re.flags + 'g'))) {
      const at = m.index ?? 0;
      if (m[0].length === 0) continue;
      out.push({ value, at, end: at + m[0].length });
      for (let i = at; i < at + m[0].length; i++) masked[i] = '\u0000';
    }
  }
  return out.sort((a, b) => a.at - b.at);
}

/** What a clause or a claim being assembled says: regions, side, motion words and AUs. */
interface ClaimFields {
  bases: Base[];
  side: ClaimSide | null;
  directions: DirToken[];
  colours: { word: string; dirs: Direction8[] | 'none' }[];
  intensity: ClaimedIntensity | null;
  noMotion: boolean;
  aus: number[];
}

interface ClauseInfo extends ClaimFields {
  clause: Clause;
  auOnly: boolean;
}

function blank(masked: string[], re: RegExp): void {
  const s = masked.join('');
  for (const m of s.matchAll(new RegExp(re.source, re.flags.includes('g') ? re.flags : re.flags + 'g'))) {
    const at = m.index ?? 0;
    for (let i = at; i < at + m[0].length; i++) masked[i] = '\u0000';
  }
}

function readClause(text: string, c: Clause): ClauseInfo {
  const raw = text.slice(c.start, c.end);
  const aus = extractAus(raw).map((a) => a.au);
  const info: ClauseInfo = { clause: c, bases: [], side: null, directions: [], colours: [], intensity: null, noMotion: false, aus, auOnly: false };
  const auLabel = AU_CLAUSE.exec(raw);
  if (auLabel) {
    info.auOnly = true;
    // Text before the AU label can still hold a claim ("眉毛向下并向内移动直接对应于 AU04" has none before '→').
    if (auLabel.index === 0 || raw.slice(0, auLabel.index).trim() === '' || /^[\s\-*#>·•]*$/.test(raw.slice(0, auLabel.index))) return info;
    info.auOnly = false;
  }
  const masked = Array.from(raw.replace(/[\uD800-\uDFFF]/g, '\u0000')); // keep 1:1 with UTF-16 (surrogates are not vocabulary)
  if (masked.length !== raw.length) throw new Error('clause masking lost alignment');
  if (auLabel) for (let i = auLabel.index; i < raw.length; i++) masked[i] = '\u0000';
  blank(masked, AU_NAME_BEFORE);
  blank(masked, AU_MENTION);
  blank(masked, /\d+(?:\.\d+)?\s*(?:px|眼距|IOD|倍|x)/gi); // our own measured numbers
  const zh = /[\u4e00-\u9fff]/.test(raw);
  const no = scan(masked, [[zh ? ZH_NO_MOTION : EN_NO_MOTION, true]]);
  info.noMotion = no.length > 0;
  const colours = zh ? scan(masked, [[ZH_COLOUR, 'c']]) : scan(masked, [[EN_COLOUR, 'c']]);
  for (const f of colours) {
    const word = raw.slice(f.at, f.end);
    const dirs = zh ? ZH_COLOUR_DIR[word] : EN_COLOUR_DIR[word.toLowerCase()];
    if (dirs) info.colours.push({ word, dirs });
  }
  info.directions = scan(masked, zh ? ZH_DIRECTIONS : EN_DIRECTIONS).map((f) => f.value);
  const sides = scan(masked, zh ? ZH_SIDES : EN_SIDES);
  const regions = scan(masked, zh ? ZH_REGIONS : EN_REGIONS);
  // A more specific region named in the same clause wins over a broader one ("眼睛周围区域：上眼睑区域").
  const sets = regions.map((r) => r.value);
  const kept = sets.filter((s) => !sets.some((o) => o !== s && o.length < s.length && o.every((b) => s.includes(b))));
  info.bases = [...new Set(kept.flat())];
  info.side = sides.length > 0 ? sides[sides.length - 1].value : null;
  // Both sides named in one clause ("左侧为左上，右侧为右上" in parentheses) or "双侧": the claim is bilateral.
  if (sides.some((s) => s.value.side === 'both') || new Set(sides.map((s) => subjectSide(s.value))).size > 1) info.side = { side: 'both', frame: 'subject' };
  const levels = scan(masked, zh ? ZH_INTENSITY : EN_INTENSITY);
  if (!info.noMotion && levels.length > 0) {
    const graded = levels.filter((l) => l.value !== 'present');
    info.intensity = graded.length > 0 ? graded[graded.length - 1].value : 'present';
  }
  if (info.colours.some((c) => c.dirs === 'none')) info.noMotion = true;
  return info;
}

function hasStatement(c: { directions: unknown[]; colours: unknown[]; intensity: unknown; noMotion: boolean }): boolean {
  return c.directions.length > 0 || c.colours.length > 0 || c.intensity !== null || c.noMotion;
}

const sameSide = (a: ClaimSide | null, b: ClaimSide | null) => (a === null && b === null) || (a !== null && b !== null && a.side === b.side && a.frame === b.frame);
const sameBases = (a: Base[], b: Base[]) => a.length === b.length && a.every((x) => b.includes(x));

interface Draft extends ClaimFields {
  start: number;
  end: number;
}

function toRegions(bases: Base[], side: ClaimSide | null): RegionName[] {
  const sub = subjectSide(side);
  const out: RegionName[] = [];
  for (const b of bases) {
    if (!SIDED.includes(b)) out.push(b as RegionName);
    else if (sub) out.push(`${b}${sub}` as RegionName);
    else out.push(`${b}R` as RegionName, `${b}L` as RegionName);
  }
  return out.filter((r) => (REGION_NAMES as readonly string[]).includes(r));
}

/** Image direction of "out"/"in" for a known side; null when the side is unknown or both. */
function lateral(tok: 'out' | 'in', side: ClaimSide | null): Direction8 | null {
  const sub = subjectSide(side);
  if (!sub) return null;
  // The subject's right is on the image left: outwards = image left.
  const outDir: Direction8 = sub === 'R' ? 'left' : 'right';
  const inDir: Direction8 = sub === 'R' ? 'right' : 'left';
  return tok === 'out' ? outDir : inDir;
}

function finish(text: string, d: Draft): RegionClaim {
  // Trim bullets, spaces and Markdown markers from the span.
  let s = d.start;
  let e = d.end;
  while (s < e && /[\s\-*#>·•]/.test(text[s])) s++;
  while (e > s && /\s/.test(text[e - 1])) e--;
  const dirs = new Set<Direction8>();
  for (const c of d.colours) if (c.dirs !== 'none') c.dirs.forEach((x) => dirs.add(x));
  const vertical: Direction8[] = [];
  const horizontal: Direction8[] = [];
  for (const t of d.directions) {
    const dir = t === 'out' || t === 'in' ? lateral(t, d.side) : t;
    if (!dir) continue;
    dirs.add(dir);
    if (dir === 'up' || dir === 'down') vertical.push(dir);
    if (dir === 'left' || dir === 'right') horizontal.push(dir);
  }
  // "向下并向右移动": one vertical and one horizontal word describe the diagonal.
  if (vertical.length === 1 && horizontal.length === 1) dirs.add(`${vertical[0]}-${horizontal[0]}` as Direction8);
  return {
    span: [s, e],
    text: text.slice(s, e),
    regions: toRegions(d.bases, d.side),
    side: d.side,
    directions: DIRECTIONS.filter((x) => dirs.has(x)),
    colours: d.colours.map((c) => c.word),
    intensity: d.intensity,
    noMotion: d.noMotion,
    aus: [...new Set(d.aus)],
  };
}

/** Every region claim of an answer, in text order. */
export function extractClaims(answer: string): RegionClaim[] {
  const text = toHalfWidth(answer);
  const claims: RegionClaim[] = [];
  let pos = 0;
  for (const line of text.split('\n')) {
    const from = pos;
    pos += line.length + 1;
    if (/^\s*#/.test(line)) continue; // headings
    let cur: Draft | null = null;
    const flush = () => {
      if (cur && cur.bases.length > 0 && hasStatement(cur)) claims.push(finish(answer, cur));
      cur = null;
    };
    for (const c of clausesOf(text, from, from + line.length)) {
      const info = readClause(text, c);
      if (info.auOnly) {
        if (cur) {
          (cur as Draft).aus.push(...info.aus);
          (cur as Draft).end = c.end;
        }
        continue;
      }
      const d = cur as Draft | null;
      const newRegion = info.bases.length > 0 && d !== null && !sameBases(info.bases, d.bases);
      const newSide = info.side !== null && d !== null && !sameSide(info.side, d.side);
      if (d === null || ((newRegion || newSide) && hasStatement(d))) {
        flush();
        cur = {
          start: c.start,
          end: c.end,
          bases: info.bases.length > 0 ? info.bases : d?.bases ?? [],
          side: info.side,
          directions: [...info.directions],
          colours: [...info.colours],
          intensity: info.intensity,
          noMotion: info.noMotion,
          aus: [...info.aus],
        };
        continue;
      }
      d.end = c.end;
      if (info.bases.length > 0 && !sameBases(info.bases, d.bases)) d.bases = [...new Set([...d.bases, ...info.bases])];
      if (info.side) d.side = info.side;
      d.directions.push(...info.directions);
      d.colours.push(...info.colours);
      if (info.intensity && (d.intensity === null || d.intensity === 'present')) d.intensity = info.intensity;
      d.noMotion ||= info.noMotion;
      d.aus.push(...info.aus);
    }
    flush();
  }
  return claims;
}

function angleDistance(a: number, b: number): number {
  const d = Math.abs(a - b) % 360;
  return d > 180 ? 360 - d : d;
}

const DIRECTION_ANGLE: Record<Direction8, number> = Object.fromEntries(DIRECTIONS.map((d, k) => [d, 45 * k])) as Record<Direction8, number>;
/** A measured angle matches a named direction within one and a half 45-degree sectors. */
export const DIRECTION_TOLERANCE_DEG = 67.5;

/** Compare every claim of `answer` with the measured motion. `motion` null: every claim is not checkable. */
export function checkClaims(answer: string, motion: RegionMotionReport | null): ClaimCheckReport {
  const claims = extractClaims(answer);
  const fromMotion = motion ? inferAus(motion) : null;
  const inferred = new Set(fromMotion ? [...fromMotion.aus, ...fromMotion.noted].map((a) => a.au) : []);
  const results: ClaimResult[] = claims.map((c) => {
    const base = { ...c, ausInferred: c.aus.filter((a) => inferred.has(a)), ausNotInferred: c.aus.filter((a) => !inferred.has(a)) };
    if (!motion) return { ...base, verdict: 'not-checkable', reason: 'No face motion was measured (no face found on the onset frame).', measured: [], directionMatch: null, intensityMatch: null };
    if (c.regions.length === 0) return { ...base, verdict: 'not-checkable', reason: 'The region is not one of the measured facial regions.', measured: [], directionMatch: null, intensityMatch: null };
    const names = c.regions.join(', ');
    const measured: MeasuredRegion[] = c.regions.map((r) => {
      const m = motion.regions[r];
      const w = m.direction ? DIRECTION_WORDS[m.direction] : null;
      return { region: r, direction: m.direction, colour: w ? { zh: w.zhColour, en: w.enColour } : null, intensity: m.intensity, magnitude: m.magnitude, normalised: m.normalised, angle: m.angle };
    });
    if (c.regions.every((r) => motion.regions[r].pixels === 0)) {
      return { ...base, verdict: 'not-checkable', reason: `${names} lies outside the image or the face regions.`, measured, directionMatch: null, intensityMatch: null };
    }
    const moving = measured.filter((m) => m.intensity !== 'none');
    const top = moving.reduce<MeasuredRegion | null>((a, m) => (a === null || INTENSITIES.indexOf(m.intensity) > INTENSITIES.indexOf(a.intensity) ? m : a), null);
    const grade = (x: ClaimedIntensity | null, y: MotionIntensity) => {
      if (x === null || x === 'present') return null;
      const d = Math.abs(INTENSITIES.indexOf(x) - INTENSITIES.indexOf(y));
      return d === 0 ? 'match' : d === 1 ? 'near' : 'mismatch';
    };
    if (c.noMotion || c.intensity === 'none') {
      const clear = measured.filter((m) => m.intensity === 'moderate' || m.intensity === 'strong');
      return clear.length > 0
        ? { ...base, verdict: 'contradicted', reason: `Claims no clear motion, but ${clear.map((m) => `${m.region} moves ${m.direction} (${m.intensity}, ${m.magnitude.toFixed(2)} px)`).join('; ')}.`, measured, directionMatch: null, intensityMatch: 'mismatch' }
        : { ...base, verdict: 'supported', reason: `No clear motion measured in ${names}.`, measured, directionMatch: null, intensityMatch: 'match' };
    }
    if (moving.length === 0) {
      return { ...base, verdict: 'contradicted', reason: `Claims motion, but none is measured in ${names} (none above the noise floor).`, measured, directionMatch: null, intensityMatch: grade(c.intensity, 'none') };
    }
    const intensityMatch = grade(c.intensity, top!.intensity);
    if (c.directions.length === 0) {
      return { ...base, verdict: 'supported', reason: `Motion measured in ${moving.map((m) => m.region).join(', ')} (${top!.intensity}).`, measured, directionMatch: null, intensityMatch };
    }
    const hit = moving.find((m) => c.directions.some((d) => angleDistance(m.angle, DIRECTION_ANGLE[d]) <= DIRECTION_TOLERANCE_DEG));
    if (hit) {
      return { ...base, verdict: 'supported', reason: `${hit.region} moves ${hit.direction} (${hit.intensity}, ${hit.magnitude.toFixed(2)} px), matching ${c.directions.join('/')}.`, measured, directionMatch: true, intensityMatch };
    }
    // Sides are read as the subject's (laterality.ts). When the other side's region does match, say so: the
    // answer may have meant the image's side (the released model often writes sides as it sees the map).
    const mirror = c.regions.map((r) => (r.endsWith('R') ? `${r.slice(0, -1)}L` : r.endsWith('L') ? `${r.slice(0, -1)}R` : r)).filter((r) => !c.regions.includes(r as RegionName)) as RegionName[];
    const mirrored = mirror.find((r) => {
      const m = motion.regions[r];
      return m && m.intensity !== 'none' && c.directions.some((d) => angleDistance(m.angle, DIRECTION_ANGLE[d]) <= DIRECTION_TOLERANCE_DEG);
    });
    const hint = mirrored ? ` Sides are read as the subject's; ${mirrored} (the other side) does move ${motion.regions[mirrored].direction}: the answer may mean the image's side.` : '';
    return {
      ...base,
      verdict: 'contradicted',
      reason: `Claims ${c.directions.join('/')}, but ${moving.map((m) => `${m.region} moves ${m.direction} (${m.magnitude.toFixed(2)} px)`).join('; ')}.${hint}`,
      measured,
      directionMatch: false,
      intensityMatch,
    };
  });
  return {
    claims: results,
    supported: results.filter((r) => r.verdict === 'supported').length,
    contradicted: results.filter((r) => r.verdict === 'contradicted').length,
    notCheckable: results.filter((r) => r.verdict === 'not-checkable').length,
  };
}
