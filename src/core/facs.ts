// FACS action-unit names (Ekman, Friesen & Hager, FACS Manual 2002), English and Chinese, for the
// built-in reasoner's text, the parser's display and the exporters. Codes follow FACS: AU number,
// optional side prefix L/R (the SUBJECT's side) and intensity letter A (trace) .. E (maximum).

export type AuSide = 'L' | 'R';
export type AuIntensity = 'A' | 'B' | 'C' | 'D' | 'E';

interface AuName {
  en: string;
  zh: string;
  /** Movements like blinks that FGMU notes but does not count as expressive (paper III-E). */
  notExpressive?: boolean;
}

const AU_NAMES: Readonly<Record<number, AuName>> = {
  1: { en: 'Inner brow raiser', zh: '眉内侧上扬' },
  2: { en: 'Outer brow raiser', zh: '眉外侧上扬' },
  4: { en: 'Brow lowerer', zh: '皱眉（眉头下压）' },
  5: { en: 'Upper lid raiser', zh: '上眼睑提升' },
  6: { en: 'Cheek raiser', zh: '脸颊提升' },
  7: { en: 'Lid tightener', zh: '眼睑收紧' },
  9: { en: 'Nose wrinkler', zh: '皱鼻' },
  10: { en: 'Upper lip raiser', zh: '上唇提升' },
  11: { en: 'Nasolabial deepener', zh: '鼻唇沟加深' },
  12: { en: 'Lip corner puller', zh: '嘴角上扬' },
  13: { en: 'Sharp lip puller', zh: '嘴角尖锐上提' },
  14: { en: 'Dimpler', zh: '酒窝（嘴角收紧）' },
  15: { en: 'Lip corner depressor', zh: '嘴角下压' },
  16: { en: 'Lower lip depressor', zh: '下唇下压' },
  17: { en: 'Chin raiser', zh: '下巴上抬' },
  18: { en: 'Lip pucker', zh: '嘴唇撅起' },
  20: { en: 'Lip stretcher', zh: '嘴唇水平拉伸' },
  22: { en: 'Lip funneler', zh: '嘴唇呈漏斗状' },
  23: { en: 'Lip tightener', zh: '嘴唇收紧' },
  24: { en: 'Lip pressor', zh: '嘴唇紧压' },
  25: { en: 'Lips part', zh: '双唇分开' },
  26: { en: 'Jaw drop', zh: '下颌下降' },
  27: { en: 'Mouth stretch', zh: '嘴巴张大' },
  28: { en: 'Lip suck', zh: '抿唇' },
  38: { en: 'Nostril dilator', zh: '鼻孔扩张' },
  39: { en: 'Nostril compressor', zh: '鼻孔收缩' },
  41: { en: 'Lid droop', zh: '眼睑下垂', notExpressive: true },
  42: { en: 'Slit', zh: '眯眼', notExpressive: true },
  43: { en: 'Eyes closed', zh: '闭眼', notExpressive: true },
  44: { en: 'Squint', zh: '斜眯眼' },
  45: { en: 'Blink', zh: '眨眼', notExpressive: true },
  46: { en: 'Wink', zh: '单眼眨眼', notExpressive: true },
};

/** AU numbers with a name in the table above. */
export const KNOWN_AUS: readonly number[] = Object.keys(AU_NAMES).map(Number);

/** FACS name of an AU, or a generic 'AU n' when the table has none. */
export function auName(au: number, lang: 'zh' | 'en'): string {
  const n = AU_NAMES[au];
  if (!n) return `AU${au}`;
  return lang === 'zh' ? n.zh : n.en;
}

export function isKnownAu(au: number): boolean {
  return AU_NAMES[au] !== undefined;
}

/** Blinks and lid closures: noted with their motion but not used for the emotion (paper III-E). */
export function isExpressiveAu(au: number): boolean {
  return AU_NAMES[au]?.notExpressive !== true;
}

/** FACS code: side prefix, number, intensity, e.g. 'R12C' or '6'. */
export function formatAuCode(au: { au: number; side?: AuSide; intensity?: AuIntensity }): string {
  return `${au.side ?? ''}${au.au}${au.intensity ?? ''}`;
}

/** Display label in the model's style: 'AU12' / 'R AU12' with the name, e.g. 'AU12（嘴角上扬）'. */
export function formatAuLabel(au: { au: number; side?: AuSide; intensity?: AuIntensity }, lang: 'zh' | 'en'): string {
  const side = au.side ? (lang === 'zh' ? (au.side === 'L' ? '左侧' : '右侧') : au.side === 'L' ? 'Left ' : 'Right ') : '';
  const code = `AU${String(au.au).padStart(2, '0')}${au.intensity ?? ''}`;
  return lang === 'zh' ? `${side}${code}（${auName(au.au, 'zh')}）` : `${side}${code} (${auName(au.au, 'en')})`;
}
