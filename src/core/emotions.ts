// The emotion vocabulary shared by prompts, the answer parser, dataset readers and metrics.
// Canonical names are the English nouns used by the paper's protocols (DESIGN.md §4).

/** All seven classes, in the order the released zh prompt lists them (开心、悲伤、害怕、惊讶、厌恶、轻蔑、生气). */
export const EMOTIONS = ['happiness', 'sadness', 'fear', 'surprise', 'disgust', 'contempt', 'anger'] as const;
export type Emotion = (typeof EMOTIONS)[number];

export type ProtocolId = 'casme2' | 'casme3a' | 'dfme';
export const PROTOCOL_IDS: readonly ProtocolId[] = ['casme2', 'casme3a', 'dfme'];

/** Evaluation classes per dataset protocol (paper IV-B/IV-C): CASME II 5, CAS(ME)^3 part A 6, DFME 7. */
export const PROTOCOL_CLASSES: Readonly<Record<ProtocolId, readonly Emotion[]>> = {
  casme2: ['happiness', 'sadness', 'fear', 'surprise', 'disgust'],
  casme3a: ['happiness', 'sadness', 'fear', 'surprise', 'disgust', 'anger'],
  dfme: EMOTIONS,
};

/** The word the zh prompt and the released model use for each class. */
export const EMOTION_ZH: Readonly<Record<Emotion, string>> = {
  happiness: '开心',
  sadness: '悲伤',
  fear: '害怕',
  surprise: '惊讶',
  disgust: '厌恶',
  contempt: '轻蔑',
  anger: '生气',
};

/** English display label (capitalised noun). */
export const EMOTION_EN: Readonly<Record<Emotion, string>> = {
  happiness: 'Happiness',
  sadness: 'Sadness',
  fear: 'Fear',
  surprise: 'Surprise',
  disgust: 'Disgust',
  contempt: 'Contempt',
  anger: 'Anger',
};

export function emotionLabel(e: Emotion, lang: 'zh' | 'en'): string {
  return lang === 'zh' ? EMOTION_ZH[e] : EMOTION_EN[e];
}

/**
 * Chinese words (and common synonyms models use) for each class. Longest entries first within the
 * scanner, so no ordering constraint here.
 */
export const ZH_SYNONYMS: Readonly<Record<Emotion, readonly string[]>> = {
  happiness: ['开心', '高兴', '快乐', '愉快', '喜悦', '幸福', '愉悦'],
  sadness: ['悲伤', '伤心', '难过', '悲哀', '忧伤'],
  fear: ['害怕', '恐惧', '惧怕', '惊恐', '恐慌'],
  surprise: ['惊讶', '惊奇', '吃惊', '诧异', '惊异'],
  disgust: ['厌恶', '反感', '嫌恶', '恶心', '憎恶'],
  contempt: ['轻蔑', '蔑视', '鄙视', '不屑', '轻视'],
  anger: ['生气', '愤怒', '恼怒', '气愤', '发怒'],
};

/** English words (lower case) for each class, matched on word boundaries. */
export const EN_SYNONYMS: Readonly<Record<Emotion, readonly string[]>> = {
  happiness: ['happiness', 'happy', 'joy', 'joyful', 'joyous', 'happily'],
  sadness: ['sadness', 'sad', 'sorrow', 'unhappiness', 'unhappy'],
  fear: ['fear', 'fearful', 'afraid', 'scared', 'fright', 'frightened'],
  surprise: ['surprise', 'surprised', 'astonishment', 'astonished'],
  disgust: ['disgust', 'disgusted', 'revulsion'],
  contempt: ['contempt', 'contemptuous', 'disdain', 'scorn'],
  anger: ['anger', 'angry', 'rage', 'fury', 'furious'],
};

/** Words that name a non-emotion answer: recognised so the parser can say why it found no class. */
export const NON_EMOTION_WORDS: readonly string[] = ['中性', '无表情', '平静', 'neutral', 'none', 'others', 'other', 'repression', 'tense'];

/**
 * Map one label (dataset annotation or a single model word) to a class, or null when it is not one of
 * the seven (e.g. CASME II 'others', 'repression', 'tense'). Case- and whitespace-insensitive.
 */
export function normaliseEmotion(label: string): Emotion | null {
  const w = label.trim().toLowerCase().replace(/[.。!！"'“”‘’「」『』*]/g, '').trim();
  if (w === '') return null;
  for (const e of EMOTIONS) {
    if (EN_SYNONYMS[e].includes(w) || ZH_SYNONYMS[e].includes(w)) return e;
  }
  return null;
}

export function isEmotion(x: unknown): x is Emotion {
  return typeof x === 'string' && (EMOTIONS as readonly string[]).includes(x);
}

export function isProtocolId(x: unknown): x is ProtocolId {
  return typeof x === 'string' && (PROTOCOL_IDS as readonly string[]).includes(x);
}
