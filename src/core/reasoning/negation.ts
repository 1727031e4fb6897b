// Which mentions (AUs, emotion words) in an answer are denied or ruled out: "未见AU12", "no AU6 or AU12",
// "无AU12", "AU15 is absent", "unlikely to be happiness", "而非开心、悲伤或惊讶", "没有表现出开心，而是厌恶".
//
// Rules (zh and en):
//  - Mentions joined only by list words (",", "、", "/", "and", "or", "nor", "和", "或", "及", "与") form a
//    run; a negation covers the whole run ("no AU6 or AU12" denies both; "no AU6 but AU12" does not).
//  - A run is denied when a negation cue precedes it in the same clause with only a short filler between
//    ("没有表现出", "no clear evidence of") and no contrast or conjunction in that filler ("but", "而是",
//    "and", "因此"), or when a post-cue follows it ("is absent", "未出现", "unlikely").
//  - Clauses end at 。！？!?;；:：, commas and line breaks; a colon ends one so that "No AUs: ..." labels
//    do not deny a list.
//  - "cannot be ruled out", "不能排除", "无法排除" are not negations (they keep the mention possible).
// Words that begin with a negation character but are not negations (非常, 无疑, 不仅, 不过, 未来, 不屑,
// 不快...) are excluded from the cues.

export interface Span {
  pos: number;
  end: number;
}

const ZH_CUE = /(?:并非|而非|不是|并不|并未|不属于|不像|不太可能|不可能|未必|排除|没有|没|未见|未|无|非|不)(?!常|疑|论|仅|但|禁|断|久|同|少|错|过|屑|满|安|适|悦|快|来|对称|明确)/g;
const EN_CUE = /\b(?:not|no|never|without|unlikely(?:\s+to\s+be)?|rather\s+than|instead\s+of|isn't|aren't|wasn't|weren't|doesn't|don't|didn't|cannot\s+be|can't\s+be|excluding|except(?:\s+for)?|rules?\s+out|ruled\s+out|nor|neither|lacks?|lacking|absence\s+of|absent|than)\b(?!\s+(?:only|doubt|longer|just|merely))/gi;
/** Phrases that read as negations but keep the mention possible. */
const OVERRIDE = /不能排除|无法排除|不排除|不可排除|(?:cannot|can't|could\s+not|couldn't)\s+(?:be\s+)?(?:ruled\s+out|rule\s+out|excluded?)|not\s+(?:be\s+)?ruled\s+out/gi;
/** Filler between a cue and the run must not hold these: they start a new statement. */
const SCOPE_BREAK = /而是|但是|但|却|不过|然而|只有|仅有|因此|所以|并且|而且|同时|以及|且|和|\b(?:but|however|instead|rather|yet|although|though|whereas|while|and|so|then|which|that\s+is)\b/i;
const CLAUSE_END = /[。！？!?;；:：,，\n]|\.(?=\s|$)/g;
const LIST_GAP = /^\s*(?:[,，、\/+&]|and|or|nor|as\s+well\s+as|和|或者?|及|以及|与|还是|或是)?\s*(?:the\s+)?$/i;

const POST_EN = /^\s*(?:[(（][^)）]{0,24}[)）]\s*)?(?:(?:is|are|was|were|seems?|appears?|looks?)\s+)?(?:absent|missing|excluded|unlikely|ruled\s+out|not\s+(?:\w+\s+)?(?:present|observed|seen|detected|visible|found|evident|involved|activated|shown|supported))\b|^\s*(?:is|are|was|were)\s+not\s*(?=[).,;:!?]|$)/i;
const POST_ZH = /^\s*(?:[(（][^)）]{0,24}[)）]\s*)?(?:均|都|则|也|并|亦)?(?:未出现|未见|未被?检测到|未被?观察到|未被?发现|没有出现|不存在|缺失|不明显|可排除|被排除|的可能性(?:很|较)?(?:低|小))/;

/** Max characters between a cue and the run it denies. */
const FILLER_ZH = 8;
const FILLER_EN = 26;
const FILLER_THAN = 6;

function blankOverrides(s: string): string {
  return s.replace(OVERRIDE, (m) => ' '.repeat(m.length));
}

/** Start of the clause that contains `pos`. */
function clauseStart(text: string, pos: number): number {
  let start = 0;
  for (const m of text.matchAll(CLAUSE_END)) {
    const i = m.index ?? 0;
    if (i >= pos) break;
    start = i + 1;
  }
  return start;
}

function clauseEnd(text: string, from: number): number {
  const re = new RegExp(CLAUSE_END.source, 'g');
  re.lastIndex = from;
  const m = re.exec(text);
  return m ? m.index : text.length;
}

/** The last cue in `prefix` whose filler up to the end qualifies, or null. */
function cueBefore(prefix: string): boolean {
  const p = blankOverrides(prefix);
  let found = false;
  for (const re of [ZH_CUE, EN_CUE]) {
    for (const m of p.matchAll(new RegExp(re.source, re.flags))) {
      const after = p.slice((m.index ?? 0) + m[0].length);
      const zh = /[\u4e00-\u9fff]/.test(m[0]);
      const max = /^than$/i.test(m[0]) ? FILLER_THAN : zh ? FILLER_ZH : FILLER_EN;
      if (after.trim().length <= max && !SCOPE_BREAK.test(after)) found = true;
    }
  }
  return found;
}

/** Runs of mentions joined only by list words ("AU6 or AU12", "开心、悲伤或惊讶"), as index ranges. */
export function runsOf(text: string, spans: readonly Span[]): { from: number; to: number }[] {
  const runs: { from: number; to: number }[] = [];
  for (let i = 0; i < spans.length; i++) {
    const last = runs[runs.length - 1];
    if (last && LIST_GAP.test(text.slice(spans[last.to].end, spans[i].pos))) last.to = i;
    else runs.push({ from: i, to: i });
  }
  return runs;
}

/**
 * For each span (sorted by position, non-overlapping), whether the text denies it. `spans` are the
 * mentions of one kind (all AUs, or all emotion words) so that runs are formed among them.
 */
export function deniedSpans(text: string, spans: readonly Span[]): boolean[] {
  const out = spans.map(() => false);
  const runs = runsOf(text, spans);
  let prevEnd = 0;
  for (const run of runs) {
    const start = spans[run.from].pos;
    const end = spans[run.to].end;
    const from = Math.max(clauseStart(text, start), prevEnd);
    const prefix = text.slice(from, start);
    const nextStart = run.to + 1 < spans.length ? spans[run.to + 1].pos : text.length;
    const suffix = blankOverrides(text.slice(end, Math.min(clauseEnd(text, end), nextStart)));
    if (cueBefore(prefix)) for (let i = run.from; i <= run.to; i++) out[i] = true;
    else if (POST_EN.test(suffix) || POST_ZH.test(suffix)) {
      // A post-cue covers a list ("AU1、AU2均未出现", "AU7, AU9 or AU10 not observed"), but a run joined
      // by commas alone only back to its last comma ("仅有AU4，AU7的可能性很低": AU7).
      const gaps = Array.from({ length: run.to - run.from }, (_, k) => text.slice(spans[run.from + k].end, spans[run.from + k + 1].pos));
      const isList = gaps.some((g) => /、|\b(?:and|or|nor)\b|和|或|及|与/i.test(g));
      let first = run.to;
      if (isList) first = run.from;
      else while (first > run.from && !/[,，]/.test(text.slice(spans[first - 1].end, spans[first].pos))) first--;
      for (let i = first; i <= run.to; i++) out[i] = true;
    }
    prevEnd = end;
  }
  return out;
}
