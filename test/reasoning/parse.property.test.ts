// Property tests: answers generated from (AUs with sides, one emotion, denied distractor AUs and emotions)
// in zh and en parse back to exactly those AUs and that emotion, whatever the wording, order and lists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseAnswer } from '../../src/core/reasoning/parse';
import { EMOTIONS, EMOTION_EN, EMOTION_ZH, type Emotion } from '../../src/core/emotions';

type Side = 'L' | 'R' | undefined;
interface Au {
  au: number;
  side: Side;
}

const AU_NUMBERS = [1, 2, 4, 5, 6, 7, 9, 10, 12, 14, 15, 17, 20, 23, 24, 25, 26];
const code = (a: Au) => `${a.side ?? ''}${a.au}`;

/** One AU as a model might write it; sides are the subject's (laterality.ts). */
function auText(a: Au, lang: 'zh' | 'en', style: number, pad: boolean): string {
  const n = pad && a.au < 10 ? `0${a.au}` : String(a.au);
  if (lang === 'zh') {
    if (!a.side) return `AU${n}`;
    const w = a.side === 'L' ? '左侧' : '右侧';
    return [`${w}AU${n}`, `AU${n}（${w}）`, `受试者${w}AU${n}`][style % 3];
  }
  if (!a.side) return [`AU${n}`, `AU ${n}`, `AU-${n}`][style % 3];
  const w = a.side === 'L' ? 'Left' : 'Right';
  return [`${w} AU${n}`, `AU${n} (${w.toLowerCase()})`, `${a.side}${a.au}`][style % 3];
}

/** A list of AUs: "A + B", "A、B", "A, B and C", or "AUs 6 and 12" when no side is given. */
function listText(aus: Au[], lang: 'zh' | 'en', style: number, pad: boolean): string {
  if (style % 4 === 3 && aus.length >= 2 && aus.every((a) => !a.side) && lang === 'en') {
    const nums = aus.map((a) => String(a.au));
    return `AUs ${nums.slice(0, -1).join(', ')} and ${nums[nums.length - 1]}`;
  }
  const parts = aus.map((a, i) => auText(a, lang, style + i, pad));
  if (style % 4 === 0) return parts.join(' + ');
  if (style % 4 === 1) return parts.join(lang === 'zh' ? '、' : ', ');
  return parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')}${lang === 'zh' ? '和' : ' and '}${parts[parts.length - 1]}`;
}

/** A denied list of AUs, as its own clause. */
function deniedAus(aus: Au[], lang: 'zh' | 'en', style: number): string {
  const list = aus.map((a) => `AU${a.au}`);
  const or = lang === 'zh' ? '或' : ' or ';
  const joined = list.length === 1 ? list[0] : `${list.slice(0, -1).join(', ')}${or}${list[list.length - 1]}`;
  if (lang === 'zh') return [`未见${joined}`, `没有${joined}`, `${list.join('、')}均未出现`, `无${joined}`, `未检测到明显的${joined}`][style % 5];
  return [`no ${joined}`, `without ${joined}`, `${list.join(' and ')} ${list.length > 1 ? 'are' : 'is'} absent`, `there is no evidence of ${joined}`, `${joined} not observed`][style % 5];
}

/** The emotion sentence, with denied distractor emotions before or after it. */
function emotionText(e: Emotion, distract: Emotion[], lang: 'zh' | 'en', style: number): string {
  const w = (x: Emotion) => (lang === 'zh' ? EMOTION_ZH[x] : EMOTION_EN[x].toLowerCase());
  if (distract.length === 0) return lang === 'zh' ? `微表情类型：${w(e)}` : `Micro-expression: ${w(e)}`;
  const d = distract.map(w);
  const list = d.length === 1 ? d[0] : `${d.slice(0, -1).join(lang === 'zh' ? '、' : ', ')}${lang === 'zh' ? '或' : ' or '}${d[d.length - 1]}`;
  if (lang === 'zh') {
    return [`微表情类型为${w(e)}，而非${list}`, `不是${list}，而是${w(e)}`, `没有表现出${list}，微表情类型：${w(e)}`, `排除${list}后，判断为${w(e)}`][style % 4];
  }
  return [
    `The micro-expression is ${w(e)}, not ${list}`,
    `Not ${list} but ${w(e)}`,
    `It is unlikely to be ${list}; most likely ${w(e)}`,
    `${w(e)} rather than ${list}`,
  ][style % 4];
}

const auArb = fc.record({ au: fc.constantFrom(...AU_NUMBERS), side: fc.constantFrom<Side>(undefined, 'L', 'R') });

const answerArb = fc
  .record({
    lang: fc.constantFrom<'zh' | 'en'>('zh', 'en'),
    aus: fc.uniqueArray(auArb, { minLength: 1, maxLength: 5, selector: (a) => a.au }),
    deniedCount: fc.integer({ min: 0, max: 3 }),
    emotion: fc.constantFrom(...EMOTIONS),
    distractors: fc.uniqueArray(fc.constantFrom(...EMOTIONS), { maxLength: 3 }),
    style: fc.nat(1000),
    pad: fc.boolean(),
    deniedFirst: fc.boolean(),
    full: fc.boolean(),
  })
  .map((x) => {
    const used = new Set(x.aus.map((a) => a.au));
    const denied = AU_NUMBERS.filter((n) => !used.has(n)).slice(x.style % 5, (x.style % 5) + x.deniedCount).map((au) => ({ au, side: undefined }));
    return { ...x, denied, distractors: x.distractors.filter((e) => e !== x.emotion) };
  });

function render(a: ReturnType<(typeof answerArb)['generate']>['value']): string {
  const zh = a.lang === 'zh';
  const sep = zh ? '；' : '; ';
  const stated = `${zh ? '动作单元 (AUs)：' : 'Action units (AUs): '}${listText(a.aus, a.lang, a.style, a.pad)}`;
  const parts = [stated];
  if (a.denied.length > 0) {
    const d = deniedAus(a.denied, a.lang, a.style);
    if (a.deniedFirst) parts.unshift(d);
    else parts.push(d);
  }
  const conclusion = `${parts.join(sep)}${zh ? '。' : '. '}${emotionText(a.emotion, a.distractors, a.lang, a.style)}${zh ? '。' : '.'}`;
  const heading = zh ? '##### 4. 最终结论：' : '##### 4. Final conclusion:';
  if (!a.full) return `${heading}\n${conclusion}`;
  // A full answer: the other sections mention distractors too; only the conclusion counts.
  const other = EMOTIONS.find((e) => e !== a.emotion && !a.distractors.includes(e))!;
  const body = zh
    ? `##### 1. 视觉检查：\n- 嘴角与眉毛有运动。\n\n##### 2. 动作单元 (AU) 推断：\n- ${listText(a.aus, a.lang, a.style + 1, !a.pad)}。\n\n##### 3. 表情推理：\n- 也可能是${EMOTION_ZH[other]}。\n\n`
    : `##### 1. Visual inspection:\n- The mouth and brows move.\n\n##### 2. Action unit (AU) inference:\n- ${listText(a.aus, a.lang, a.style + 1, !a.pad)}.\n\n##### 3. Expression reasoning:\n- It might also be ${EMOTION_EN[other].toLowerCase()}.\n\n`;
  return `${body}${heading}\n${conclusion}`;
}

test('generated answers (AUs with sides, an emotion, denied distractors; zh and en) parse back exactly', () => {
  fc.assert(
    fc.property(answerArb, (a) => {
      const text = render(a);
      const p = parseAnswer(text);
      assert.equal(p.status, 'parsed', `${text}\n-> ${p.status} ${p.reason ?? ''}`);
      assert.equal(p.emotion, a.emotion, text);
      assert.deepEqual(p.aus.map((x) => x.code).sort(), a.aus.map(code).sort(), text);
    }),
    { numRuns: 600, seed: 15 },
  );
});

test('generated "no micro-expression" and tie answers are the none and undetermined outcomes, never an emotion', () => {
  const noneArb = fc.record({ lang: fc.constantFrom<'zh' | 'en'>('zh', 'en'), style: fc.nat(100) });
  fc.assert(
    fc.property(noneArb, ({ lang, style }) => {
      const zh = ['未发现微表情。', '未检测到可靠的微表情。', '各区域运动均在噪声水平以内：未发现微表情。', '没有发现任何微表情。'];
      const en = ['No micro-expression was found.', 'No micro-expression detected.', 'All regions stay within the noise floor: no micro-expression was found.', 'No reliable micro-expression was detected.'];
      const text = `${lang === 'zh' ? '##### 4. 最终结论：\n动作单元 (AUs)：无。' : '##### 4. Final conclusion:\nAction units (AUs): none. '}${(lang === 'zh' ? zh : en)[style % 4]}`;
      const p = parseAnswer(text);
      assert.equal(p.status, 'none', text);
      assert.equal(p.emotion, null);
      assert.deepEqual(p.aus, []);
    }),
    { numRuns: 100, seed: 15 },
  );
  const tieArb = fc.record({ lang: fc.constantFrom<'zh' | 'en'>('zh', 'en'), pair: fc.uniqueArray(fc.constantFrom(...EMOTIONS), { minLength: 2, maxLength: 3 }), style: fc.nat(100) });
  fc.assert(
    fc.property(tieArb, ({ lang, pair, style }) => {
      const names = pair.map((e) => (lang === 'zh' ? EMOTION_ZH[e] : EMOTION_EN[e].toLowerCase()));
      const text =
        lang === 'zh'
          ? `##### 4. 最终结论：\nAU4。${[`${names.join('与')}并列，无法确定`, `难以区分${names.join('和')}`, `可能是${names.join('或')}`][style % 3]}。`
          : `##### 4. Final conclusion:\nAU4. ${[`Tie between ${names.join(' and ')}`, `It could be ${names.join(' or ')}`, `${names.join(' and ')} are equally likely`][style % 3]}.`;
      const p = parseAnswer(text);
      assert.equal(p.status, 'undetermined', text);
      assert.deepEqual([...p.candidates].sort(), [...pair].sort(), text);
    }),
    { numRuns: 150, seed: 15 },
  );
});
