// Human names of the 20 facial regions and the regions each AU moves. Shared by the built-in reasoner's
// answer text (core), the report export and the panel (webview), so a region is called the same
// everywhere and no internal id (`lipCornerR`) reaches a reader. Pure data: no 'vscode', no Node.

/** Display names per region base; the claim check reads the same words back (claimCheck.ts). */
export const REGION_WORDS: Readonly<Record<string, { zh: string; en: string }>> = {
  forehead: { zh: '额头', en: 'Forehead' },
  innerBrow: { zh: '眉内侧', en: 'Inner brow' },
  outerBrow: { zh: '眉外侧', en: 'Outer brow' },
  upperEyelid: { zh: '上眼睑', en: 'Upper eyelid' },
  lowerEyelid: { zh: '下眼睑', en: 'Lower eyelid' },
  cheek: { zh: '脸颊', en: 'Cheek' },
  noseWing: { zh: '鼻翼', en: 'Nose wing' },
  nasolabial: { zh: '鼻唇沟', en: 'Nasolabial fold' },
  lipCorner: { zh: '嘴角', en: 'Lip corner' },
  upperLip: { zh: '上唇', en: 'Upper lip' },
  lowerLip: { zh: '下唇', en: 'Lower lip' },
  chin: { zh: '下巴', en: 'Chin' },
};

/** 'lipCornerR' -> { base: 'lipCorner', side: 'R' } (the SUBJECT's side, FACS convention). */
export function splitRegion(r: string): { base: string; side?: 'L' | 'R' } {
  const m = /^(.*?)([LR])$/.exec(r);
  return m && REGION_WORDS[m[1]] ? { base: m[1], side: m[2] as 'L' | 'R' } : { base: r };
}

/** '眉内侧（受试者右侧）' / "Inner brow (subject's right)"; an unknown id is returned as it is. */
export function regionLabel(r: string, lang: 'zh' | 'en'): string {
  const { base, side } = splitRegion(r);
  const w = REGION_WORDS[base];
  if (!w) return r;
  if (lang === 'zh') return side ? `${w.zh}（受试者${side === 'R' ? '右' : '左'}侧）` : w.zh;
  return side ? `${w.en} (subject's ${side === 'R' ? 'right' : 'left'})` : w.en;
}

/** Regions each AU moves (FACS muscle actions), subject's sides: chip hover and ground-truth outlines. */
export const AU_REGIONS: Readonly<Record<number, readonly string[]>> = {
  1: ['innerBrowL', 'innerBrowR', 'forehead'],
  2: ['outerBrowL', 'outerBrowR', 'forehead'],
  4: ['innerBrowL', 'innerBrowR'],
  5: ['upperEyelidL', 'upperEyelidR'],
  6: ['cheekL', 'cheekR', 'lowerEyelidL', 'lowerEyelidR'],
  7: ['lowerEyelidL', 'lowerEyelidR'],
  9: ['noseWingL', 'noseWingR'],
  10: ['upperLip', 'nasolabialL', 'nasolabialR'],
  11: ['nasolabialL', 'nasolabialR'],
  12: ['lipCornerL', 'lipCornerR', 'nasolabialL', 'nasolabialR'],
  13: ['lipCornerL', 'lipCornerR', 'cheekL', 'cheekR'],
  14: ['lipCornerL', 'lipCornerR'],
  15: ['lipCornerL', 'lipCornerR'],
  16: ['lowerLip'],
  17: ['chin', 'lowerLip'],
  18: ['upperLip', 'lowerLip'],
  20: ['lipCornerL', 'lipCornerR'],
  23: ['upperLip', 'lowerLip'],
  24: ['upperLip', 'lowerLip'],
  25: ['upperLip', 'lowerLip'],
  26: ['lowerLip', 'chin'],
  43: ['upperEyelidL', 'upperEyelidR'],
  45: ['upperEyelidL', 'upperEyelidR'],
};

/** The regions an AU moves, restricted to its side when it has one (midline regions always kept). */
export function regionsForAu(a: { au: number; side?: 'L' | 'R' }): string[] {
  const all = AU_REGIONS[a.au] ?? [];
  return a.side ? all.filter((r) => !/[LR]$/.test(r) || r.endsWith(a.side!)) : [...all];
}

/** The short form for tables: 'Lip corner R' / '嘴角（右）' (R/L: the subject's side). */
export function regionShort(r: string, lang: 'zh' | 'en'): string {
  const { base, side } = splitRegion(r);
  const w = REGION_WORDS[base];
  if (!w) return r;
  if (lang === 'zh') return side ? `${w.zh}（${side === 'R' ? '右' : '左'}）` : w.zh;
  return side ? `${w.en} ${side}` : w.en;
}
