// Runs one reasoning lane for the panel: streams a ReasoningSource into protocol messages, then parses the
// answer (AUs, emotion) and checks its region claims against the measured motion. No 'vscode' import.
import { emotionLabel, EMOTIONS, type Emotion } from '../core/emotions';
import type { AnalysisResult, AuCheck, AuRef, ClaimMark, ClaimWhy, HostMessage, Lane, LaneAction, MeasuredView, UiLang } from '../shared/protocol';
import { regionsForAu } from '../shared/regions';
import { parseAnswer } from '../core/reasoning/parse';
import { checkClaims, type ClaimResult } from '../core/reasoning/claimCheck';
import { inferAus } from '../core/reasoning/facsRules';
import type { RegionMotionReport } from '../core/reasoning/regionMotion';
import { answerConfidence } from '../core/reasoning/confidence';
import { ReasoningError, type ReasoningRequest, type ReasoningSource } from '../core/reasoning/source';

export { regionsForAu };

/** Why the claim check decided as it did, as data (the panel words it in the display language). */
export function claimWhy(c: ClaimResult, motion: RegionMotionReport | null): ClaimWhy {
  const measured: MeasuredView[] = c.measured.map((m) => ({ region: m.region, direction: m.direction, intensity: m.intensity, px: m.magnitude }));
  const base = { claimed: c.directions, measured };
  if (c.verdict === 'not-checkable') return { ...base, kind: !motion ? 'no-face' : c.regions.length === 0 ? 'unknown-region' : 'outside' };
  if (c.noMotion || c.intensity === 'none') return { ...base, kind: c.verdict === 'contradicted' ? 'still-but-moves' : 'still-ok' };
  if (measured.every((m) => m.intensity === 'none')) return { ...base, kind: 'moves-but-still' };
  if (c.directions.length === 0) return { ...base, kind: 'moves' };
  return { ...base, kind: c.directionMatch ? 'direction-match' : 'direction-mismatch' };
}

function measuredFor(regions: readonly string[], motion: RegionMotionReport): MeasuredView[] {
  const out: MeasuredView[] = [];
  for (const r of regions) {
    const m = (motion.regions as Record<string, RegionMotionReport['regions'][keyof RegionMotionReport['regions']] | undefined>)[r];
    if (m) out.push({ region: r, direction: m.direction, intensity: m.intensity, px: m.magnitude });
  }
  return out;
}

/**
 * Each AU of the answer against the measurement. `restates`: the answer was written from this very
 * measurement (built-in reasoner), so agreement is not evidence: its AUs are 'measured', not 'supported'.
 */
export function checkAus(aus: readonly AuRef[], claims: readonly ClaimResult[], motion: RegionMotionReport | null, restates: boolean): AuCheck[] {
  const inferred = motion ? inferAus(motion) : null;
  return aus.map((a) => {
    const side = a.side ? { side: a.side } : {};
    if (!motion || !inferred) return { au: a.au, ...side, verdict: 'not-checkable', why: 'no-face', measured: [] };
    const measured = measuredFor(regionsForAu(a), motion);
    if (restates) return { au: a.au, ...side, verdict: 'measured', why: 'builtin', measured };
    // The measurement yielding the AU decides first: the AU is there even when the answer's own reason for it
    // was wrong (Fig. 4's "chin moves down -> AU12" on a smile).
    const yields = [...inferred.aus, ...inferred.noted].some((x) => x.au === a.au && (!a.side || !x.side || x.side === a.side));
    if (yields) return { au: a.au, ...side, verdict: 'supported', why: 'inferred', measured };
    const naming = claims.filter((c) => c.aus.includes(a.au));
    if (naming.some((c) => c.verdict === 'contradicted') && !naming.some((c) => c.verdict === 'supported'))
      return { au: a.au, ...side, verdict: 'contradicted', why: 'claim-contradicted', measured };
    if (measured.length > 0 && measured.every((m) => m.intensity === 'none')) return { au: a.au, ...side, verdict: 'contradicted', why: 'regions-still', measured };
    return { au: a.au, ...side, verdict: 'unconfirmed', why: 'regions-move', measured };
  });
}

/**
 * The panel's view of an answer: parsed AUs/emotion, claim marks and AU checks. `restates`: the text was
 * written from `motion` itself (the built-in reasoner): claims that agree are marked 'measured'.
 * `toldMotion`: the model was given the measured motion as text (the region-text lane): a claim that
 * agrees may only repeat it, so it is 'measured' too; its AUs are its own inference and are checked.
 * `labels`: the emotion's display label in the UI language (host-side, so no bare id sits under a Chinese answer).
 */
export function analyse(text: string, motion: RegionMotionReport | null, opts: { restates?: boolean; toldMotion?: boolean; labels?: { lang: UiLang; unparsed: string } } = {}): AnalysisResult {
  const parsed = parseAnswer(text);
  const aus: AuRef[] = [];
  const seen = new Set<string>();
  for (const a of parsed.aus) {
    const ref: AuRef = a.side ? { au: a.au, side: a.side } : { au: a.au };
    const k = `${ref.side ?? ''}${ref.au}`;
    if (!seen.has(k)) {
      seen.add(k);
      aus.push(ref);
    }
  }
  const report = checkClaims(text, motion);
  const claims: ClaimMark[] = report.claims.map((c) => ({
    start: c.span[0],
    end: c.span[1],
    status: (opts.restates || opts.toldMotion) && c.verdict === 'supported' ? 'measured' : c.verdict,
    region: c.regions[0],
    regions: c.regions,
    note: c.reason,
    why: claimWhy(c, motion),
  }));
  const auRegions: Record<string, string[]> = {};
  for (const a of aus) auRegions[String(a.au)] = [...new Set([...(auRegions[String(a.au)] ?? []), ...regionsForAu(a)])];
  const emotion = parsed.emotion ?? 'unparsed';
  const conf = answerConfidence({ aus, emotion: parsed.emotion }, motion);
  const result: AnalysisResult = {
    aus,
    emotion,
    claims,
    auRegions,
    auChecks: checkAus(aus, report.claims, motion, !!opts.restates),
    outcome: parsed.status,
    ...(parsed.status === 'undetermined' ? { candidates: parsed.candidates } : {}),
    ...(conf ? { confidence: { aus: conf.aus.map((a) => a.value), emotion: conf.emotion } } : {}),
  };
  if (opts.labels) result.emotionLabel = (EMOTIONS as readonly string[]).includes(emotion) ? emotionLabel(emotion as Emotion, opts.labels.lang) : opts.labels.unparsed;
  return result;
}

/**
 * Stream `source` for one lane, posting protocol messages. Resolves with the answer text (or null when the
 * source failed before its first token; the error was posted). Never throws.
 */
export async function runLane(opts: {
  clipId: string;
  lane: Lane;
  source: ReasoningSource<RegionMotionReport>;
  /** Shown above the answer (default: the source's own label). */
  label?: string;
  request: ReasoningRequest<RegionMotionReport>;
  post: (m: HostMessage) => void;
  signal: AbortSignal;
  log?: (line: string) => void;
  /** Buttons the panel shows under a failure (none for a cancelled run). */
  errorActions?: LaneAction[];
  /** Told how the source's request ended: ok (text came) or the error that stopped it before any text. */
  onOutcome?: (o: { ok: true } | { ok: false; error: unknown }) => void;
  labels?: { lang: UiLang; unparsed: string };
}): Promise<string | null> {
  const { clipId, lane, post } = opts;
  let text = '';
  let started = false;
  const start = () => {
    if (!started) post({ type: 'streamStart', clipId, lane, label: opts.label ?? opts.source.label, kind: opts.source.kind });
    started = true;
  };
  try {
    for await (const ev of opts.source.stream(opts.request, opts.signal)) {
      if (ev.type === 'start') {
        start();
      } else if (ev.type === 'delta') {
        start();
        text += ev.text;
        post({ type: 'streamDelta', clipId, lane, text: ev.text });
      } else {
        start();
        post({ type: 'streamDone', clipId, lane, stop: ev.stop, incomplete: ev.incomplete, message: ev.message, totalMs: ev.totalMs });
        if (ev.message) opts.log?.(`clip ${clipId}, lane ${lane}: ${ev.message}`);
      }
    }
  } catch (e) {
    const message = e instanceof ReasoningError ? e.message : `The analysis failed: ${(e as Error).message}`;
    opts.log?.(`clip ${clipId}, lane ${lane}: ${message}`);
    const aborted = opts.signal.aborted || (e instanceof ReasoningError && e.code === 'aborted');
    post({ type: 'streamError', clipId, lane, message, ...(opts.errorActions?.length && !aborted ? { actions: opts.errorActions } : {}) });
    if (!aborted) opts.onOutcome?.({ ok: false, error: e });
    return null;
  }
  opts.onOutcome?.({ ok: true });
  post({ type: 'analysis', clipId, lane, result: analyse(text, opts.request.motion ?? null, { restates: opts.source.kind === 'builtin', toldMotion: opts.source.kind === 'region-text', labels: opts.labels }) });
  return text;
}
