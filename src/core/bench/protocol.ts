// Benchmark protocols (paper IV-B/IV-C) -> evaluated classes and the prompt each clip is sent with.
// 'mmc' input: the FGMU prompt (prior knowledge + steps) with the class line constrained to the protocol,
// as the paper did for MELLM and for the other MLLMs given MMC-Maps. 'frames' input (zero-shot baseline,
// IV-D): onset and apex frames side by side with a plain prompt and the same constrained class line.
import { EMOTIONS, PROTOCOL_CLASSES, isEmotion, type Emotion, type ProtocolId } from '../emotions';
import { DEFAULT_PROMPT_PRESET, emotionConstraintLine, resolvePrompt, type PromptPreset } from '../reasoning/prompts';
import { regionTextTemplate } from '../reasoning/regionText';
import type { BenchInput, BenchProtocol } from './runDir';

/** The emotion protocol (class list) behind a benchmark protocol; null for 'custom'. */
export function emotionProtocol(p: BenchProtocol): ProtocolId | null {
  if (p === 'casme2' || p === 'casme3a') return p;
  if (p === 'dfme-a' || p === 'dfme-b') return 'dfme';
  return null;
}

/**
 * Classes a run is evaluated on: the protocol's (paper IV-B), or for 'custom' the explicit list or else the
 * classes present in the ground truth, in canonical order. Throws a user-facing Error for bad lists.
 */
export function protocolClasses(p: BenchProtocol, opts: { explicit?: readonly string[]; present?: Iterable<string> } = {}): Emotion[] {
  const ep = emotionProtocol(p);
  if (ep) return [...PROTOCOL_CLASSES[ep]];
  if (opts.explicit && opts.explicit.length > 0) {
    const bad = opts.explicit.filter((c) => !isEmotion(c));
    if (bad.length > 0) throw new Error(`--classes: unknown class ${bad.map((b) => `'${b}'`).join(', ')}; use names from: ${EMOTIONS.join(', ')}`);
    const set = new Set(opts.explicit);
    return EMOTIONS.filter((e) => set.has(e));
  }
  const present = new Set(opts.present ?? []);
  const out = EMOTIONS.filter((e) => present.has(e));
  if (out.length < 2) throw new Error(`The custom protocol needs at least two emotion classes in the dataset's labels (found ${out.length}); pass --classes.`);
  return out;
}

const FRAMES_ZH = {
  meu:
    '这张图片左右并排展示同一张人脸的两帧：左边是微表情的起始帧（onset），右边是顶点帧（apex）。请比较两帧，找出面部发生的细微运动，' +
    '推断涉及的面部动作单元 (AUs)，再推理出微表情。最后以“最终结论”为标题，列出推断出的动作单元和最终的微表情。',
  mer: '这张图片左右并排展示同一张人脸的两帧：左边是微表情的起始帧（onset），右边是顶点帧（apex）。请判断人脸所表达的微表情，只回答一个情绪类别词。',
};
const FRAMES_EN = {
  meu:
    'The image shows two frames of the same face side by side: the onset frame of a micro-expression on the left and its apex frame on the right. ' +
    'Compare them, find the subtle facial movements, infer the facial action units (AUs) involved, then reason about the micro-expression. ' +
    'End with a section headed "Final conclusion" listing the inferred AUs and the final micro-expression.',
  mer:
    'The image shows two frames of the same face side by side: the onset frame of a micro-expression on the left and its apex frame on the right. ' +
    'Classify the micro-expression. Answer with the emotion word only.',
};

/**
 * The exact prompt text for a run and its name (both go into config.json and every results line). 'mmc' input:
 * the prompt preset (default 'authors', main.py's prompt: no class line; MER adds the protocol's class line).
 * 'regions': the region-text template, each clip's measured block filling its slot (the runner records the
 * filled prompt). 'frames': the zero-shot baseline's plain prompt with the protocol's class line.
 */
export function benchPrompt(opts: {
  input: BenchInput;
  task: 'meu' | 'mer';
  lang: 'zh' | 'en';
  classes: readonly Emotion[];
  preset?: PromptPreset;
}): { text: string; preset: string } {
  if (opts.input === 'mmc') {
    const p = resolvePrompt({ preset: opts.preset ?? DEFAULT_PROMPT_PRESET, task: opts.task, classes: opts.classes });
    return { text: p.text, preset: p.preset };
  }
  if (opts.input === 'regions') return { text: regionTextTemplate({ lang: opts.lang, task: opts.task, classes: opts.classes }), preset: 'region-text' };
  const body = opts.lang === 'zh' ? FRAMES_ZH[opts.task] : FRAMES_EN[opts.task];
  return { text: `${body}\n${emotionConstraintLine(opts.classes, opts.lang)}`, preset: 'frames-baseline' };
}
