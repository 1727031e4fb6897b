// The paper's reference figures (TABLE II, "Comparison with other MLLMs"; DESIGN.md §4), shown beside a
// run's own numbers for the same protocol. Constants transcribed from the paper, not computed.

export type PaperProtocol = 'casme2' | 'casme3a' | 'dfme-a' | 'dfme-b';

export interface PaperRow {
  model: string;
  uf1: number;
  uar: number;
  acc: number;
}

export interface PaperTable {
  /** Dataset name as the paper prints it. */
  dataset: string;
  classes: number;
  rows: PaperRow[];
}

export const PAPER_TABLE_II: Readonly<Record<PaperProtocol, PaperTable>> = {
  casme2: {
    dataset: 'CASME II',
    classes: 5,
    rows: [
      { model: 'Qwen2.5-VL-7B', uf1: 0.0782, uar: 0.1886, acc: 0.1628 },
      { model: 'Qwen-VL-Max', uf1: 0.1039, uar: 0.1062, acc: 0.1008 },
      { model: 'Gemini-2.5-Pro', uf1: 0.2717, uar: 0.2633, acc: 0.3023 },
      { model: 'MELLM', uf1: 0.4849, uar: 0.5337, acc: 0.6434 },
    ],
  },
  casme3a: {
    dataset: 'CAS(ME)^3 part A',
    classes: 6,
    rows: [
      { model: 'Qwen2.5-VL-7B', uf1: 0.1079, uar: 0.1787, acc: 0.2507 },
      { model: 'Qwen-VL-Max', uf1: 0.1623, uar: 0.1698, acc: 0.1905 },
      { model: 'Gemini-2.5-Pro', uf1: 0.1767, uar: 0.1663, acc: 0.2092 },
      { model: 'MELLM', uf1: 0.2908, uar: 0.2948, acc: 0.4226 },
    ],
  },
  'dfme-a': {
    dataset: 'DFME TestA',
    classes: 7,
    rows: [
      { model: 'Qwen2.5-VL-7B', uf1: 0.0794, uar: 0.1495, acc: 0.2046 },
      { model: 'Qwen-VL-Max', uf1: 0.1788, uar: 0.1883, acc: 0.2025 },
      { model: 'Gemini-2.5-Pro', uf1: 0.3056, uar: 0.3363, acc: 0.3481 },
      { model: 'MELLM', uf1: 0.3578, uar: 0.3731, acc: 0.4641 },
    ],
  },
  'dfme-b': {
    dataset: 'DFME TestB',
    classes: 7,
    rows: [
      { model: 'Qwen2.5-VL-7B', uf1: 0.0737, uar: 0.1499, acc: 0.1605 },
      { model: 'Qwen-VL-Max', uf1: 0.155, uar: 0.1677, acc: 0.1672 },
      { model: 'Gemini-2.5-Pro', uf1: 0.2665, uar: 0.2818, acc: 0.2843 },
      { model: 'MELLM', uf1: 0.3162, uar: 0.3424, acc: 0.3712 },
    ],
  },
};

export function paperTableFor(protocol: string): PaperTable | undefined {
  return Object.prototype.hasOwnProperty.call(PAPER_TABLE_II, protocol)
    ? PAPER_TABLE_II[protocol as PaperProtocol]
    : undefined;
}
