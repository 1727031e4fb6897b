// One laterality convention for everything that reads sides out of an answer (the parser's AUs, the claim
// check's regions): a plain "左侧 / left / L" is the SUBJECT's side, as FACS codes it (L12 = the subject's
// left lip corner, which is on the image's right). Only an explicit image or viewer word ("图像左侧",
// "画面右边", "the image's left", "viewer's right") means the image side, and it is converted here.
// The built-in reasoner writes subject sides too (formatAuLabel, regionLabel), so what it writes reads
// back the same.

export type SideName = 'left' | 'right' | 'both';
export type SideFrame = 'subject' | 'image';

export interface SideWord {
  side: SideName;
  frame: SideFrame;
}

/** The convention for plain side words. */
export const PLAIN_SIDE_FRAME: SideFrame = 'subject';

// Longest forms first; each list is tried in order by the callers' scanners.
const ZH_IMAGE = String.raw`(?:图像|画面|图片|图中|观察者|观者|视角)的?`;
const ZH_SUBJECT = String.raw`(?:受试者|被试|人物|其|面部|脸部)的?`;

/** zh side phrases, in matching order, with their meaning. */
export const ZH_SIDE_PHRASES: readonly [RegExp, SideWord][] = [
  [new RegExp(`${ZH_SUBJECT}左(?:侧|边)?`, 'g'), { side: 'left', frame: 'subject' }],
  [new RegExp(`${ZH_SUBJECT}右(?:侧|边)?`, 'g'), { side: 'right', frame: 'subject' }],
  [new RegExp(`${ZH_IMAGE}左(?:侧|边)?`, 'g'), { side: 'left', frame: 'image' }],
  [new RegExp(`${ZH_IMAGE}右(?:侧|边)?`, 'g'), { side: 'right', frame: 'image' }],
  [/双侧|两侧|双|两边|左右/g, { side: 'both', frame: PLAIN_SIDE_FRAME }],
  [/左(?:侧|边)?/g, { side: 'left', frame: PLAIN_SIDE_FRAME }],
  [/右(?:侧|边)?/g, { side: 'right', frame: PLAIN_SIDE_FRAME }],
];

const EN_IMAGE = String.raw`(?:(?:the\s+)?(?:image|picture|frame|viewer|observer)(?:'s)?\s+|(?:the\s+)?(?:image|picture)\s+)`;

/** en side phrases, in matching order, with their meaning. */
export const EN_SIDE_PHRASES: readonly [RegExp, SideWord][] = [
  [/\b(?:subject's|his|her|their|person's)\s+left\b/gi, { side: 'left', frame: 'subject' }],
  [/\b(?:subject's|his|her|their|person's)\s+right\b/gi, { side: 'right', frame: 'subject' }],
  [new RegExp(String.raw`\b${EN_IMAGE}left\b|\bleft\s+(?:of|in)\s+the\s+(?:image|picture|frame)\b`, 'gi'), { side: 'left', frame: 'image' }],
  [new RegExp(String.raw`\b${EN_IMAGE}right\b|\bright\s+(?:of|in)\s+the\s+(?:image|picture|frame)\b`, 'gi'), { side: 'right', frame: 'image' }],
  [/\bboth\b|\bbilateral(?:ly)?\b/gi, { side: 'both', frame: PLAIN_SIDE_FRAME }],
  [/\bleft\b/gi, { side: 'left', frame: PLAIN_SIDE_FRAME }],
  [/\bright\b/gi, { side: 'right', frame: PLAIN_SIDE_FRAME }],
];

/** The subject's side ('L'/'R') a side word names; null for both sides or none. */
export function subjectSide(w: SideWord | null): 'L' | 'R' | null {
  if (!w || w.side === 'both') return null;
  const left = w.side === 'left';
  // The image's left is the subject's right.
  return w.frame === 'subject' ? (left ? 'L' : 'R') : left ? 'R' : 'L';
}

/**
 * Regex source for a side word next to an AU ('Right AU12', '右侧AU12', 'AU12 (image left)'): the
 * parser builds its AU pattern with it, and reads the match back with sideOfWord.
 */
export const AU_SIDE_WORD = String.raw`${ZH_SUBJECT}[左右](?:侧|边)?|${ZH_IMAGE}[左右](?:侧|边)?|(?:subject's|his|her|their|person's)\s+(?:left|right)|${EN_IMAGE}(?:left|right)|left|right|Left|Right|LEFT|RIGHT|左侧|右侧|左边|右边|左|右`;

/** The subject's side of one side word or letter next to an AU ('右侧', 'Right', 'L', "image's left"). */
export function sideOfWord(word: string | undefined): 'L' | 'R' | undefined {
  if (!word) return undefined;
  const w = word
    .replace(/[()（）\-]|\bside\b/gi, ' ')
    .replace(/^\s*(?:(?:alone|only)\s+)?on\s+the\s+/i, '')
    .trim();
  if (w === 'L' || w === 'l') return 'L';
  if (w === 'R' || w === 'r') return 'R';
  const table = /[\u4e00-\u9fff]/.test(w) ? ZH_SIDE_PHRASES : EN_SIDE_PHRASES;
  for (const [re, meaning] of table) {
    const m = new RegExp(`^(?:${re.source})$`, re.flags.replace('g', '')).exec(w);
    if (m) return subjectSide(meaning) ?? undefined;
  }
  return undefined;
}
