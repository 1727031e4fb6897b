// FGMU and MER prompts (paper III-D, III-F), as named presets (resolvePrompt):
// - 'authors' (the default): the prompt of main.py in the authors' repo (zyzhangUstc/mellmv1-base-on-
//   Qwen2.5vl-7B-, commit b7daa0f, line 41), byte for byte: what the released weights are run with. Image
//   first, then this text, no class line, system prompt "You are a helpful assistant."
//   (test/reasoning/authors-prompt.test.ts compares it with a committed excerpt of main.py).
// - 'paper': the text of the paper's figure (colour table on one line, the seven-class line), byte-exact to
//   the paper file including its trailing spaces (test/reasoning/prompts.test.ts).
// - 'paper-casme2' / 'paper-casme3a' / 'paper-dfme': the figure's text with the class line constrained to
//   the dataset's classes, as the paper prompted the other MLLMs it compared.
// - 'en', 'en-<dataset>': an English rendering, for other models (not what the weights were trained on).
import { createHash } from 'node:crypto';
import { EMOTIONS, EMOTION_ZH, PROTOCOL_CLASSES, PROTOCOL_IDS, type Emotion, type ProtocolId } from '../emotions';
import type { ReasoningLang, ReasoningTask } from './source';

/** Where the authors' prompt and generation settings come from. */
export const AUTHORS_SOURCE = Object.freeze({
  repo: 'github.com/zyzhangUstc/mellmv1-base-on-Qwen2.5vl-7B-',
  commit: 'b7daa0f151c7ceac313fb3874ec43d9a82ca1b97',
  file: 'main.py',
});

/**
 * main.py's prompt after its "<image>" placeholder (which the chat template turns into the image), line by
 * line: the prior knowledge, the colour table as eight lines (no final 。), the three steps; no class line,
 * no trailing spaces.
 */
const AUTHORS_LINES = [
  '这是一个人脸图像，叠加了微表情的可视化光流图。在此图像中，每个面部区域的颜色表示运动的方向，亮度表示运动的幅度。颜色到方向的映射如下：',
  '向上：紫色',
  '右上：品红色，粉红色',
  '向右：红色',
  '右下：橙黄色',
  '向下：黄绿色',
  '左下：绿色',
  '向左：青色',
  '左上：蓝色',
  '你需要按以下步骤进行分析：',
  '视觉检查：仔细观察颜色块在不同面部区域的分布。排除整体头部运动和亮度较低（运动较弱）的区域。仅关注明显的局部运动单元。识别每个关键区域的颜色、相应的运动方向和运动强度。并基于特定面部区域的运动方向和幅度，推断图像中涉及的面部动作单元 (AUs)。',
  '表情推理：结合上下文信息，并根据识别出的面部动作单元 (AUs) 及其组合，推理出人脸所表达的微表情。',
  '最终结论：请总结分析结果，明确列出推断出的面部动作单元 (AUs) 以及最终推断的微表情。',
] as const;

/** The released weights' prompt, byte for byte main.py's (without its "<image>" placeholder). */
export const AUTHORS_PROMPT: string = AUTHORS_LINES.join('\n');
/** SHA-256 (hex) of AUTHORS_PROMPT's UTF-8 bytes; checked by the prompt test. */
export const AUTHORS_PROMPT_SHA256 = '0c08152c9dd7723e558114a868b9adffaecf6a56e5d211d802cd2c1967971a3f';
/** main.py's system prompt (also Qwen2.5-VL's default). */
export const AUTHORS_SYSTEM_PROMPT = 'You are a helpful assistant.';

/** Prior knowledge + three-step instruction, as the released weights were trained (without the class line). */
const ZH_BODY_LINES = [
  '这是一个人脸图像，叠加了微表情的可视化光流图。在此图像中，每个面部区域的颜色表示运动的方向，亮度表示运动的幅度。颜色到方向的映射如下：  ',
  '向上：紫色；右上：品红色/粉红色；向右：红色；右下：橙黄色；向下：黄绿色；左下：绿色；向左：青色；左上：蓝色。  ',
  '你需要按以下步骤进行分析：  ',
  '视觉检查：仔细观察颜色块在不同面部区域的分布。排除整体头部运动和亮度较低（运动较弱）的区域。仅关注明显的局部运动单元。识别每个关键区域的颜色、相应的运动方向和运动强度。并基于特定面部区域的运动方向和幅度，推断图像中涉及的面部动作单元 (AUs)。  ',
  '表情推理：结合上下文信息，并根据识别出的面部动作单元 (AUs) 及其组合，推理出人脸所表达的微表情。  ',
  '最终结论：请总结分析结果，明确列出推断出的面部动作单元 (AUs) 以及最终推断的微表情。  ',
] as const;

const ZH_COUNT = ['零', '一', '两', '三', '四', '五', '六', '七', '八', '九'];
const EN_COUNT = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

/** '(微表情归类为以下七种情绪之一：开心、悲伤、害怕、惊讶、厌恶、轻蔑或生气。)' for the seven classes. */
export function emotionConstraintLine(classes: readonly Emotion[], lang: ReasoningLang): string {
  if (classes.length < 2 || classes.length > 9) throw new RangeError(`A prompt needs 2..9 emotion classes, got ${classes.length}.`);
  if (lang === 'zh') {
    const words = classes.map((c) => EMOTION_ZH[c]);
    const list = `${words.slice(0, -1).join('、')}或${words[words.length - 1]}`;
    return `(微表情归类为以下${ZH_COUNT[classes.length]}种情绪之一：${list}。)`;
  }
  const list = `${classes.slice(0, -1).join(', ')} or ${classes[classes.length - 1]}`;
  return `(The micro-expression is one of the following ${EN_COUNT[classes.length]} emotions: ${list}.)`;
}

/** The released model's default prompt, byte-exact (seven classes). */
export const FGMU_PROMPT_ZH: string = [...ZH_BODY_LINES, emotionConstraintLine(EMOTIONS, 'zh')].join('\n');

/** SHA-256 (hex) of FGMU_PROMPT_ZH's UTF-8 bytes; checked by the prompt test. */
export const FGMU_PROMPT_ZH_SHA256 = '60b4bc3c27c0d54c9356044e9b45dd70347280090299c8e2b6ba40fba78caaf5';

/** English rendering for other models (not what the released weights were trained on). */
const EN_BODY_LINES = [
  'This is a face image overlaid with a visualised optical-flow map of a micro-expression. In this image, the colour of each facial region indicates the direction of motion and the brightness indicates the magnitude of motion. The colour-to-direction mapping is:',
  'Up: purple; up-right: magenta/pink; right: red; down-right: orange-yellow; down: yellow-green; down-left: green; left: cyan; up-left: blue.',
  'Analyse the image in the following steps:',
  'Visual inspection: carefully observe how the colour patches are distributed over the facial regions. Exclude overall head motion and dim (weak-motion) areas; focus only on clear local motion. For each key region, identify the colour, the corresponding direction of motion and its intensity, and from the direction and magnitude of motion in specific facial regions infer the facial action units (AUs) involved.',
  'Expression reasoning: combining the context and the identified AUs and their combination, infer the micro-expression the face shows.',
  'Final conclusion: summarise the analysis, listing the inferred AUs and the final inferred micro-expression.',
  'Answer in Markdown with the headings "Visual inspection", "Action unit (AU) inference", "Expression reasoning" and "Final conclusion".',
] as const;

/** MER (paper III-F): same image and prior knowledge, answer with the emotion word only. Our wording: neither the paper nor main.py gives one. */
const ZH_MER_INSTRUCTION = '请判断人脸所表达的微表情，只回答一个情绪类别词，不要输出分析过程。';
const EN_MER_INSTRUCTION = 'Classify the micro-expression the face shows. Answer with the emotion word only, without any explanation.';

export interface PromptOptions {
  lang: ReasoningLang;
  /** Default 'meu' (full FGMU analysis). */
  task?: ReasoningTask;
  /** Constrain the class line to a dataset protocol (casme2: 5, casme3a: 6, dfme: 7). Default: all seven. */
  protocol?: ProtocolId;
  /** Explicit class list; wins over protocol. */
  classes?: readonly Emotion[];
}

/** The classes a prompt offers: explicit list, else the protocol's, else all seven. */
export function promptClasses(opts: Pick<PromptOptions, 'protocol' | 'classes'>): readonly Emotion[] {
  return opts.classes ?? (opts.protocol ? PROTOCOL_CLASSES[opts.protocol] : EMOTIONS);
}

/**
 * Build the prompt. zh + meu + seven classes returns FGMU_PROMPT_ZH exactly; other protocols change only
 * the last (class) line, as the paper did when constraining models to a dataset's classes.
 */
export function buildPrompt(opts: PromptOptions): string {
  const classes = promptClasses(opts);
  const task = opts.task ?? 'meu';
  const classLine = emotionConstraintLine(classes, opts.lang);
  if (opts.lang === 'zh') {
    const body = task === 'meu' ? ZH_BODY_LINES : [ZH_BODY_LINES[0], ZH_BODY_LINES[1], ZH_MER_INSTRUCTION];
    return [...body, classLine].join('\n');
  }
  const body = task === 'meu' ? EN_BODY_LINES : [EN_BODY_LINES[0], EN_BODY_LINES[1], EN_MER_INSTRUCTION];
  return [...body, classLine].join('\n');
}

// ---------- presets ----------

export type PromptBase = 'authors' | 'paper' | 'en';
export type PromptPreset = 'authors' | 'paper' | `paper-${ProtocolId}` | 'en' | `en-${ProtocolId}`;
export const DEFAULT_PROMPT_PRESET: PromptPreset = 'authors';
export const PROMPT_PRESETS: readonly PromptPreset[] = [
  'authors',
  'paper',
  ...PROTOCOL_IDS.map((p) => `paper-${p}` as const),
  'en',
  ...PROTOCOL_IDS.map((p) => `en-${p}` as const),
];

export function isPromptPreset(x: unknown): x is PromptPreset {
  return typeof x === 'string' && (PROMPT_PRESETS as readonly string[]).includes(x);
}

/** The preset's base text and the dataset its class line is constrained to (null: none). */
export function presetParts(preset: PromptPreset): { base: PromptBase; protocol: ProtocolId | null } {
  const m = /^(authors|paper|en)(?:-(.+))?$/.exec(preset)!;
  return { base: m[1] as PromptBase, protocol: (m[2] as ProtocolId | undefined) ?? null };
}

/** The prompt language of a preset (the authors' and the paper's are Chinese). */
export function presetLang(preset: PromptPreset): ReasoningLang {
  return presetParts(preset).base === 'en' ? 'en' : 'zh';
}

/** A prompt as sent, with what identifies it in every answer, benchmark record and exported sample. */
export interface ResolvedPrompt {
  preset: PromptPreset;
  task: ReasoningTask;
  lang: ReasoningLang;
  text: string;
  /** SHA-256 (hex) of the UTF-8 bytes of `text`. */
  sha256: string;
  /** UTF-8 length of `text`. */
  bytes: number;
}

export interface ResolveOptions {
  preset?: PromptPreset;
  task?: ReasoningTask;
  /**
   * The MER task's class list when the preset names no dataset (a benchmark passes its protocol's);
   * default all seven. The MEU text is fixed by the preset (authors: no class line; paper, en: seven).
   */
  classes?: readonly Emotion[];
}

export function sha256Utf8(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The exact prompt text of a preset and task. */
export function resolvePrompt(opts: ResolveOptions = {}): ResolvedPrompt {
  const preset = opts.preset ?? DEFAULT_PROMPT_PRESET;
  if (!isPromptPreset(preset)) throw new RangeError(`unknown prompt preset '${String(preset)}' (presets: ${PROMPT_PRESETS.join(', ')})`);
  const task = opts.task ?? 'meu';
  const { base, protocol } = presetParts(preset);
  const lang = presetLang(preset);
  let text: string;
  if (base === 'authors') {
    // main.py has no MER prompt: its prior knowledge and colour table, then our MER instruction and class line.
    text =
      task === 'meu'
        ? AUTHORS_PROMPT
        : [...AUTHORS_LINES.slice(0, 9), ZH_MER_INSTRUCTION, emotionConstraintLine(opts.classes ?? EMOTIONS, 'zh')].join('\n');
  } else {
    const classes = protocol ? PROTOCOL_CLASSES[protocol] : task === 'mer' ? (opts.classes ?? EMOTIONS) : EMOTIONS;
    text = buildPrompt({ lang, task, classes });
  }
  return { preset, task, lang, text, sha256: sha256Utf8(text), bytes: Buffer.byteLength(text, 'utf8') };
}

/** The preset that reproduces what `buildPrompt({ lang, protocol })` gave before presets (settings migration). */
export function legacyPreset(lang: ReasoningLang, protocol?: ProtocolId): PromptPreset {
  return (protocol ? `${lang === 'en' ? 'en' : 'paper'}-${protocol}` : lang === 'en' ? 'en' : 'paper') as PromptPreset;
}

/**
 * The prompt a user's settings choose: an explicitly set mellm.prompt; else, for settings written before
 * mellm.prompt existed, an explicit mellm.language 'en' (which chose the English prompt then); else 'authors'.
 * Arguments: the values the user SET (undefined when left at the default).
 */
export function promptFromSettings(set: { prompt?: unknown; language?: unknown }): PromptPreset {
  if (set.prompt !== undefined) return isPromptPreset(set.prompt) ? set.prompt : DEFAULT_PROMPT_PRESET;
  return set.language === 'en' ? 'en' : DEFAULT_PROMPT_PRESET;
}

/** One line for help texts and the README: each preset with what it is. */
export const PROMPT_PRESET_DESCRIPTIONS: Readonly<Record<PromptBase, string>> = Object.freeze({
  authors: "main.py's prompt byte for byte (the released weights' input): image first, no class line",
  paper: "the paper figure's text with its seven-class line; paper-<dataset>: the class line constrained to the dataset's classes",
  en: 'an English rendering for other models; en-<dataset>: constrained to the dataset\'s classes',
});
