// Training progress from LLaMA-Factory / transformers output: tqdm bars (" 10%|█  | 120/1200 [..]"),
// Trainer log dicts ("{'loss': 1.23, 'learning_rate': 9e-05, 'epoch': 0.1}") and LLaMA-Factory's
// trainer_log.jsonl lines ({"current_steps": 10, "total_steps": 1200, "loss": 1.2, ...}).

export interface TrainProgress {
  step?: number;
  total?: number;
  loss?: number;
  learningRate?: number;
  epoch?: number;
}

const TQDM = /(\d+)\/(\d+)\s*\[[\d:]+<[\d:?]+/;
const DICT_NUM = (key: string): RegExp => new RegExp(`['"]${key}['"]\\s*:\\s*['"]?([-+0-9.eE]+|nan|inf)['"]?`);

function num(m: RegExpExecArray | null): number | undefined {
  if (!m) return undefined;
  const n = Number(m[1]);
  return Number.isFinite(n) ? n : undefined;
}

/** Parses one line (a tqdm line may carry several carriage-return updates: the last wins). */
export function parseTrainLine(line: string): TrainProgress | null {
  const last = line.split('\r').filter((s) => s.trim() !== '').pop() ?? '';
  const trimmed = last.trim();
  if (trimmed.startsWith('{') && trimmed.includes('current_steps')) {
    try {
      const j = JSON.parse(trimmed) as Record<string, unknown>;
      const p: TrainProgress = {};
      if (typeof j.current_steps === 'number') p.step = j.current_steps;
      if (typeof j.total_steps === 'number') p.total = j.total_steps;
      if (typeof j.loss === 'number') p.loss = j.loss;
      if (typeof j.lr === 'number') p.learningRate = j.lr;
      if (typeof j.epoch === 'number') p.epoch = j.epoch;
      return p;
    } catch {
      // not JSON after all: fall through to the text forms
    }
  }
  if (/['"]loss['"]\s*:/.test(trimmed)) {
    const p: TrainProgress = {
      loss: num(DICT_NUM('loss').exec(trimmed)),
      learningRate: num(DICT_NUM('learning_rate').exec(trimmed)),
      epoch: num(DICT_NUM('epoch').exec(trimmed)),
    };
    return p;
  }
  const t = TQDM.exec(trimmed);
  if (t) return { step: Number(t[1]), total: Number(t[2]) };
  return null;
}

/** Folds successive updates; keeps the latest known value of each field. */
export class TrainProgressTracker {
  private state: TrainProgress = {};
  update(line: string): TrainProgress | null {
    const p = parseTrainLine(line);
    if (!p) return null;
    for (const [k, v] of Object.entries(p)) if (v !== undefined) (this.state as Record<string, number>)[k] = v;
    return { ...this.state };
  }
  get current(): TrainProgress {
    return { ...this.state };
  }
}

export function describeProgress(p: TrainProgress): string {
  const parts: string[] = [];
  if (p.step !== undefined) parts.push(p.total ? `step ${p.step}/${p.total}` : `step ${p.step}`);
  if (p.loss !== undefined) parts.push(`loss ${p.loss.toFixed(4)}`);
  if (p.learningRate !== undefined) parts.push(`lr ${p.learningRate.toExponential(2)}`);
  return parts.join(', ');
}
