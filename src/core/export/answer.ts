// FGMU training answers for the instruction dataset (paper III-E): the four-part structure the model
// is trained to produce, written deterministically from the clip's ANNOTATED action units and emotion,
// grounded in the motion measured on its MMC-Map. The paper drafted these with Gemini and proofread them;
// ours are reproducible: every region line states what the flow shows (colour, direction, intensity), each
// annotated AU is tied to the regions FACS says it moves, motion outside those regions is noted without
// an AU, and the conclusion lists exactly the annotation, so the answer parser reads it back unchanged.
import { EMOTION_EN, EMOTION_ZH, isEmotion, type Emotion } from '../emotions';
import { formatAuLabel, isExpressiveAu } from '../facs';
import { REGION_NAMES, type RegionName } from '../face/types';
import type { AuCode } from '../dataset/types';
import { EMOTION_PATTERNS } from '../reasoning/emotionTable';
import { regionLabel } from '../reasoning/reasoner';
import { DIRECTION_WORDS, INTENSITY_WORDS, type RegionMotionReport } from '../reasoning/regionMotion';

export type Lang = 'zh' | 'en';

/** Facial regions (without side) where each AU's movement shows, after the FACS manual's appearance changes. */
export const AU_REGIONS: Readonly<Record<number, readonly string[]>> = {
  1: ['innerBrow', 'forehead'],
  2: ['outerBrow', 'forehead'],
  4: ['innerBrow', 'outerBrow'],
  5: ['upperEyelid'],
  6: ['cheek', 'lowerEyelid'],
  7: ['lowerEyelid'],
  9: ['noseWing', 'nasolabial'],
  10: ['upperLip', 'nasolabial'],
  11: ['nasolabial'],
  12: ['lipCorner', 'nasolabial'],
  13: ['lipCorner', 'cheek'],
  14: ['lipCorner'],
  15: ['lipCorner'],
  16: ['lowerLip'],
  17: ['chin', 'lowerLip'],
  18: ['upperLip', 'lowerLip'],
  20: ['lipCorner'],
  22: ['upperLip', 'lowerLip'],
  23: ['upperLip', 'lowerLip', 'lipCorner'],
  24: ['upperLip', 'lowerLip'],
  25: ['lowerLip', 'upperLip'],
  26: ['chin', 'lowerLip'],
  27: ['chin', 'lowerLip'],
  28: ['upperLip', 'lowerLip'],
  38: ['noseWing'],
  39: ['noseWing'],
  41: ['upperEyelid'],
  42: ['upperEyelid'],
  43: ['upperEyelid'],
  44: ['lowerEyelid'],
  45: ['upperEyelid'],
  46: ['upperEyelid'],
};

/** The regions an annotated AU moves: sided regions follow the AU's side, midline regions always count. */
export function regionsOfAu(a: AuCode): RegionName[] {
  const bases = AU_REGIONS[a.au] ?? [];
  return REGION_NAMES.filter((r) => {
    const m = /^(.*?)([LR])?$/.exec(r)!;
    if (!bases.includes(m[1])) return false;
    return !m[2] || a.side === 'both' || a.side === m[2];
  });
}

function label(a: AuCode, lang: Lang): string {
  return formatAuLabel({ au: a.au, side: a.side === 'both' ? undefined : a.side, intensity: a.intensity }, lang);
}

function emotionWord(e: string, lang: Lang): string {
  if (isEmotion(e)) return lang === 'zh' ? EMOTION_ZH[e] : EMOTION_EN[e];
  return e;
}

/** The Davison et al. class whose combination the annotated AUs contain, when it agrees with the label. */
function objectiveClass(aus: readonly AuCode[], emotion: string): { source: string; combo: readonly number[] } | null {
  if (!isEmotion(emotion)) return null;
  const present = new Set(aus.map((a) => a.au));
  const combos = EMOTION_PATTERNS.filter((p) => p.source === 'Davison2018' && p.emotion === emotion && p.aus.every((n) => present.has(n))).sort(
    (a, b) => b.aus.length - a.aus.length,
  );
  return combos.length > 0 ? { source: combos[0].cls ?? '', combo: combos[0].aus } : null;
}

const fmt = (x: number, d = 2): string => x.toFixed(d);

export interface AnswerInput {
  aus: readonly AuCode[];
  /** Canonical emotion of the annotation. */
  emotion: string;
  /**
   * The measured motion; null when no face was found: the image is then the plain grey onset (the authors'
   * preprocess.py result), the answer says the map shows no colour and takes AUs and emotion from the annotation.
   */
  motion: RegionMotionReport | null;
  lang: Lang;
}

/** The FGMU answer (Markdown, four sections) for one annotated clip. Same input, same bytes. */
export function writeTrainingAnswer({ aus, emotion, motion, lang }: AnswerInput): string {
  const zh = lang === 'zh';
  const L: string[] = [];
  const sorted = [...aus].sort((a, b) => a.au - b.au || a.side.localeCompare(b.side));
  const owners = (r: RegionName): AuCode[] => sorted.filter((a) => regionsOfAu(a).includes(r));

  L.push(zh ? '##### 1. 视觉检查：' : '##### 1. Visual inspection:', '');
  const moving = motion ? REGION_NAMES.filter((r) => motion.regions[r].intensity !== 'none') : [];
  for (const r of moving) {
    const m = motion!.regions[r];
    const w = DIRECTION_WORDS[m.direction ?? 'up'];
    const own = owners(r);
    const auText =
      own.length > 0
        ? own.map((a) => label(a, lang)).join(zh ? '、' : ', ')
        : zh
          ? '无（该区域的运动不对应标注的动作单元）'
          : 'none (this motion does not belong to an annotated action unit)';
    L.push(
      zh
        ? `- ${regionLabel(r, lang)}：颜色：${w.zhColour}；运动方向：${w.zhDirection}；运动强度：${INTENSITY_WORDS[m.intensity].zh}（${fmt(m.magnitude)} px）；对应的动作单元 (AUs)：${auText}。`
        : `- ${regionLabel(r, lang)}: colour: ${w.enColour}; direction: ${w.enDirection}; intensity: ${INTENSITY_WORDS[m.intensity].en} (${fmt(m.magnitude)} px); AUs: ${auText}.`,
    );
  }
  if (!motion) {
    L.push(zh ? '- 图像为灰度起始帧，未叠加光流颜色块，看不到可分析的运动。' : '- The image is the grey onset frame with no flow colours: no motion can be seen.', '');
  } else {
    if (moving.length === 0) L.push(zh ? '- 光流图中各面部区域均未见明显的局部运动。' : '- No facial region shows clear local motion in the map.');
    const [hu, hv] = motion.head;
    L.push(
      zh
        ? `- 头部整体运动已按鼻尖补偿（${fmt(hu)}, ${fmt(hv)} px）。`
        : `- Overall head motion compensated at the nose tip (${fmt(hu)}, ${fmt(hv)} px).`,
      '',
    );
  }

  L.push(zh ? '##### 2. 动作单元 (AU) 推断：' : '##### 2. Action unit (AU) inference:', '');
  if (sorted.length === 0) L.push(zh ? '- 未标注动作单元。' : '- No action unit is annotated.');
  for (const a of sorted) {
    const regs = regionsOfAu(a);
    const seen = motion ? regs.filter((r) => motion.regions[r].intensity !== 'none') : [];
    const where = (seen.length > 0 ? seen : regs).map((r) => regionLabel(r, lang)).join(zh ? '、' : ', ');
    const evidence = !motion
      ? zh
        ? '图像中没有光流颜色，无法直接看到该动作'
        : 'the image carries no flow colours, so this action cannot be seen'
      : seen.length > 0
        ? zh
          ? `${where}可见对应的运动`
          : `motion visible at ${where}`
        : regs.length > 0
          ? zh
            ? `${where}的运动低于光流图的可见程度`
            : `the motion at ${where} is below what the map shows`
          : zh
            ? '该动作不在光流可测的面部区域内'
            : 'this action is outside the regions the flow measures';
    const note = isExpressiveAu(a.au) ? '' : zh ? '；非表情性动作，不用于表情推理' : '; not expressive, not used for the emotion';
    L.push(zh ? `- ${label(a, lang)}：${evidence}${note}。` : `- ${label(a, lang)}: ${evidence}${note}.`);
  }
  L.push('');

  L.push(zh ? '##### 3. 表情推理：' : '##### 3. Expression reasoning:', '');
  const expressive = sorted.filter((a) => isExpressiveAu(a.au));
  const word = emotionWord(emotion, lang);
  const cls = objectiveClass(expressive, emotion);
  if (cls) {
    const combo = cls.combo.map((n) => `AU${n}`).join('+');
    L.push(
      zh
        ? `- 动作单元组合 ${combo} 属于 Davison 等 (2018) 客观类别第 ${cls.source} 类，与${word}一致。`
        : `- The combination ${combo} belongs to objective class ${cls.source} of Davison et al. (2018), consistent with ${word}.`,
    );
  } else if (expressive.length > 0) {
    const list = expressive.map((a) => `AU${a.au}`).join('+');
    L.push(
      zh
        ? `- 动作单元 ${list} 的组合结合整体面部动态，判断为${word}。`
        : `- Taken together with the overall facial dynamics, the actions ${list} indicate ${word}.`,
    );
  } else {
    L.push(zh ? `- 没有表情性动作单元；依据整体面部动态判断为${word}。` : `- No expressive action unit; from the overall facial dynamics the expression is ${word}.`);
  }
  L.push('');

  L.push(zh ? '##### 4. 最终结论：' : '##### 4. Final conclusion:', '');
  const list = sorted.length > 0 ? sorted.map((a) => label(a, lang)).join(' + ') : zh ? '无' : 'none';
  L.push(zh ? `动作单元 (AUs)：${list}。微表情类型：${word}` : `Action units (AUs): ${list}. Micro-expression: ${word}`);
  return L.join('\n') + '\n';
}

/** MER sample answer (paper III-F): the emotion word only. */
export function writeMerAnswer(emotion: string, lang: Lang): string {
  return emotionWord(emotion, lang);
}
