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
import { inferFacs, type EmotionDecision, type FacsInference, type InferredAu } from './facsRules';
import { EMOTION_PATTERNS, sourceLabel } from './emotionTable';

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
  const z = m.evidence.z >= 100 ? '>100' : fmt(m.evidence.z, 1);
  return lang === 'zh'
    ? `${fmt(m.magnitude)} px，${fmt(m.normalised, 3)} 眼距，噪声底的 ${z} 倍，置信度 ${fmt(m.evidence.confidence)}`
    : `${fmt(m.magnitude)} px, ${fmt(m.normalised, 3)} IOD, ${z}x the noise floor, confidence ${fmt(m.evidence.confidence)}`;
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

const conf = (x: number) => x.toFixed(2);

/** 'AU06（脸颊提升，置信度 0.97）' / 'AU06 (Cheek raiser, confidence 0.97)'. */
function auWithConfidence(a: InferredAu, lang: ReasoningLang): string {
  const label = formatAuLabel(a, lang);
  return lang === 'zh' ? label.replace(/）$/, `，置信度 ${conf(a.confidence)}）`) : label.replace(/\)$/, `, confidence ${conf(a.confidence)})`);
}

function emotionList(es: readonly Emotion[], lang: ReasoningLang): string {
  const w = es.map((e) => emotionWord(e, lang));
  if (lang === 'zh') return w.join('与');
  return w.length <= 2 ? w.join(' and ') : `${w.slice(0, -1).join(', ')} and ${w[w.length - 1]}`;
}

/** How the decision was reached, one line per pattern group. */
function reasoningLines(d: EmotionDecision, inf: FacsInference, lang: ReasoningLang): string[] {
  const zh = lang === 'zh';
  const L: string[] = [];
  for (const e of d.candidates) {
    const ps = d.patterns.filter((p) => p.emotion === e);
    const parts = ps.map((p) => `${p.aus.map((n) => `AU${n}`).join('+')}${zh ? `（${sourceLabel(p, lang)}）` : ` (${sourceLabel(p, lang)})`}`);
    L.push(zh ? `- ${emotionWord(e, lang)}：完全出现的模式 ${parts.join('、')}。` : `- ${emotionWord(e, lang)}: patterns fully present: ${parts.join('; ')}.`);
  }
  if (d.kind === 'tie') {
    L.push(zh ? `- ${emotionList(d.candidates, lang)}对检测到的动作单元解释程度相同：并列，不按列表顺序取舍。` : `- ${emotionList(d.candidates, lang)} explain the detected AUs equally: a tie, not settled by list order.`);
  } else if (d.kind === 'no-pattern') {
    const aus = inf.aus.map((a) => `AU${a.au}`).join('+');
    L.push(zh ? `- ${aus} 不完整地符合情绪表（EMFACS、Davison 等 2018、CASME II）中的任何模式，无法确定情绪类别。` : `- ${aus} fully matches no pattern of the emotion table (EMFACS, Davison et al. 2018, CASME II): the class cannot be determined.`);
  }
  if (d.excluded.length > 0) {
    const ex = emotionList(d.excluded, lang);
    L.push(zh ? `- 规则首选的类别“${ex}”不在本数据集协议的类别中，只在允许的类别中判断。` : `- The rules' first choice, ${ex}, is not a class of this protocol; only the allowed classes are considered.`);
  }
  const classes = inf.classes.map((e) => emotionWord(e, lang)).join(zh ? '、' : ', ');
  L.push(zh ? `- 候选类别：${classes}。` : `- Allowed classes: ${classes}.`);
  return L;
}

/** The full answer text. Deterministic: same report, classes and language give the same bytes. */
export function writeAnswer(report: RegionMotionReport, inf: FacsInference, lang: ReasoningLang): string {
  const zh = lang === 'zh';
  const L: string[] = [];
  const regionAus = (r: RegionName) => [...inf.aus, ...inf.noted].filter((a) => a.regions.includes(r) && (!a.side || r.endsWith(a.side)));
  L.push(zh ? '#### 分析过程（内置 FACS 推理器）' : '#### Analysis (built-in FACS reasoner)', '');
  L.push(zh ? '##### 1. 视觉检查：' : '##### 1. Visual inspection:', '');
  if (report.lighting?.significant) L.push(`- ${report.lighting.sentence[lang]}`);
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
  if (moving.length === 0) L.push(zh ? '- 各面部区域的运动均未超过本片段的噪声底。' : "- No facial region moves above this clip's noise floor.");
  else if (still.length > 0) {
    const names = still.map((b) => (zh ? REGION_WORDS[b].zh : REGION_WORDS[b].en.toLowerCase()));
    L.push(zh ? `- 其他区域（${names.join('、')}）：未超过噪声底。` : `- Other regions (${names.join(', ')}): within the noise floor.`);
  }
  const n = report.noise;
  const rigid = report.rigid;
  const head = rigid
    ? zh
      ? `整体头部刚性运动已扣除（平移 ${fmt(rigid.dx)}, ${fmt(rigid.dy)} px，旋转 ${fmt(rigid.rollDeg)}°，缩放 ${fmt(rigid.scale, 3)}）`
      : `rigid head motion removed (shift ${fmt(rigid.dx)}, ${fmt(rigid.dy)} px, roll ${fmt(rigid.rollDeg)}°, scale ${fmt(rigid.scale, 3)})`
    : zh
      ? `整体头部运动已按鼻尖窗口补偿（${fmt(report.head[0])}, ${fmt(report.head[1])} px）`
      : `head motion compensated at the nose tip (${fmt(report.head[0])}, ${fmt(report.head[1])} px)`;
  const floor = zh
    ? `噪声底取自本片段：面部背景运动 ${fmt(n.background)} px${n.fb !== null ? `，前后向一致性误差 ${fmt(n.fb)} px` : ''}${n.residual !== null ? `，配准残差 ${fmt(n.residual, 1)} 灰度级` : ''}；区域运动需达到噪声底的 ${fmt(n.tau, 1)} 倍`
    : `noise floor from this clip: face background ${fmt(n.background)} px${n.fb !== null ? `, forward-backward error ${fmt(n.fb)} px` : ''}${n.residual !== null ? `, warping residual ${fmt(n.residual, 1)} grey levels` : ''}; a region must reach ${fmt(n.tau, 1)}x its floor`;
  L.push(zh ? `- ${head}；${floor}；眼距 ${fmt(report.interOcular, 1)} px。` : `- ${head[0].toUpperCase()}${head.slice(1)}; ${floor}; inter-ocular distance ${fmt(report.interOcular, 1)} px.`, '');

  L.push(zh ? '##### 2. 动作单元 (AU) 推断：' : '##### 2. Action unit (AU) inference:', '');
  if (inf.aus.length === 0) L.push(zh ? '- 未发现超过噪声底、可对应表情性动作单元的局部运动。' : '- No local motion above the noise floor corresponds to an expressive action unit.');
  for (const a of inf.aus) L.push(`- ${auReason(a, lang)}${sideWord(a, lang)} → ${formatAuLabel(a, lang)}${zh ? `，置信度 ${conf(a.confidence)}。` : `, confidence ${conf(a.confidence)}.`}`);
  // Blinks / lid closure: noted with their motion but without an AU label, as FGMU annotates them (paper III-E).
  for (const a of inf.noted) L.push(`- ${auReason(a, lang)}${sideWord(a, lang)}${zh ? '：' : ': '}${NOT_EXPRESSIVE[lang]}${zh ? '。' : '.'}`);
  L.push('');

  L.push(zh ? '##### 3. 表情推理：' : '##### 3. Expression reasoning:', '');
  const d = inf.decision;
  if (!d) L.push(zh ? '- 没有超过噪声底的表情性动作单元：不推断情绪类别。' : '- No expressive action unit above the noise floor: no emotion is inferred.');
  else L.push(...reasoningLines(d, inf, lang));
  L.push('');

  L.push(zh ? '##### 4. 最终结论：' : '##### 4. Final conclusion:', '');
  const ausText = inf.aus.length > 0 ? inf.aus.map((a) => auWithConfidence(a, lang)).join(' + ') : zh ? '无' : 'none';
  if (!d) {
    L.push(zh ? `动作单元 (AUs)：无。未发现微表情（各区域运动均未超过本片段的噪声底）。` : "Action units (AUs): none. No micro-expression found (no region moves above this clip's noise floor).");
  } else if (d.kind === 'emotion' && d.emotion) {
    L.push(zh ? `动作单元 (AUs)：${ausText}。微表情类型：${emotionWord(d.emotion, lang)}（置信度 ${conf(d.confidence ?? 0)}）` : `Action units (AUs): ${ausText}. Micro-expression: ${emotionWord(d.emotion, lang)} (confidence ${conf(d.confidence ?? 0)})`);
  } else if (d.kind === 'tie') {
    L.push(zh ? `动作单元 (AUs)：${ausText}。微表情类型：无法确定（${emotionList(d.candidates, lang)}并列）。` : `Action units (AUs): ${ausText}. Micro-expression: undetermined (a tie between ${emotionList(d.candidates, lang)}).`);
  } else {
    L.push(zh ? `动作单元 (AUs)：${ausText}。微表情类型：无法确定（这些动作单元不完整符合任何情绪模式）。` : `Action units (AUs): ${ausText}. Micro-expression: undetermined (no emotion pattern is fully present).`);
  }
  return L.join('\n') + '\n';
}

/** MER task (paper III-F): the emotion word only; otherwise the none / undetermined phrase (parsed as such). */
export function writeMerAnswer(inf: FacsInference, lang: ReasoningLang): string {
  const d = inf.decision;
  if (!d) return lang === 'zh' ? '未发现微表情' : 'No micro-expression found';
  if (d.kind === 'emotion' && d.emotion) return emotionWord(d.emotion, lang);
  return lang === 'zh' ? `无法确定${d.candidates.length > 1 ? `（${emotionList(d.candidates, lang)}并列）` : ''}` : `Undetermined${d.candidates.length > 1 ? ` (a tie between ${emotionList(d.candidates, lang)})` : ''}`;
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

/** The AU -> emotion table with its sources (emotionTable.ts), for the README and the panel. */
export { EMOTION_PATTERNS };
