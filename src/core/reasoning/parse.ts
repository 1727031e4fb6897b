// Answer parser: the four FGMU sections, the AUs and the emotion of a model answer (zh or en).
// The prediction comes from the conclusion section (paper IV-C). Model output drifts (bold markers,
// full-width punctuation, quotes, "AU06", "Right AU12", "R12", "L1+R2"), so matching is tolerant, but
// an answer with no recognisable emotion is 'unparsed' — never a default class.
import { EMOTIONS, EN_SYNONYMS, NON_EMOTION_WORDS, ZH_SYNONYMS, type Emotion } from '../emotions';
import type { AuIntensity, AuSide } from '../facs';
import { formatAuCode } from '../facs';

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

export interface ParsedAnswer {
  status: 'parsed' | 'unparsed';
  /** null exactly when status is 'unparsed'. */
  emotion: Emotion | null;
  /** The word as written in the answer, e.g. '开心', 'Happy'. */
  emotionText?: string;
  /** Other class words in the same region that lost to `emotion` (hedged answers). */
  alternatives: Emotion[];
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

const SIDE_WORD = String.raw`left|right|Left|Right|LEFT|RIGHT|左侧|右侧|左边|右边|左|右`;
// Side before ('Right AU12', '右侧AU12', 'R AU12', 'R-AU12'), AU number (leading zeros, spaces), intensity
// letter, side after ('AU12R', 'AU12 (right)', 'AU12（左侧）').
const AU_RE = new RegExp(
  String.raw`(?:(?<pre>(?:${SIDE_WORD})(?:[- ]side)?|[LR](?=[\s\-]?[Aa][Uu]))[\s\-:]*)?` +
    String.raw`(?<![A-Za-z])[Aa][Uu][\s\-_]*0*(?<num>\d{1,2})(?![\d])` +
    String.raw`(?<int>[A-E](?![A-Za-z]))?` +
    String.raw`(?<post>[LR](?![A-Za-z])|\s*[(（]\s*(?:${SIDE_WORD}|L|R)(?:[- ]?side)?\s*[)）])?`,
  'g',
);
// Bare FACS codes: 'R12', 'L1', 'R12C' (side prefix required so plain numbers are never taken for AUs).
const BARE_RE = /(?<![A-Za-z0-9])(?<side>[LR])0*(?<num>\d{1,2})(?<int>[A-E])?(?![A-Za-z0-9])/g;
// FACS '+' chains continue the previous code: 'AU1+2', 'R12+14', 'L1+R2' (the second handled by BARE_RE).
const CHAIN_RE = /^\s*\+\s*0*(\d{1,2})([A-E])?(?![A-Za-z0-9])/;

function sideOf(word: string | undefined): AuSide | undefined {
  if (!word) return undefined;
  const w = word.replace(/[()（）\s\-]|side/gi, '');
  if (/^(left|左侧|左边|左|L)$/i.test(w)) return 'L';
  if (/^(right|右侧|右边|右|R)$/i.test(w)) return 'R';
  return undefined;
}

/** Every AU mentioned in `text`, first mention first, de-duplicated by number and side. */
export function extractAus(text: string): ParsedAu[] {
  const n = toHalfWidth(text).replace(/\\\*/g, '**');
  const found: { pos: number; au: ParsedAu }[] = [];
  const covered: [number, number][] = [];
  const add = (pos: number, end: number, au: number, side: AuSide | undefined, intensity: string | undefined, raw: string) => {
    if (au < 1 || au > 99) return;
    const a: ParsedAu = { au, code: '', raw: raw.trim() };
    if (side) a.side = side;
    if (intensity) a.intensity = intensity as AuIntensity;
    a.code = formatAuCode(a);
    found.push({ pos, au: a });
    covered.push([pos, end]);
  };
  const chain = (from: number, side: AuSide | undefined) => {
    let at = from;
    for (;;) {
      const m = n.slice(at).match(CHAIN_RE);
      if (!m) return;
      add(at, at + m[0].length, Number(m[1]), side, m[2], m[0].replace(/^\s*\+\s*/, ''));
      at += m[0].length;
    }
  };
  for (const m of n.matchAll(AU_RE)) {
    const g = m.groups ?? {};
    const side = sideOf(g.pre) ?? sideOf(g.post);
    const start = m.index ?? 0;
    add(start, start + m[0].length, Number(g.num), side, g.int, m[0]);
    chain(start + m[0].length, undefined);
  }
  for (const m of n.matchAll(BARE_RE)) {
    const start = m.index ?? 0;
    if (covered.some(([a, b]) => start >= a && start < b)) continue;
    const g = m.groups ?? {};
    add(start, start + m[0].length, Number(g.num), sideOf(g.side), g.int, m[0]);
    chain(start + m[0].length, undefined);
  }
  found.sort((a, b) => a.pos - b.pos);
  const seen = new Set<string>();
  const out: ParsedAu[] = [];
  for (const { au } of found) {
    const key = `${au.side ?? ''}${au.au}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(au);
  }
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

const ZH_NEGATION = /(不是|并非|而非|不像|排除|并不|不属于|不太可能是|没有|无|非|不)\s*[“"'「『]?$/;
const EN_NEGATION = /\b(?:not|no|rather than|instead of|isn't|is not|excluding|ruled out|than)\s+(?:(?:a|an|the|really|simply|purely|just)\s+)?["'“]?$/i;
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

/**
 * The emotion a passage concludes with, or null. Negated mentions ('不是开心', 'not happy') and option
 * lists are skipped; among several classes a quoted/bold one wins, then the first after the last
 * 'emotion/表情' marker, then the first mentioned.
 */
export function extractEmotion(text: string): EmotionPick | null {
  const n = toHalfWidth(text).replace(/\\\*/g, '**');
  let cands = candidates(n).filter((c) => {
    const before = n.slice(Math.max(0, c.pos - 12), c.pos);
    return !(ZH_NEGATION.test(before) && /[\u4e00-\u9fff]/.test(c.word)) && !EN_NEGATION.test(before);
  });
  cands = cands.filter((c) => {
    const [s, e] = sentenceOf(n, c.pos);
    const sentence = n.slice(s, e);
    if (OPTION_LIST.test(sentence)) return false;
    const inSentence = new Set(cands.filter((d) => d.pos >= s && d.pos < e).map((d) => d.emotion));
    return inSentence.size < 3;
  });
  if (cands.length === 0) return null;
  const distinct = [...new Set(cands.map((c) => c.emotion))];
  const pick = (c: Candidate): EmotionPick => ({ emotion: c.emotion, word: c.word, alternatives: distinct.filter((e) => e !== c.emotion) });
  if (distinct.length === 1) return pick(cands[0]);
  const quoted = cands.filter((c) => QUOTE_BEFORE.test(n.slice(Math.max(0, c.pos - 3), c.pos)));
  if (new Set(quoted.map((c) => c.emotion)).size === 1) return pick(quoted[0]);
  const markers = [...n.matchAll(MARKER)].map((m) => (m.index ?? 0) + m[0].length);
  for (let i = markers.length - 1; i >= 0; i--) {
    const after = cands.find((c) => c.pos >= markers[i]);
    if (after) return pick(after);
  }
  return pick(cands[0]);
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
    if (!VERDICT.test(toHalfWidth(sentence)) || extractEmotion(sentence) === null) continue;
    return { region: sentence, at: s };
  }
  return null;
}

/** Short answers (MER task: the emotion word only) are read whole. */
const SHORT_ANSWER = 60;

export function parseAnswer(text: string): ParsedAnswer {
  const sections = splitSections(text);
  const conclusions = sections.filter((s) => s.kind === 'conclusion').reverse();
  let pick: EmotionPick | null = null;
  let emotionFrom: ParseSource = 'none';
  let auRegion: string | null = null;
  let ausFrom: ParseSource = 'none';

  for (const c of conclusions) {
    pick = extractEmotion(c.body);
    if (pick) {
      emotionFrom = 'conclusion';
      auRegion = c.body;
      ausFrom = 'conclusion';
      break;
    }
  }
  if (!pick && conclusions.length > 0 && extractAus(conclusions[0].body).length > 0) {
    auRegion = conclusions[0].body;
    ausFrom = 'conclusion';
  }
  // With a conclusion heading present, the conclusion alone decides (paper IV-C): a cut or empty conclusion
  // is 'unparsed' even if earlier reasoning named a class. The fallbacks are for answers without one.
  if (!pick && conclusions.length === 0) {
    const trimmed = text.trim();
    if (trimmed.length <= SHORT_ANSWER && sections.every((s) => s.kind === 'preamble')) {
      pick = extractEmotion(trimmed);
      if (pick) emotionFrom = 'whole';
      auRegion = trimmed;
      ausFrom = 'whole';
    } else {
      const fb = fallbackRegion(text);
      if (fb) {
        pick = extractEmotion(fb.region);
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
    // The conclusion named no AU: report the AU-inference section's, flagged as such.
    const auSection = sections.filter((s) => s.kind === 'au').pop();
    aus = auSection ? extractAus(auSection.body) : [];
    ausFrom = aus.length > 0 ? 'au-section' : 'none';
  }

  if (!pick) {
    return { status: 'unparsed', emotion: null, alternatives: [], emotionFrom: 'none', aus, ausFrom, reason: unparsedReason(text, conclusions.length > 0), sections };
  }
  return { status: 'parsed', emotion: pick.emotion, emotionText: pick.word, alternatives: pick.alternatives, emotionFrom, aus, ausFrom, sections };
}

function unparsedReason(text: string, hadConclusion: boolean): string {
  if (text.trim() === '') return 'The answer is empty.';
  const lower = toHalfWidth(text).toLowerCase();
  const other = NON_EMOTION_WORDS.find((w) => new RegExp(/^[a-z]/.test(w) ? `\\b${w}\\b` : w).test(lower));
  const where = hadConclusion ? 'The conclusion names' : 'No conclusion section was found, and the answer names';
  if (other) return `${where} no emotion class (it says "${other}").`;
  return `${where} none of the seven emotion classes.`;
}
