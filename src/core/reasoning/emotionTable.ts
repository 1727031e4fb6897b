// AU -> emotion: every pattern the built-in reasoner may use, with the source it comes from. One file, so
// what the reasoner concludes can be traced to a table a researcher can look up.
//
// Sources:
//  - EMFACS: the emotion prototypes of Friesen & Ekman's EMFACS-7 (1983), as listed by Matsumoto & Ekman,
//    "Facial expression analysis", Scholarpedia 3(5):4237 (2008): happiness 6+12, sadness 1+4+15,
//    surprise 1+2+5B+26, fear 1+2+4+5+7+20+26, anger 4+5+7+23, disgust 9+15+16, contempt R12A+R14A
//    (intensity letters dropped). Contempt is the unilateral rule below (one-sided AU12 and/or AU14).
//  - Davison2018: the objective classes of A. K. Davison, W. Merghani, M. H. Yap, "Objective Classes for
//    Micro-Facial Expression Recognition", J. Imaging 4(10):119 (2018), which group the FACS codes of
//    CASME II and SAMM by AU combination (class I happiness ... VI fear; VII "others" is not used).
//  - CASME2: the AU criteria CASME II used to label emotions (W.-J. Yan et al., "CASME II: An Improved
//    Spontaneous Micro-Expression Database and the Baseline Evaluation", PLoS ONE 9(1):e86041, 2014):
//    happiness AU6 or AU12; disgust AU9, AU10 or AU4+AU7; surprise AU1+2, AU25 or AU2; sadness AU1; fear
//    AU1+4 or AU20 ("repression", AU15 / AU17, is not one of the seven classes). NOTE: transcribed from
//    the paper's labelling table as remembered; check against the paper before relying on it.
//
// How the reasoner decides (facsRules.ts emotionFromAus): only patterns fully present count (no partial
// matches). An emotion's support is the set of detected AUs its matched patterns explain; the emotion
// explaining the most detected AUs wins, then the one with the largest single pattern; anything still
// level is a tie and is reported as a tie, never settled by list order.
import type { Emotion } from '../emotions';

export type PatternSource = 'EMFACS' | 'Davison2018' | 'CASME2';

export interface EmotionPattern {
  emotion: Emotion;
  aus: readonly number[];
  source: PatternSource;
  /** Davison et al. class numeral, for the text. */
  cls?: string;
}

const P = (emotion: Emotion, source: PatternSource, cls: string | undefined, ...combos: number[][]): EmotionPattern[] =>
  combos.map((aus) => ({ emotion, aus, source, ...(cls ? { cls } : {}) }));

export const EMOTION_PATTERNS: readonly EmotionPattern[] = [
  // EMFACS prototypes
  ...P('happiness', 'EMFACS', undefined, [6, 12]),
  ...P('sadness', 'EMFACS', undefined, [1, 4, 15]),
  ...P('surprise', 'EMFACS', undefined, [1, 2, 5, 26]),
  ...P('fear', 'EMFACS', undefined, [1, 2, 4, 5, 7, 20, 26]),
  ...P('anger', 'EMFACS', undefined, [4, 5, 7, 23]),
  ...P('disgust', 'EMFACS', undefined, [9, 15, 16]),
  // Davison et al. 2018, objective classes I-VI
  ...P('happiness', 'Davison2018', 'I', [6], [12], [6, 12], [6, 7, 12], [7, 12]),
  ...P('surprise', 'Davison2018', 'II', [1, 2], [5], [25], [1, 2, 25], [25, 26], [5, 24]),
  ...P('anger', 'Davison2018', 'III', [23], [4], [4, 7], [4, 5], [4, 5, 7], [17, 24], [4, 6, 7], [4, 38]),
  ...P('disgust', 'Davison2018', 'IV', [10], [9], [4, 9], [4, 40], [4, 5, 40], [4, 7, 9], [4, 9, 17], [4, 7, 10], [4, 5, 7, 9], [7, 10]),
  ...P('sadness', 'Davison2018', 'V', [1], [15], [1, 4], [6, 15], [15, 17]),
  ...P('fear', 'Davison2018', 'VI', [1, 2, 4], [20]),
  // CASME II labelling criteria
  ...P('happiness', 'CASME2', undefined, [6], [12]),
  ...P('disgust', 'CASME2', undefined, [9], [10], [4, 7]),
  ...P('surprise', 'CASME2', undefined, [1, 2], [25], [2]),
  ...P('sadness', 'CASME2', undefined, [1]),
  ...P('fear', 'CASME2', undefined, [1, 4], [20]),
];

/**
 * Contempt (EMFACS; Matsumoto & Ekman 2004, "The relationship among expressions, labels, and descriptions
 * of contempt", J. Pers. Soc. Psychol. 87(4)): a lip-corner action, AU12 and/or AU14, on one side only.
 */
export const CONTEMPT_RULE = { emotion: 'contempt' as const, aus: [12, 14] as const, source: 'EMFACS' as const };

/** Human-readable source, for the answer text. */
export function sourceLabel(p: { source: PatternSource; cls?: string }, lang: 'zh' | 'en'): string {
  if (p.source === 'EMFACS') return lang === 'zh' ? 'EMFACS 原型' : 'the EMFACS prototype';
  if (p.source === 'Davison2018') return lang === 'zh' ? `Davison 等 (2018) 客观类别第 ${p.cls} 类` : `objective class ${p.cls} of Davison et al. (2018)`;
  return lang === 'zh' ? 'CASME II 的编码标准' : 'the CASME II labelling criteria';
}
