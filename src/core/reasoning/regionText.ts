// Region statistics as text, and the prompt that sends them to a text-only LLM: the idea of the authors'
// newer MELLM (GitHub zyzhangUstc/MELLM, commit 8dd60cb, MELLM_pipeline/flow_feature.py): one JSON line
// per facial region with its mean and maximum motion magnitude to 3 decimals and a direction when the
// directions are concentrated, inserted into an instruction. Their instruction asks for three steps and
// Negative | Positive | Surprise; ours asks for the four-part FGMU answer of MELLM v1 (the same headings
// the answer parser, the claim check and the benchmark read) over the protocol's emotion classes.
//
// Differences from the authors' line format, on purpose: every line is valid JSON (theirs leaves the
// region string unclosed and the direction unquoted), the concentration is given whenever there is motion
// (theirs only when it is too low), numbers always show 3 decimals (Python drops trailing zeros), and the region
// names are the built-in reasoner's (the claim check reads them back, with the subject's sides spelt out).
import type { Emotion } from '../emotions';
import { emotionConstraintLine, promptClasses, type PromptOptions } from './prompts';
import { regionLabel } from './reasoner';
import { DIRECTION_WORDS } from './regionMotion';
import type { RegionStat, RegionStatsReport } from './regionStats';
import { roundDegrees } from './regionStats';
import type { ReasoningLang } from './source';

/** Where the measured lines go in a template (the template's SHA-256 identifies a benchmark run). */
export const REGIONS_SLOT = '{regions}';

const f3 = (x: number) => x.toFixed(3);

/** The direction field: 'up (92°)' / '向上（92°）', or why none is stated. */
export function directionText(s: RegionStat, lang: ReasoningLang): string {
  if (s.status === 'still') return lang === 'zh' ? '无明显运动' : 'no significant motion';
  if (s.status === 'dispersed' || s.direction === null) return lang === 'zh' ? '无明确的主方向' : 'no clear dominant direction';
  const deg = roundDegrees(s.angle);
  return lang === 'zh' ? `${DIRECTION_WORDS[s.direction].zhDirection}（${deg}°）` : `${s.direction} (${deg}°)`;
}

/** One JSON line for a region. Numbers are written with 3 decimals (as the authors round them). */
export function regionLine(s: RegionStat, lang: ReasoningLang): string {
  const name = JSON.stringify(regionLabel(s.region, lang));
  const dir = JSON.stringify(directionText(s, lang));
  // Without motion the concentration is the ratio of two near-zeros: not a measurement, so null.
  const conc = s.status === 'still' ? 'null' : f3(s.concentration);
  return lang === 'zh'
    ? `{"区域":${name},"平均幅度":${f3(s.meanMagnitude)},"最大幅度":${f3(s.maxMagnitude)},"方向":${dir},"集中度":${conc}}`
    : `{"region":${name},"mean_magnitude":${f3(s.meanMagnitude)},"max_magnitude":${f3(s.maxMagnitude)},"direction":${dir},"concentration":${conc}}`;
}

/** What the lines mean, then the scale of this face, then one line per region: the measured block. */
export function regionBlock(report: RegionStatsReport, lang: ReasoningLang): string {
  const zh = lang === 'zh';
  const L: string[] = [];
  L.push(
    zh
      ? '以下是一段视频起始帧到顶点帧之间的面部运动测量值，由稠密光流（TV-L1）得到，已按鼻尖处的头部运动进行补偿。每个面部区域一行 JSON：平均幅度和最大幅度是该区域内运动幅度（像素）的平均值和最大值；方向是该区域在图像中的运动方向（向上指向图像顶部；角度从向右开始逆时针计，向上为 90°），只在运动方向足够集中时给出；集中度 = 区域内运动矢量之和的长度 / 各矢量长度之和（0 到 1，1 表示所有像素向同一方向运动）。左右指受试者自身的左右。'
      : 'Facial motion between the onset and the apex frame of a clip, measured by dense optical flow (TV-L1) with the head motion removed at the nose tip. One JSON line per facial region: mean_magnitude and max_magnitude are the mean and the largest motion in pixels over the region; direction is where the region moves in the image (up is towards the top of the image; the angle is counter-clockwise from right, up = 90°), given only when the motion directions are concentrated; concentration = length of the summed motion vectors / sum of their lengths (0 to 1; 1 = every pixel moves the same way). Left and right are the subject\'s own sides.',
  );
  if (report.lighting) {
    L.push(zh ? `${report.lighting.zh}以下运动是在校正这一光照变化后测量的。` : `${report.lighting.en} The motion below was measured after correcting this change.`);
  }
  const bg = report.background === null ? null : f3(report.background);
  L.push(
    zh
      ? `尺度：两眼中心距离 ${report.interOcular.toFixed(1)} 像素${bg === null ? '' : `；背景运动（面部区域以外的面部像素运动幅度中位数）${bg} 像素`}。`
      : `Scale: inter-ocular distance ${report.interOcular.toFixed(1)} px${bg === null ? '' : `; background motion (median magnitude over the face outside these regions) ${bg} px`}.`,
  );
  for (const s of report.regions) L.push(regionLine(s, lang));
  return L.join('\n');
}

// The instruction: the FGMU steps of MELLM v1 reworded for measurements instead of a colour map, with the
// authors' newer guidance (attend to regions with clear motion only, note unrelated motion briefly).
const ZH_STEPS = [
  '你需要按以下步骤进行分析：',
  '视觉检查：逐一查看运动幅度明显高于背景运动的区域，说明其运动方向和强弱；没有明显运动的区域无需分析；与表情无关的运动（如眨眼）只需简要说明。并基于特定面部区域的运动方向和幅度，推断涉及的面部动作单元 (AUs)，只有一侧运动时注明是哪一侧。',
  '表情推理：根据识别出的面部动作单元 (AUs) 及其组合，逐步推理出人脸所表达的微表情。',
  '最终结论：请总结分析结果，明确列出推断出的面部动作单元 (AUs) 以及最终推断的微表情；如果没有任何区域的运动明显高于背景运动，请写明未发现微表情。',
  '请用 Markdown 回答，使用以下标题：视觉检查、动作单元 (AU) 推断、表情推理、最终结论。',
] as const;
const EN_STEPS = [
  'Analyse the measurements in the following steps:',
  'Visual inspection: go through the regions whose motion clearly exceeds the background motion and state the direction and strength of each; regions without clear motion need no analysis; motion unrelated to an expression (such as a blink) needs only a brief note. From the direction and magnitude of motion in specific regions, infer the facial action units (AUs) involved, with the side when only one side moves.',
  'Expression reasoning: from the identified AUs and their combination, reason step by step to the micro-expression the face shows.',
  'Final conclusion: summarise the analysis, listing the inferred AUs and the final inferred micro-expression; if no region moves clearly more than the background, say that no micro-expression was found.',
  'Answer in Markdown with the headings "Visual inspection", "Action unit (AU) inference", "Expression reasoning" and "Final conclusion".',
] as const;
const ZH_MER = '请根据这些测量值判断人脸所表达的微表情，只回答一个情绪类别词，不要输出分析过程。';
const EN_MER = 'From these measurements, classify the micro-expression the face shows. Answer with the emotion word only, without any explanation.';

export type RegionTextPromptOptions = Pick<PromptOptions, 'lang' | 'task' | 'protocol' | 'classes'>;

/** The instruction with REGIONS_SLOT where the measured block goes (identical for every clip of a run). */
export function regionTextTemplate(opts: RegionTextPromptOptions): string {
  const classes: readonly Emotion[] = promptClasses(opts);
  const zh = opts.lang === 'zh';
  const steps = (opts.task ?? 'meu') === 'mer' ? [zh ? ZH_MER : EN_MER] : zh ? ZH_STEPS : EN_STEPS;
  return [REGIONS_SLOT, ...steps, emotionConstraintLine(classes, opts.lang)].join('\n');
}

/** The template with the measured block in its slot: the whole user message sent to the LLM. */
export function fillRegionTextTemplate(template: string, block: string): string {
  const at = template.indexOf(REGIONS_SLOT);
  if (at < 0) throw new Error(`region-text template has no ${REGIONS_SLOT} slot`);
  return template.slice(0, at) + block + template.slice(at + REGIONS_SLOT.length);
}

/** The full prompt for one clip. */
export function buildRegionTextPrompt(report: RegionStatsReport, opts: RegionTextPromptOptions): string {
  return fillRegionTextTemplate(regionTextTemplate(opts), regionBlock(report, opts.lang));
}
