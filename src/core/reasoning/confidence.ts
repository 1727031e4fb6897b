// Confidence of an answer's AUs and emotion, from the measurement (whatever wrote the answer: the built-in
// reasoner, MELLM or the region-text lane). An AU the measurement also infers takes that inference's
// calibrated confidence (regionMotion.ts: how unlike camera-only motion its region moved); an AU it does
// not infer takes the best confidence among the regions that AU moves, 0 when none of them moves. The
// emotion's confidence is that of the weakest AU it rests on (the AUs its fully present patterns explain,
// emotionTable.ts); null when the answer names no emotion or none of its AUs supports it.
import type { AuSide } from '../facs';
import { regionsForAu } from '../../shared/regions';
import { emotionSupport, inferAus, type InferredAu } from './facsRules';
import type { ParsedAnswer } from './parse';
import type { RegionMotionReport } from './regionMotion';

export interface AnswerConfidence {
  aus: { au: number; side?: AuSide; value: number }[];
  emotion: number | null;
}

export function answerConfidence(parsed: { aus: readonly { au: number; side?: AuSide }[]; emotion: ParsedAnswer['emotion'] }, motion: RegionMotionReport | null): AnswerConfidence | null {
  if (!motion) return null;
  const { aus: inferred, noted } = inferAus(motion);
  const found = [...inferred, ...noted];
  const regions = motion.regions as Record<string, RegionMotionReport['regions'][keyof RegionMotionReport['regions']] | undefined>;
  const seen = new Set<string>();
  const aus: AnswerConfidence['aus'] = [];
  const asInferred: InferredAu[] = [];
  for (const a of parsed.aus) {
    const key = `${a.side ?? ''}${a.au}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const same = found.find((x) => x.au === a.au && (!a.side || !x.side || x.side === a.side));
    const value = same
      ? same.confidence
      : Math.max(0, ...regionsForAu(a).map((r) => regions[r]).filter((m) => m && m.intensity !== 'none').map((m) => m!.evidence.confidence));
    aus.push({ au: a.au, ...(a.side ? { side: a.side } : {}), value });
    asInferred.push({ au: a.au, ...(a.side ? { side: a.side } : {}), regions: [], level: 'slight', expressive: true, confidence: value });
  }
  let emotion: number | null = null;
  if (parsed.emotion) {
    const support = emotionSupport(asInferred).find((s) => s.emotion === parsed.emotion);
    const resting = support ? asInferred.filter((a) => support.explained.has(a.au)) : [];
    if (resting.length > 0) emotion = Math.min(...resting.map((a) => a.confidence));
  }
  return { aus, emotion };
}
