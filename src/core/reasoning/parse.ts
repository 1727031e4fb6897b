// Answer parser: the four FGMU sections, the AUs and the emotion of a model answer (zh or en).
// The prediction comes from the conclusion section (paper IV-C). Model output drifts (bold markers,
// full-width punctuation, quotes, "AU06", "Right AU12", "R12", "L1+R2"), so matching is tolerant, but
// an answer with no recognisable emotion is 'unparsed' — never a default class.
import { EMOTIONS, EN_SYNONYMS, NON_EMOTION_WORDS, ZH_SYNONYMS, type Emotion } from '../emotions';
import type { AuIntensity, AuSide } from '../facs';
import { formatAuCode } from '../facs';
import { AU_SIDE_WORD, sideOfWord } from './laterality';
import { deniedSpans, runsOf } from './negation';

export type SectionKind = 'preamble' | 'visual' | 'au' | 'reasoning' | 'conclusion';

export interface AnswerSection {
  kind: SectionKind;
  /** Heading text as written (trimmed), '' for the preamble. */
  title: string;
  /** Offsets into the original text: heading start, body start, end (exclusive). */
  start: number;
  bodyStart: number;
  end: number;
  body: string;
}

export interface ParsedAu {
  au: number;
  /** The subject's side as the answer states it; absent = bilateral / unspecified. */
  side?: AuSide;
  intensity?: AuIntensity;
  /** FACS code, e.g. 'R12C', '6'. */
  code: string;
  /** The matched text, e.g. 'Right AU12', 'AU06'. */
  raw: string;
}

/** Where a result was read from. */
export type ParseSource = 'conclusion' | 'au-section' | 'fallback' | 'whole' | 'none';

/**
 * What the answer concludes:
 *  - 'parsed': one emotion class;
 *  - 'none': no micro-expression found ("未发现微表情", "no micro-expression was detected"): a valid
 *    answer, neither an emotion nor a failure to parse;
 *  - 'undetermined': the answer names several classes as equally likely, or says the class cannot be
 *    determined (candidates lists the classes it names);
 *  - 'unparsed': no class and no such statement could be read (a cut answer, "neutral", a bare list).
 */
export type ParseStatus = 'parsed' | 'none' | 'undetermined' | 'unparsed';

export interface ParsedAnswer {
  status: ParseStatus;
  /** null exactly when status is not 'parsed'. */
  emotion: Emotion | null;
  /** The word as written in the answer, e.g. '开心', 'Happy' (or the 'none' / 'undetermined' phrase). */
  emotionText?: string;
  /** Other class words in the same region that lost to `emotion` (hedged answers). */
  alternatives: Emotion[];
  /** For 'undetermined': the classes the answer leaves open (may be empty). */
  candidates: Emotion[];
  emotionFrom: ParseSource;
  aus: ParsedAu[];
  ausFrom: ParseSource;
  /** Why no emotion was found (status 'unparsed'), one line. */
  reason?: string;
  sections: AnswerSection[];
}

// ---- text normalisation (same length, so offsets stay valid) ----------------------------------------

/** Full-width ASCII and the ideographic space to half-width, one UTF-16 unit for one. */
export function toHalfWidth(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xff01 && c <= 0xff5e) out += String.fromCharCode(c - 0xfee0);
    else if (c === 0x3000) out += ' ';
    else out += text[i];
  }
  return out;
}

// ---- sections ----------------------------------------------------------------------------------------

const HEADINGS: { kind: Exclude<SectionKind, 'preamble'>; re: RegExp }[] = [
  {
    kind: 'au',
    re: /^(?:(?:面部)?动作单元\s*(?:\(\s*AUs?\s*\))?\s*(?:推断|识别|分析)|识别(?:出的)?面部动作单元(?:\s*\(\s*AUs?\s*\))?|AUs?\s*(?:推断|识别|分析)|(?:facial\s+)?action[- ]units?\s*(?:\(\s*AUs?\s*\))?\s*(?:inference|identification|recognition|analysis)|AUs?\s+(?:inference|identification|recognition|analysis))/i,
  },
  {
    kind: 'visual',
    re: /^(?:视觉检查|视觉观察|视觉分析|光流分析|运动分析|visual\s+(?:inspection|check|analysis|observation)|optical[- ]flow(?:[- ]based)?\s+(?:AU\s+)?analysis|motion\s+analysis)/i,
  },
  { kind: 'reasoning', re: /^(?:表情推理|表情推断|情绪推理|(?:AU[- ]based\s+)?(?:expression|emotion)\s+(?:reasoning|inference))/i },
  { kind: 'conclusion', re: /^(?:最终结论|结论|总结|final\s+conclusions?|conclusions?|summary)/i },
];

/** Heading kind and where its body starts within the line, or null when the line is not a heading. */
function headingOf(line: string): { kind: Exclude<SectionKind, 'preamble'>; title: string; bodyOffset: number } | null {
  const n = toHalfWidth(line);
  // Leading Markdown decoration: list bullets, '#', quotes, bold/italic markers (also escaped '\*').
  let i = n.match(/^[\s>#*\-_•·|\\]*/)?.[0].length ?? 0;
  // Numbering: '2.', '2、', '(2)', '第二步', 'Step 2:'.
  const num = n.slice(i).match(/^(?:\(?\d+[.、)]|\(?[一二三四五六七八九十]+[.、)]|第[一二三四五六七八九十\d]+步[:：、.]?|step\s*\d+\s*[:.)]?)\s*/i);
  if (num) i += num[0].length;
  i += n.slice(i).match(/^[\s*_\\]*/)?.[0].length ?? 0;
  const rest = n.slice(i);
  for (const h of HEADINGS) {
    const m = rest.match(h.re);
    if (!m) continue;
    let j = i + m[0].length;
    // Trailing decoration, then either end of line or a colon (inline heading: body follows on the line).
    j += n.slice(j).match(/^[\s*_\\]*/)?.[0].length ?? 0;
    const after = n.slice(j);
    if (after.trim() === '' || /^[:：]/.test(after)) {
      if (/^[:：]/.test(after)) {
        j += 1;
        j += n.slice(j).match(/^[\s*_\\]*/)?.[0].length ?? 0;
      }
      return { kind: h.kind, title: line.slice(0, j).replace(/[\s:：]+$/, '').trim(), bodyOffset: j };
    }
  }
  return null;
}

/** Split an answer into its FGMU sections (any order, repeats allowed); text before the first heading is the preamble. */
export function splitSections(text: string): AnswerSection[] {
  const sections: AnswerSection[] = [];
  let cur: AnswerSection = { kind: 'preamble', title: '', start: 0, bodyStart: 0, end: 0, body: '' };
  let pos = 0;
  const close = (end: number) => {
    cur.end = end;
    cur.body = text.slice(cur.bodyStart, end);
    if (cur.kind !== 'preamble' || cur.body.trim() !== '') sections.push(cur);
  };
  for (const line of text.split('\n')) {
    const h = headingOf(line);
    if (h) {
      close(pos);
      cur = { kind: h.kind, title: h.title, start: pos, bodyStart: pos + h.bodyOffset, end: 0, body: '' };
    }
    pos += line.length + 1;
  }
  close(text.length);
  return sections;
}

// ---- AUs ---------------------------------------------------------------------------------------------

// Side before ('Right AU12', '右侧AU12', 'R AU12', 'R-AU12'; laterality.ts: a plain side is the subject's),
// AU number (leading zeros, spaces; 'AUs 6' too), intensity letter, side after ('AU12R', 'AU12 (right)',
// 'AU12（左侧）'). A lone L/R letter must not end a word ('OR AU12' is not a side).
const AU_RE = new RegExp(
  String.raw`(?:(?<pre>(?:${AU_SIDE_WORD})(?:[- ]side)?|(?<![A-Za-z])[LR](?=[\s\-]?[Aa][Uu]))[\s\-:]*)?` +
    String.raw`(?<![A-Za-z])[Aa][Uu][Ss]?[\s\-_]*0*(?<num>\d{1,2})(?![\d])` +
    String.raw`(?<int>[A-E](?![A-Za-z]))?` +
    String.raw`(?<post>[LR](?![A-Za-z])|\s*[(（]\s*(?:${AU_SIDE_WORD}|L|R)(?:[- ]?side)?\s*[)）]|(?:\s+(?:alone|only))?\s+on\s+the\s+(?:${AU_SIDE_WORD})(?:\s+side)?(?![A-Za-z]))?`,
  'g',
);
// Bare FACS codes: 'R12', 'L1', 'R12C' (side prefix required so plain numbers are never taken for AUs).
const BARE_RE = /(?<![A-Za-z0-9])(?<side>[LR])0*(?<num>\d{1,2})(?<int>[A-E])?(?![A-Za-z0-9])/g;
// FACS '+' chains continue the previous code: 'AU1+2', 'R12+14', 'L1+R2' (the second handled by BARE_RE).
const CHAIN_RE = /^\s*\+\s*0*(\d{1,2})([A-E])?(?![A-Za-z0-9])/;
// Lists of bare numbers after an AU: 'AUs 6 and 12', 'AU 1, 2 and 5', 'AU6/12', 'AU6、12', 'AU6 or 12'.
// Not a number followed by a unit ('AU12 and 15 px').
const LIST_RE = /^\s*(?:,|，|、|\/|&|and|or|和|及|与|或)\s*0*(\d{1,2})([A-E])?(?![\d%A-Za-z]|\.\d|\s*(?:px|%|帧|frames?|°|度|ms))/;

/** One AU mention and where it is in the (normalised) text. */
interface AuMention {
  pos: number;
  end: number;
  au: ParsedAu;
}

function auMentions(n: string): AuMention[] {
  const found: AuMention[] = [];
  const add = (pos: number, end: number, au: number, side: AuSide | undefined, intensity: string | undefined, raw: string) => {
    if (au < 1 || au > 99) return;
    const a: ParsedAu = { au, code: '', raw: raw.trim() };
    if (side) a.side = side;
    if (intensity) a.intensity = intensity as AuIntensity;
    a.code = formatAuCode(a);
    found.push({ pos, end, au: a });
  };
  const follow = (from: number, re: RegExp) => {
    let at = from;
    for (;;) {
      const m = n.slice(at).match(re);
      if (!m) return at;
      const lead = m[0].length - m[0].trimStart().length;
      add(at + lead, at + m[0].length, Number(m[1]), undefined, m[2], m[0].replace(/^[\s+,，、\/&]*(?:and|or|和|及|与|或)?\s*/i, ''));
      at += m[0].length;
    }
  };
  for (const m of n.matchAll(AU_RE)) {
    const g = m.groups ?? {};
    const side = sideOfWord(g.pre) ?? sideOfWord(g.post);
    const start = m.index ?? 0;
    add(start, start + m[0].length, Number(g.num), side, g.int, m[0]);
    let at = follow(start + m[0].length, CHAIN_RE);
    at = follow(at, LIST_RE);
  }
  for (const m of n.matchAll(BARE_RE)) {
    const start = m.index ?? 0;
    if (found.some((f) => start >= f.pos && start < f.end)) continue;
    const g = m.groups ?? {};
    add(start, start + m[0].length, Number(g.num), sideOfWord(g.side), g.int, m[0]);
    follow(start + m[0].length, CHAIN_RE);
  }
  return found.sort((a, b) => a.pos - b.pos);
}

/**
 * Every AU the text states, first mention first, de-duplicated by number and side. Denied mentions are
 * left out ("未见AU12", "no AU6 or AU12", "AU15 is absent"; negation.ts), hedged ones kept ("possibly AU12").
 */
export function extractAus(text: string): ParsedAu[] {
  const n = toHalfWidth(text).replace(/\\\*/g, '**');
  const mentions = auMentions(n);
  const denied = deniedSpans(n, mentions);
  const seen = new Set<string>();
  const out: ParsedAu[] = [];
  mentions.forEach(({ au }, i) => {
    if (denied[i]) return;
    const key = `${au.side ?? ''}${au.au}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(au);
  });
  return out;
}

// ---- emotion -----------------------------------------------------------------------------------------

interface Candidate {
  emotion: Emotion;
  word: string;
  pos: number;
  end: number;
}

const ZH_WORDS: { w: string; e: Emotion }[] = EMOTIONS.flatMap((e) => ZH_SYNONYMS[e].map((w) => ({ w, e }))).sort(
  (a, b) => b.w.length - a.w.length,
);
const ZH_RE = new RegExp(ZH_WORDS.map((x) => x.w).join('|'), 'g');
const EN_WORDS = new Map<string, Emotion>(EMOTIONS.flatMap((e) => EN_SYNONYMS[e].map((w) => [w, e] as [string, Emotion])));
const EN_RE = new RegExp(
  String.raw`(?<![A-Za-z])(?:${[...EN_WORDS.keys()].sort((a, b) => b.length - a.length).join('|')})(?![A-Za-z])`,
  'gi',
);

const QUOTE_BEFORE = /[“"'「『‘*]\s*$/;
const MARKER = /微表情|表情|情绪|情感|类别|类型|结论|emotion|expression|category|label|conclusion|classified/gi;
// The prompt's class list (echoed by some models) or any sentence naming 3+ classes is a list of options.
const OPTION_LIST = /归类为以下|以下.{1,2}种情绪|one of the following/i;

function candidates(n: string): Candidate[] {
  const out: Candidate[] = [];
  for (const m of n.matchAll(ZH_RE)) {
    const w = m[0];
    out.push({ emotion: ZH_WORDS.find((x) => x.w === w)!.e, word: w, pos: m.index ?? 0, end: (m.index ?? 0) + w.length });
  }
  for (const m of n.matchAll(EN_RE)) {
    out.push({ emotion: EN_WORDS.get(m[0].toLowerCase())!, word: m[0], pos: m.index ?? 0, end: (m.index ?? 0) + m[0].length });
  }
  return out.sort((a, b) => a.pos - b.pos);
}

/** Sentence boundaries: offsets where each sentence starts. */
function sentenceOf(n: string, pos: number): [number, number] {
  const stops = /[。！？!?;；\n]|\.(?=\s|$)/g;
  let start = 0;
  for (const m of n.matchAll(stops)) {
    const i = m.index ?? 0;
    if (i >= pos) return [start, i];
    start = i + 1;
  }
  return [start, n.length];
}

export interface EmotionPick {
  emotion: Emotion;
  word: string;
  alternatives: Emotion[];
}

/** What a passage concludes: one emotion, several equally (or no class can be chosen), or no micro-expression. */
export type EmotionReading =
  | { kind: 'emotion'; pick: EmotionPick }
  | { kind: 'undetermined'; candidates: Emotion[]; word: string }
  | { kind: 'none'; word: string };

/** A class word with one of these before it outranks plain mentions ("most likely disgust"). */
const STRONG_BEFORE = /(?:最可能|更可能|最有可能|更有可能|更倾向于?|倾向于|更像|最像|应为|应该是|判断为|判定为|确定为|结论为|归类为|most\s+likely|more\s+likely|most\s+probably|probably|best\s+(?:fits?|described\s+as)|classified\s+as|leans?\s+towards?)\s*(?:是|为|a|an|the)?\s*[“"'「『*]*\s*$/i;
/** ... and plain mentions outrank hedged ones ("possibly surprise"). */
const WEAK_BEFORE = /(?:可能|也许|或许|或者是|perhaps|possibly|maybe|might\s+be|could\s+be|may\s+be|a\s+hint\s+of)\s*(?:是|为|有|a|an|the)?\s*[“"'「『*]*\s*$/i;
/** The passage says no single class can be chosen (a tie, or not enough to decide). */
const UNDETERMINED = /并列|打平|难以区分|无法区分|无法确定|不能确定|无法判断|不能判断|不确定|难以确定|难以判断|不足以(?:确定|判断|区分)|\bties?\b|\btied\b|equally\s+(?:likely|supported|well|possible|consistent)|cannot\s+(?:be\s+)?(?:determined|decided|told\s+apart|distinguished)|can't\s+(?:be\s+)?(?:determined|decided|told\s+apart)|undetermined|indeterminate|inconclusive|ambiguous\s+between/gi;
/** The passage says there is no micro-expression (the distinct "none" outcome). */
const NONE = /(?:未|没有|无|并无|不存在)(?:发现|检测到|观察到|出现|见到|识别到|可靠的|明显的|任何)*(?:明显的?|可靠的?|可检测的?)?微表情(?!类型|类别|的类型|的类别|分类)|no\s+(?:clear\s+|reliable\s+|detectable\s+|visible\s+)?micro-?expressions?\s+(?:was\s+|were\s+|is\s+|are\s+|could\s+be\s+)?(?:found|detected|present|observed|seen)|\bno\s+micro-?expressions?\b(?!\s+(?:class|type|category|label))/i;

function tier(n: string, c: Candidate): number {
  const before = n.slice(Math.max(0, c.pos - 16), c.pos);
  return STRONG_BEFORE.test(before) ? 2 : WEAK_BEFORE.test(before) ? 0 : 1;
}

/**
 * What a passage concludes about the emotion, or null when it names none. Denied mentions ('不是开心',
 * 'unlikely to be happiness', '而非开心、悲伤或惊讶'; negation.ts) and option lists are skipped. Among several
 * classes: a strongly stated one ('most likely', '更倾向于') over plain over hedged ('possibly'); then a
 * quoted/bold one, then the first after the last 'emotion/表情' marker, then the first mentioned. A tie or
 * "cannot be determined" without a strongly stated class is 'undetermined'; "no micro-expression found"
 * with no class left is 'none'.
 */
export function readEmotion(text: string): EmotionReading | null {
  const n = toHalfWidth(text).replace(/\\\*/g, '**');
  // "无法确定是开心还是惊讶": the undetermined phrase is not a negation of what follows it.
  const undetermined = [...n.matchAll(UNDETERMINED)];
  const forDenial = n.replace(UNDETERMINED, (m) => ' '.repeat(m.length));
  const all = candidates(n);
  const denied = deniedSpans(forDenial, all);
  let cands = all.filter((_, i) => !denied[i]);
  // A sentence naming three or more classes is a list of options (the prompt's class line echoed back),
  // unless it is stated as open ("可能是A、B或C", "cannot be determined"): then it stays, to be undetermined.
  const hedgedRun = new Set<Candidate>();
  for (const r of runsOf(n, cands)) if (tier(n, cands[r.from]) === 0) for (let i = r.from; i <= r.to; i++) hedgedRun.add(cands[i]);
  cands = cands.filter((c) => {
    const [s, e] = sentenceOf(n, c.pos);
    const sentence = n.slice(s, e);
    if (OPTION_LIST.test(sentence) && undetermined.length === 0) return false;
    const inSentence = new Set(cands.filter((d) => d.pos >= s && d.pos < e).map((d) => d.emotion));
    return inSentence.size < 3 || undetermined.length > 0 || hedgedRun.has(c);
  });
  const none = NONE.exec(n);
  if (cands.length === 0) {
    if (none) return { kind: 'none', word: none[0] };
    if (undetermined.length > 0) return { kind: 'undetermined', candidates: [], word: undetermined[0][0] };
    return null;
  }
  // A hedge or emphasis before a list covers the list ("可能是害怕或悲伤": both hedged).
  const runs = runsOf(n, cands);
  const tiers = new Map<Candidate, number>();
  for (const r of runs) for (let i = r.from; i <= r.to; i++) tiers.set(cands[i], tier(n, cands[r.from]));
  const top = Math.max(...tiers.values());
  if (undetermined.length > 0 && top < 2) {
    return { kind: 'undetermined', candidates: [...new Set(cands.map((c) => c.emotion))], word: undetermined[0][0] };
  }
  const distinct = [...new Set(cands.map((c) => c.emotion))];
  const best = cands.filter((c) => tiers.get(c) === top);
  // Alternatives offered side by side at the top rank ("fear or sadness", "开心和惊讶") leave the class open.
  for (const r of runs) {
    const inRun = new Set(cands.slice(r.from, r.to + 1).filter((c) => tiers.get(c) === top).map((c) => c.emotion));
    if (inRun.size > 1) return { kind: 'undetermined', candidates: [...inRun], word: n.slice(cands[r.from].pos, cands[r.to].end) };
  }
  const pick = (c: Candidate): EmotionReading => ({ kind: 'emotion', pick: { emotion: c.emotion, word: c.word, alternatives: distinct.filter((e) => e !== c.emotion) } });
  if (new Set(best.map((c) => c.emotion)).size === 1) return pick(best[0]);
  const quoted = best.filter((c) => QUOTE_BEFORE.test(n.slice(Math.max(0, c.pos - 3), c.pos)));
  if (new Set(quoted.map((c) => c.emotion)).size === 1) return pick(quoted[0]);
  const markers = [...n.matchAll(MARKER)].map((m) => (m.index ?? 0) + m[0].length);
  for (let i = markers.length - 1; i >= 0; i--) {
    const after = best.find((c) => c.pos >= markers[i]);
    if (after) return pick(after);
  }
  return pick(best[0]);
}

/** The one emotion a passage concludes with, or null (none named, a tie, or no micro-expression). */
export function extractEmotion(text: string): EmotionPick | null {
  const r = readEmotion(text);
  return r?.kind === 'emotion' ? r.pick : null;
}

// Sentences that state a verdict when no conclusion section exists.
const VERDICT = /最终|综合|因此|综上|所以|总之|结论|判断为|推断为|推测为|微表情(?:类型|类别)?(?:为|是)|final|overall|conclu|therefore|thus|most likely|the (?:micro-)?expression is|emotion is/i;

function fallbackRegion(text: string): { region: string; at: number } | null {
  const n = toHalfWidth(text);
  const stops = /[。！？!?;；\n]|\.(?=\s|$)/g;
  const sentences: [number, number][] = [];
  let start = 0;
  for (const m of n.matchAll(stops)) {
    sentences.push([start, m.index ?? 0]);
    start = (m.index ?? 0) + 1;
  }
  sentences.push([start, n.length]);
  for (let i = sentences.length - 1; i >= 0; i--) {
    const [s, e] = sentences[i];
    const sentence = text.slice(s, e);
    if (!VERDICT.test(toHalfWidth(sentence)) || readEmotion(sentence) === null) continue;
    return { region: sentence, at: s };
  }
  return null;
}

/** Short answers (MER task: the emotion word only) are read whole. */
const SHORT_ANSWER = 60;

export function parseAnswer(text: string): ParsedAnswer {
  const sections = splitSections(text);
  const conclusions = sections.filter((s) => s.kind === 'conclusion').reverse();
  let reading: EmotionReading | null = null;
  let emotionFrom: ParseSource = 'none';
  let auRegion: string | null = null;
  let ausFrom: ParseSource = 'none';

  for (const c of conclusions) {
    reading = readEmotion(c.body);
    if (reading) {
      emotionFrom = 'conclusion';
      auRegion = c.body;
      ausFrom = 'conclusion';
      break;
    }
  }
  if (!reading && conclusions.length > 0 && extractAus(conclusions[0].body).length > 0) {
    auRegion = conclusions[0].body;
    ausFrom = 'conclusion';
  }
  // With a conclusion heading present, the conclusion alone decides (paper IV-C): a cut or empty conclusion
  // is 'unparsed' even if earlier reasoning named a class. The fallbacks are for answers without one.
  if (!reading && conclusions.length === 0) {
    const trimmed = text.trim();
    if (trimmed.length <= SHORT_ANSWER && sections.every((s) => s.kind === 'preamble')) {
      reading = readEmotion(trimmed);
      if (reading) emotionFrom = 'whole';
      auRegion = trimmed;
      ausFrom = 'whole';
    } else {
      const fb = fallbackRegion(text);
      if (fb) {
        reading = readEmotion(fb.region);
        emotionFrom = 'fallback';
        if (!auRegion) {
          // The AUs a drifting answer concludes with sit in the section holding its verdict sentence.
          const holder = sections.find((sec) => fb.at >= sec.start && fb.at < sec.end);
          auRegion = holder ? text.slice(holder.bodyStart, holder.end) : fb.region;
          ausFrom = 'fallback';
        }
      }
    }
  }
  let aus = auRegion ? extractAus(auRegion) : [];
  if (aus.length === 0) {
    // The conclusion named no AU: report the AU-inference section's, flagged as such (not when the answer
    // concludes that there is no micro-expression: then it claims none).
    const auSection = reading?.kind === 'none' ? undefined : sections.filter((s) => s.kind === 'au').pop();
    aus = auSection ? extractAus(auSection.body) : [];
    ausFrom = aus.length > 0 ? 'au-section' : 'none';
  }

  const base = { alternatives: [] as Emotion[], candidates: [] as Emotion[], aus, ausFrom, sections };
  if (!reading) return { ...base, status: 'unparsed', emotion: null, emotionFrom: 'none', reason: unparsedReason(text, conclusions.length > 0) };
  if (reading.kind === 'none') return { ...base, status: 'none', emotion: null, emotionText: reading.word, emotionFrom };
  if (reading.kind === 'undetermined') return { ...base, status: 'undetermined', emotion: null, emotionText: reading.word, candidates: reading.candidates, emotionFrom };
  const { pick } = reading;
  return { ...base, status: 'parsed', emotion: pick.emotion, emotionText: pick.word, alternatives: pick.alternatives, emotionFrom };
}

function unparsedReason(text: string, hadConclusion: boolean): string {
  if (text.trim() === '') return 'The answer is empty.';
  const lower = toHalfWidth(text).toLowerCase();
  const other = NON_EMOTION_WORDS.find((w) => new RegExp(/^[a-z]/.test(w) ? `\\b${w}\\b` : w).test(lower));
  const where = hadConclusion ? 'The conclusion names' : 'No conclusion section was found, and the answer names';
  if (other) return `${where} no emotion class (it says "${other}").`;
  return `${where} none of the seven emotion classes.`;
}
