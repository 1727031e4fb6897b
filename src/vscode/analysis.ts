// Runs one reasoning lane for the panel: streams a ReasoningSource into protocol messages, then parses the
// answer (AUs, emotion) and checks its region claims against the measured motion. No 'vscode' import.
import type { AnalysisResult, AuRef, ClaimMark, HostMessage, Lane } from '../shared/protocol';
import { parseAnswer } from '../core/reasoning/parse';
import { checkClaims } from '../core/reasoning/claimCheck';
import type { RegionMotionReport } from '../core/reasoning/regionMotion';
import { ReasoningError, type ReasoningRequest, type ReasoningSource } from '../core/reasoning/source';

/** Regions each AU moves (FACS muscle actions), subject's sides; for chip-hover highlighting. */
const AU_REGIONS: Record<number, string[]> = {
  1: ['innerBrowL', 'innerBrowR', 'forehead'],
  2: ['outerBrowL', 'outerBrowR', 'forehead'],
  4: ['innerBrowL', 'innerBrowR'],
  5: ['upperEyelidL', 'upperEyelidR'],
  6: ['cheekL', 'cheekR', 'lowerEyelidL', 'lowerEyelidR'],
  7: ['lowerEyelidL', 'lowerEyelidR'],
  9: ['noseWingL', 'noseWingR'],
  10: ['upperLip', 'nasolabialL', 'nasolabialR'],
  11: ['nasolabialL', 'nasolabialR'],
  12: ['lipCornerL', 'lipCornerR', 'nasolabialL', 'nasolabialR'],
  13: ['lipCornerL', 'lipCornerR', 'cheekL', 'cheekR'],
  14: ['lipCornerL', 'lipCornerR'],
  15: ['lipCornerL', 'lipCornerR'],
  16: ['lowerLip'],
  17: ['chin', 'lowerLip'],
  18: ['upperLip', 'lowerLip'],
  20: ['lipCornerL', 'lipCornerR'],
  23: ['upperLip', 'lowerLip'],
  24: ['upperLip', 'lowerLip'],
  25: ['upperLip', 'lowerLip'],
  26: ['lowerLip', 'chin'],
  43: ['upperEyelidL', 'upperEyelidR'],
  45: ['upperEyelidL', 'upperEyelidR'],
};

export function regionsForAu(a: AuRef): string[] {
  const all = AU_REGIONS[a.au] ?? [];
  return a.side ? all.filter((r) => !/[LR]$/.test(r) || r.endsWith(a.side!)) : all;
}

/** The panel's view of an answer: parsed AUs/emotion and claim marks. */
export function analyse(text: string, motion: RegionMotionReport | null): AnalysisResult {
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
    status: c.verdict,
    region: c.regions[0],
    note: c.reason,
  }));
  const auRegions: Record<string, string[]> = {};
  for (const a of aus) auRegions[String(a.au)] = [...new Set([...(auRegions[String(a.au)] ?? []), ...regionsForAu(a)])];
  return { aus, emotion: parsed.emotion ?? 'unparsed', claims, auRegions };
}

/**
 * Stream `source` for one lane, posting protocol messages. Resolves with the answer text (or null when the
 * source failed before its first token; the error was posted). Never throws.
 */
export async function runLane(opts: {
  clipId: string;
  lane: Lane;
  source: ReasoningSource<RegionMotionReport>;
  request: ReasoningRequest<RegionMotionReport>;
  post: (m: HostMessage) => void;
  signal: AbortSignal;
  log?: (line: string) => void;
}): Promise<string | null> {
  const { clipId, lane, post } = opts;
  let text = '';
  let started = false;
  const start = () => {
    if (!started) post({ type: 'streamStart', clipId, lane, label: opts.source.label, kind: opts.source.kind });
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
        if (ev.message) opts.log?.(`lane ${lane}: ${ev.message}`);
      }
    }
  } catch (e) {
    const message = e instanceof ReasoningError ? e.message : `The analysis failed: ${(e as Error).message}`;
    opts.log?.(`lane ${lane}: ${message}`);
    post({ type: 'streamError', clipId, lane, message });
    return null;
  }
  post({ type: 'analysis', clipId, lane, result: analyse(text, opts.request.motion ?? null) });
  return text;
}
