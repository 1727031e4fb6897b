// The built-in FACS reasoner: the default ReasoningSource when no MELLM server is configured. It reads
// the measured regional motion (regionMotion.ts), infers AUs and the emotion with the FACS rules of
// facsRules.ts, and writes the answer in the model's four-part FGMU structure (visual inspection, AU
// inference, expression reasoning, final conclusion; zh or en), streamed in small deltas through the same
// interface as the server client, so the panel, CLI and bench have one code path. Same input, same text.
import { EMOTIONS, EMOTION_EN, EMOTION_ZH, type Emotion } from '../emotions';
import { auName, formatAuLabel } from '../facs';
import type { RegionName } from '../face/types';
import {
  ReasoningError,
  type ReasoningEvent,
  type ReasoningLang,
  type ReasoningRequest,
  type ReasoningSource,
} from './source';
import { REGION_WORDS, regionLabel, splitRegion } from '../../shared/regions';
import { DIRECTION_WORDS, INTENSITY_WORDS, type RegionMotion, type RegionMotionReport } from './regionMotion';
import { CLASS_COMBOS, inferFacs, type FacsInference, type InferredAu } from './facsRules';

/** Regions in reading order (top to bottom), each pair subject's right then left. */
const ORDER: readonly RegionName[] = [
  'forehead', 'innerBrowR', 'innerBrowL', 'outerBrowR', 'outerBrowL', 'upperEyelidR', 'upperEyelidL', 'lowerEyelidR',
  'lowerEyelidL', 'cheekR', 'cheekL', 'noseWingR', 'noseWingL', 'nasolabialR', 'nasolabialL', 'upperLip', 'lipCornerR',
  'lipCornerL', 'lowerLip', 'chin',
];

// Region names live in src/shared/regions.ts (the panel shows the same words); re-exported for core users.
export { REGION_WORDS, regionLabel };

const fmt = (x: number, d = 2) => x.toFixed(d);

/** How a blink is written: no AU label (FGMU notes such movements without one), so parsers never count it. */
const NOT_EXPRESSIVE: Record<ReasoningLang, string> = {
  zh: '眨眼/闭眼动作，非表情性动作，不标注动作单元，不用于表情推理',
  en: 'blink / lid closure, not expressive: no AU label, not used for the emotion',
};

function measureText(m: RegionMotion, lang: ReasoningLang): string {
  const ratio = m.ratio >= 100 ? '>100' : fmt(m.ratio, 1);
  return lang === 'zh'
    ? `${fmt(m.magnitude)} px，${fmt(m.normalised, 3)} 眼距，背景的 ${ratio} 倍`
    : `${fmt(m.magnitude)} px, ${fmt(m.normalised, 3)} IOD, ${ratio}x background`;
}

function auList(aus: readonly InferredAu[], lang: ReasoningLang): string {
  return aus.map((a) => formatAuLabel(a, lang)).join(lang === 'zh' ? ' + ' : ' + ');
}

function emotionWord(e: Emotion, lang: ReasoningLang): string {
  return lang === 'zh' ? EMOTION_ZH[e] : EMOTION_EN[e];
}

/** Why each AU was inferred, in words (FACS appearance of the motion). */
function auReason(a: InferredAu, lang: ReasoningLang): string {
  const zh: Record<number, string> = {
    1: '眉内侧向上移动', 2: '眉外侧向上移动', 4: '眉毛向下、向内聚拢', 5: '上眼睑向上提起', 6: '脸颊（眼下区域）向上隆起',
    7: '下眼睑向上/向内收紧而脸颊未抬起', 9: '鼻翼向上皱起', 10: '上唇向上提起', 12: '嘴角向上并向外拉', 14: '嘴角横向拉紧（单侧）',
    15: '嘴角向下拉', 17: '下巴向上推', 20: '双侧嘴角水平向外拉伸', 23: '双侧嘴角向内收紧', 24: '上唇向下、下唇向上相互压紧',
    25: '下唇向下而上唇不随之移动，双唇分开', 26: '下巴（下颌）向下移动', 45: '上眼睑向下移动',
  };
  const en: Record<number, string> = {
    1: 'inner brow moves up', 2: 'outer brow moves up', 4: 'brows move down and together', 5: 'upper lid rises',
    6: 'cheek (below the eye) rises', 7: 'lower lid tightens up/inwards without a cheek raise', 9: 'nose wing wrinkles upwards',
    10: 'upper lip rises', 12: 'lip corner pulled up and out', 14: 'lip corner pulled sideways (one side)', 15: 'lip corner pulled down',
    17: 'chin pushed up', 20: 'both lip corners stretched outwards', 23: 'both lip corners drawn inwards', 24: 'upper lip down and lower lip up, pressed together',
    25: 'lower lip moves down while the upper lip stays: lips part', 26: 'chin (jaw) moves down', 45: 'upper lid moves down',
  };
  return (lang === 'zh' ? zh : en)[a.au] ?? auName(a.au, lang);
}

function sideWord(a: InferredAu, lang: ReasoningLang): string {
  if (lang === 'zh') return a.side ? (a.side === 'R' ? '（仅受试者右侧）' : '（仅受试者左侧）') : a.regions.length > 1 ? '（双侧）' : '';
  return a.side ? (a.side === 'R' ? " (subject's right only)" : " (subject's left only)") : a.regions.length > 1 ? ' (both sides)' : '';
}

function romanClass(source: string, lang: ReasoningLang): string {
  if (source === 'EMFACS') return lang === 'zh' ? 'EMFACS 的轻蔑规则（单侧嘴角动作）' : 'the EMFACS contempt rule (one-sided lip-corner action)';
  return lang === 'zh' ? `Davison 等 (2018) 客观类别第 ${source} 类` : `objective class ${source} of Davison et al. (2018)`;
}

/** The full answer text. Deterministic: same report, classes and language give the same bytes. */
export function writeAnswer(report: RegionMotionReport, inf: FacsInference, lang: ReasoningLang): string {
  const zh = lang === 'zh';
  const L: string[] = [];
  const regionAus = (r: RegionName) => [...inf.aus, ...inf.noted].filter((a) => a.regions.includes(r) && (!a.side || r.endsWith(a.side)));
  L.push(zh ? '#### 分析过程（内置 FACS 推理器）' : '#### Analysis (built-in FACS reasoner)', '');
  L.push(zh ? '##### 1. 视觉检查：' : '##### 1. Visual inspection:', '');
  const moving = ORDER.filter((r) => report.regions[r].intensity !== 'none');
  for (const r of moving) {
    const m = report.regions[r];
    const w = DIRECTION_WORDS[m.direction ?? 'up'];
    const aus = regionAus(r);
    const auText = aus.length === 0
      ? (zh ? '无（未对应明确的动作单元）' : 'none (no clear action unit)')
      : aus.map((a) => (a.expressive ? formatAuLabel(a, lang) : NOT_EXPRESSIVE[lang])).join(zh ? '、' : ', ');
    L.push(
      zh
        ? `- ${regionLabel(r, lang)}：颜色：${w.zhColour}；运动方向：${w.zhDirection}；运动强度：${INTENSITY_WORDS[m.intensity].zh}（${measureText(m, lang)}）；推断的面部动作单元 (AUs)：${auText}。`
        : `- ${regionLabel(r, lang)}: colour: ${w.enColour}; direction: ${w.enDirection}; intensity: ${INTENSITY_WORDS[m.intensity].en} (${measureText(m, lang)}); AUs: ${auText}.`,
    );
  }
  const still = [...new Set(ORDER.filter((r) => report.regions[r].intensity === 'none').map((r) => splitRegion(r).base))]
    .filter((base) => !moving.some((r) => splitRegion(r).base === base));
  if (moving.length === 0) L.push(zh ? '- 各面部区域均未检测到明显的局部运动。' : '- No facial region shows clear local motion.');
  else if (still.length > 0) {
    const names = still.map((b) => (zh ? REGION_WORDS[b].zh : REGION_WORDS[b].en.toLowerCase()));
    L.push(zh ? `- 其他区域（${names.join('、')}）：未检测到明显的局部运动。` : `- Other regions (${names.join(', ')}): no clear local motion.`);
  }
  const [hu, hv] = report.head;
  L.push(
    zh
      ? `- 整体头部运动已按鼻尖窗口补偿（${fmt(hu)}, ${fmt(hv)} px）；面部背景运动中位数 ${fmt(report.background)} px，眼距 ${fmt(report.interOcular, 1)} px。`
      : `- Head motion compensated at the nose tip (${fmt(hu)}, ${fmt(hv)} px); face background motion median ${fmt(report.background)} px; inter-ocular distance ${fmt(report.interOcular, 1)} px.`,
    '',
  );

  L.push(zh ? '##### 2. 动作单元 (AU) 推断：' : '##### 2. Action unit (AU) inference:', '');
  if (inf.aus.length === 0) L.push(zh ? '- 未发现可对应表情性动作单元的局部运动。' : '- No local motion corresponds to an expressive action unit.');
  for (const a of inf.aus) L.push(`- ${auReason(a, lang)}${sideWord(a, lang)} → ${formatAuLabel(a, lang)}${zh ? '。' : '.'}`);
  // Blinks / lid closure: noted with their motion but without an AU label, as FGMU annotates them (paper III-E).
  for (const a of inf.noted) L.push(`- ${auReason(a, lang)}${sideWord(a, lang)}${zh ? '：' : ': '}${NOT_EXPRESSIVE[lang]}${zh ? '。' : '.'}`);
  L.push('');

  L.push(zh ? '##### 3. 表情推理：' : '##### 3. Expression reasoning:', '');
  const m = inf.match;
  if (!m) {
    L.push(zh ? '- 没有可用于推理的表情性动作单元，无法可靠地推断微表情类别。' : '- With no expressive action unit there is no basis to infer a micro-expression class.');
  } else {
    const combo = m.combo.map((n) => `AU${n}`).join('+');
    const chosen = emotionWord(m.emotion, lang);
    if (m.kind === 'unilateral') {
      L.push(zh ? `- 嘴角动作只出现在一侧（${auList(inf.aus.filter((a) => a.au === 12 || a.au === 14), lang)}），按 ${romanClass(m.source, lang)}，对应轻蔑。` : `- The lip-corner action is one-sided (${auList(inf.aus.filter((a) => a.au === 12 || a.au === 14), lang)}); by ${romanClass(m.source, lang)} this is contempt.`);
    } else if (m.kind === 'table') {
      L.push(zh ? `- 组合 ${combo} 属于 ${romanClass(m.source, lang)}。` : `- The combination ${combo} belongs to ${romanClass(m.source, lang)}.`);
    } else {
      L.push(zh ? `- 没有完全匹配的组合；与 ${romanClass(m.source, lang)} 的组合 ${combo} 重合最多。` : `- No combination matches fully; the closest is ${combo} of ${romanClass(m.source, lang)}.`);
    }
    if (m.preferred) {
      const pref = emotionWord(m.preferred, lang);
      L.push(zh ? `- 规则首选的类别“${pref}”不在本数据集协议的类别中，改取允许类别中最接近的一类。` : `- The rules' first choice, ${pref}, is not a class of this protocol; the closest allowed class is taken instead.`);
    }
    const classes = inf.classes.map((e) => emotionWord(e, lang)).join(zh ? '、' : ', ');
    L.push(zh ? `- 候选类别：${classes}。推理结果：${chosen}。` : `- Allowed classes: ${classes}. Result: ${chosen}.`);
  }
  L.push('');

  L.push(zh ? '##### 4. 最终结论：' : '##### 4. Final conclusion:', '');
  const ausText = inf.aus.length > 0 ? auList(inf.aus, lang) : zh ? '无' : 'none';
  if (m) {
    L.push(zh ? `动作单元 (AUs)：${ausText}。微表情类型：${emotionWord(m.emotion, lang)}` : `Action units (AUs): ${ausText}. Micro-expression: ${emotionWord(m.emotion, lang)}`);
  } else {
    L.push(zh ? `动作单元 (AUs)：${ausText}。未能推断出微表情类型。` : `Action units (AUs): ${ausText}. No micro-expression class could be inferred.`);
  }
  return L.join('\n') + '\n';
}

/** MER task (paper III-F): the emotion word only; a non-class word when none can be inferred (parses as unparsed). */
export function writeMerAnswer(inf: FacsInference, lang: ReasoningLang): string {
  if (inf.match) return emotionWord(inf.match.emotion, lang);
  return lang === 'zh' ? '无法判断' : 'undetermined';
}

/**
 * The classes a prompt offers, read from its class line (prompts.ts emotionConstraintLine), in order.
 * All seven when the prompt has no such line.
 */
export function classesFromPrompt(prompt: string): Emotion[] {
  const line = prompt.split('\n').find((l) => /微表情归类为以下|one of the following .* emotions/i.test(l));
  if (!line) return [...EMOTIONS];
  const found: { e: Emotion; at: number }[] = [];
  for (const e of EMOTIONS) {
    const at = Math.max(line.indexOf(EMOTION_ZH[e]), line.search(new RegExp(`\\b${e}\\b`, 'i')));
    if (at >= 0) found.push({ e, at });
  }
  return found.length >= 2 ? found.sort((a, b) => a.at - b.at).map((f) => f.e) : [...EMOTIONS];
}

export interface BuiltinReasonerOptions {
  /** Allowed classes; default: read from the request's prompt (its protocol line), else all seven. */
  classes?: readonly Emotion[];
  /** Characters per streamed delta. Default 8. */
  chunkChars?: number;
}

/** Split into deltas of at most n code points (never inside a surrogate pair). */
export function chunkText(text: string, n: number): string[] {
  const cps = Array.from(text);
  const out: string[] = [];
  for (let i = 0; i < cps.length; i += n) out.push(cps.slice(i, i + n).join(''));
  return out;
}

/** The built-in FACS reasoner as a ReasoningSource (motion: the measured RegionMotionReport). */
export class BuiltinReasoner implements ReasoningSource<RegionMotionReport> {
  readonly kind = 'builtin' as const;
  readonly label = 'Built-in FACS reasoner';
  private readonly opts: BuiltinReasonerOptions;

  constructor(opts: BuiltinReasonerOptions = {}) {
    this.opts = opts;
  }

  /** The answer text for a request, without streaming (what stream() yields, concatenated). */
  answer(req: ReasoningRequest<RegionMotionReport>): { text: string; inference: FacsInference } {
    if (!req.motion) {
      throw new ReasoningError(
        'builtin',
        'The built-in reasoner has no measured facial motion: no face was found on the onset frame, so regions cannot be measured. Use a clip with a visible frontal face, or configure a MELLM server (mellm.server.endpoints).',
      );
    }
    const classes = this.opts.classes ?? classesFromPrompt(req.prompt);
    const inference = inferFacs(req.motion, classes);
    const text = req.task === 'mer' ? writeMerAnswer(inference, req.lang) : writeAnswer(req.motion, inference, req.lang);
    return { text, inference };
  }

  async *stream(req: ReasoningRequest<RegionMotionReport>, signal?: AbortSignal): AsyncGenerator<ReasoningEvent> {
    const t0 = performance.now();
    if (signal?.aborted) throw new ReasoningError('aborted', 'The analysis was cancelled before it started.');
    const { text } = this.answer(req);
    yield { type: 'start', source: 'builtin', attempt: 1 };
    let first: number | undefined;
    for (const piece of chunkText(text, Math.max(1, this.opts.chunkChars ?? 8))) {
      if (signal?.aborted) {
        yield { type: 'done', stop: 'aborted', incomplete: true, message: 'The analysis was cancelled; the text so far is kept.', firstTokenMs: first, totalMs: performance.now() - t0 };
        return;
      }
      first ??= performance.now() - t0;
      yield { type: 'delta', text: piece };
    }
    yield { type: 'done', stop: 'stop', incomplete: false, firstTokenMs: first, totalMs: performance.now() - t0 };
  }
}

/** The combination table, for the README and the panel's "how was this decided" view. */
export { CLASS_COMBOS };
