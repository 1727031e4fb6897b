// Runs side by side on one dataset: several sources (MELLM, the region-text lane, the built-in reasoner)
// benchmarked with the same protocol on the same clips. Per class F1 of each run, and clip by clip how
// often two runs name the same emotion and which of them is right where they differ (the counts a
// McNemar test would use). Only clips both runs answered are compared; unparsed and failed answers
// never agree with anything.
import type { RunEvaluation } from './evaluate';
import type { Outcome } from './metrics';

export interface PairAgreement {
  /** Indices into the runs given to compareRuns. */
  a: number;
  b: number;
  /** Clips with a result in both runs. */
  common: number;
  /** Both named the same emotion. */
  same: number;
  bothRight: number;
  onlyA: number;
  onlyB: number;
  bothWrong: number;
}

export interface RunGroup {
  dataset: string;
  protocol: string;
  /** Indices of the runs of this dataset and protocol, in the order given. */
  runs: number[];
  pairs: PairAgreement[];
  /** Clips every run of the group has a result for, and those on which all name the same emotion. */
  commonToAll: number;
  allSame: number;
}

const emotionOf = (o: Outcome): string | null => (typeof o.predicted === 'string' ? o.predicted : null);

/** Groups of two or more runs on the same dataset and protocol, with their clip-by-clip agreement. */
export function compareRuns(runs: readonly RunEvaluation[]): RunGroup[] {
  const groups = new Map<string, number[]>();
  runs.forEach((r, i) => {
    const key = JSON.stringify([r.config.dataset, r.config.protocol]);
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  const out: RunGroup[] = [];
  for (const idx of groups.values()) {
    if (idx.length < 2) continue;
    const byClip = idx.map((i) => new Map(runs[i].outcomes.map((o) => [o.id, o])));
    const pairs: PairAgreement[] = [];
    for (let x = 0; x < idx.length; x++) {
      for (let y = x + 1; y < idx.length; y++) {
        const p: PairAgreement = { a: idx[x], b: idx[y], common: 0, same: 0, bothRight: 0, onlyA: 0, onlyB: 0, bothWrong: 0 };
        for (const [id, oa] of byClip[x]) {
          const ob = byClip[y].get(id);
          if (!ob) continue;
          p.common++;
          const ea = emotionOf(oa);
          const eb = emotionOf(ob);
          if (ea !== null && ea === eb) p.same++;
          const ra = ea === oa.truth;
          const rb = eb === ob.truth;
          if (ra && rb) p.bothRight++;
          else if (ra) p.onlyA++;
          else if (rb) p.onlyB++;
          else p.bothWrong++;
        }
        pairs.push(p);
      }
    }
    let commonToAll = 0;
    let allSame = 0;
    for (const [id, o] of byClip[0]) {
      const all = byClip.map((m) => m.get(id));
      if (all.some((x) => x === undefined)) continue;
      commonToAll++;
      const e = emotionOf(o);
      if (e !== null && all.every((x) => emotionOf(x!) === e)) allSame++;
    }
    const first = runs[idx[0]].config;
    out.push({ dataset: first.dataset, protocol: first.protocol, runs: idx, pairs, commonToAll, allSame });
  }
  return out;
}
