// `mellm bench DATASET --protocol P --out RUN_DIR [--source mellm|builtin|region-text] (--endpoint URL[,URL...] --model NAME | --offline)`:
// the paper's benchmark over a dataset, resumable (rerun the same command), then scored and reported.
// --source region-text sends each clip's region statistics as text (no image) to a text LLM.
import * as path from 'node:path';
import { openBenchDataset } from '../core/bench/datasetInput';
import { formatProgress, runBenchJob } from '../core/bench/job';
import { BenchError } from '../core/bench/runner';
import { BENCH_PROTOCOLS, type BenchInput, type BenchProtocol, type SourceConfig } from '../core/bench/runDir';
import { DatasetError } from '../core/dataset/types';
import { MediaError } from '../core/mediaError';
import { MellmServerClient, parseEndpointList } from '../core/reasoning/client';
import { BuiltinReasoner } from '../core/reasoning/reasoner';
import { ReasoningError, type ReasoningSource } from '../core/reasoning/source';
import { resolveSampling } from '../core/reasoning/sampling';
import { PROMPT_USAGE, SAMPLING_USAGE, parseMaxTokens, parsePromptPreset, parseSamplingPreset } from './promptOptions';
import { parseSourceChoice, regionTextFromFlags } from './regionTextOptions';
import { UsageError, UserError, type CliCommand, type CliIO } from './types';
import { parseOptions } from './args';
import { BATCH_EXIT_HELP, EXIT, batchExit } from './exitCodes';

const USAGE =
  'bench DATASET --protocol casme2|casme3a|dfme-a|dfme-b|custom --out RUN_DIR [--source mellm|builtin|region-text] (--endpoint URL[,URL...] [--model NAME] | --offline) ' +
  `[--concurrency N] [--task meu|mer] [--input mmc|frames] ${PROMPT_USAGE} ${SAMPLING_USAGE} [--max-tokens N] [--lang zh|en] [--classes a,b,...] [--retries N] [--maps CACHE] [--jobs N] [--no-thinking] [--force]`;

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[], dflt: T): T {
  if (value === undefined) return dflt;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`${flag} must be one of ${allowed.join(', ')} (got '${value}')`);
  return value as T;
}

function intOption(flag: string, value: string | undefined, dflt: number, min: number, max: number): number {
  if (value === undefined) return dflt;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag} must be a whole number from ${min} to ${max} (got '${value}')`);
  return n;
}

export const benchCommand: CliCommand = {
  name: ['bench'],
  usage: USAGE,
  summary: "Benchmark a model on a dataset with the paper's protocol; resumable; writes RUN_DIR/results.jsonl and report.{md,html}.",
  help: [
    'Rerun the same command to resume: clips with an answer are not asked again, failed ones are.',
    'The API key is read from $MELLM_API_KEY. Maps come from (or go into) --maps CACHE, default RUN_DIR/maps.',
    'A server failing every clip (HTTP 5xx, unreachable) stops the run after a streak (max(8, 2 x concurrency) clips in a row); what was recorded is kept.',
    BATCH_EXIT_HELP,
  ].join('\n'),
  async run(argv: string[], io: CliIO): Promise<number> {
    const parsed = parseOptions({
        args: argv,
        allowPositionals: true,
        options: {
          protocol: { type: 'string' },
          out: { type: 'string' },
          source: { type: 'string' },
          'no-thinking': { type: 'boolean' },
          endpoint: { type: 'string' },
          model: { type: 'string' },
          offline: { type: 'boolean' },
          concurrency: { type: 'string' },
          task: { type: 'string' },
          input: { type: 'string' },
          lang: { type: 'string' },
          prompt: { type: 'string' },
          sampling: { type: 'string' },
          'max-tokens': { type: 'string' },
          classes: { type: 'string' },
          retries: { type: 'string' },
          force: { type: 'boolean' },
          maps: { type: 'string' },
          jobs: { type: 'string' },
        },
      });
    const v = parsed.values;
    if (parsed.positionals.length !== 1) throw new UsageError('give exactly one DATASET folder');
    if (v.protocol === undefined) throw new UsageError(`--protocol is required (${BENCH_PROTOCOLS.join(', ')})`);
    const protocol = oneOf<BenchProtocol>('--protocol', v.protocol, BENCH_PROTOCOLS, 'casme2');
    if (v.out === undefined) throw new UsageError('--out RUN_DIR is required (the run directory; rerun with the same one to resume)');
    let choice = parseSourceChoice(v.source);
    if (v.offline && choice !== undefined && choice !== 'builtin') throw new UsageError(`--offline is the built-in reasoner: it excludes --source ${choice}`);
    const offline = v.offline === true || choice === 'builtin';
    if (offline) choice = 'builtin';
    const regionText = choice === 'region-text';
    if (offline && v.endpoint !== undefined) throw new UsageError('use either --endpoint (a served model) or --offline (the built-in reasoner), not both');
    if (!offline && !regionText && v.endpoint === undefined) throw new UsageError('give --endpoint URL[,URL...] of an OpenAI-compatible server (e.g. vllm serve), or --offline');
    if (v['no-thinking'] && !regionText) throw new UsageError('--no-thinking applies to --source region-text (a thinking text LLM)');
    if (regionText && v.input !== undefined && v.input !== 'regions') throw new UsageError('--source region-text sends the region statistics as text (input regions); --input mmc|frames are for image models');
    if (v.classes !== undefined && protocol !== 'custom') throw new UsageError('--classes is only for --protocol custom (the paper protocols fix their classes)');
    const task = oneOf('--task', v.task, ['meu', 'mer'] as const, 'meu');
    const input = regionText ? 'regions' : oneOf<BenchInput>('--input', v.input, ['mmc', 'frames'], 'mmc');
    const lang = oneOf('--lang', v.lang, ['zh', 'en'] as const, 'zh');
    const promptPreset = parsePromptPreset(v.prompt, v.lang as 'zh' | 'en' | undefined);
    if (v.prompt !== undefined && input !== 'mmc') throw new UsageError(`--prompt chooses the MMC-Map prompt; --input ${input} has its own`);
    const samplingPreset = parseSamplingPreset(v.sampling);
    const maxTokens = parseMaxTokens(v['max-tokens']);
    if ((samplingPreset !== undefined || maxTokens !== undefined) && (offline || regionText)) {
      throw new UsageError('--sampling and --max-tokens apply to a served MELLM (--endpoint); the built-in reasoner and the region-text source have their own');
    }
    const sampling = resolveSampling({ preset: samplingPreset, maxTokens });
    const concurrency = intOption('--concurrency', v.concurrency, 4, 1, 256);
    const retries = intOption('--retries', v.retries, 2, 0, 20);

    let source: ReasoningSource;
    let sourceConfig: SourceConfig;
    if (regionText) {
      const rt = regionTextFromFlags({ endpoint: v.endpoint === undefined ? undefined : [v.endpoint], model: v.model, noThinking: v['no-thinking'] });
      source = rt;
      sourceConfig = { kind: 'region-text', model: rt.model, endpoints: rt.endpointUrls };
    } else if (offline) {
      if (input === 'frames') throw new UsageError('--offline reasons from measured motion on the MMC-Map; --input frames is for served models');
      source = new BuiltinReasoner();
      sourceConfig = { kind: 'builtin' };
    } else {
      const endpoints = parseEndpointList(v.endpoint ?? '');
      if (endpoints.length === 0) throw new UsageError('--endpoint: give at least one URL, e.g. http://gpu1:8000 (comma-separated for several replicas)');
      try {
        const client = new MellmServerClient({
          endpoints,
          model: v.model ?? 'mellm',
          apiKey: process.env.MELLM_API_KEY,
          temperature: sampling.temperature,
          maxTokens: sampling.maxTokens,
          settingNames: { endpoints: '--endpoint', model: '--model', apiKey: 'the MELLM_API_KEY environment variable' },
        });
        source = client;
        sourceConfig = { kind: 'server', model: client.model, endpoints: client.endpointUrls };
      } catch (e) {
        if (e instanceof ReasoningError) throw new UserError(e.message);
        throw e;
      }
    }

    const tty = process.stderr.isTTY === true;
    let mapTicks = 0;
    let dataset;
    try {
      dataset = await openBenchDataset(parsed.positionals[0], protocol, {
        maps: v.maps ?? path.join(v.out, 'maps'),
        offline,
        jobs: intOption('--jobs', v.jobs, 1, 1, 64),
        onMapProgress: (p) => {
          mapTicks += 1;
          const line = `MMC-Maps ${p.done}/${p.total} (${p.cached} cached, ${p.computed} computed, ${p.failed} failed)`;
          if (tty) io.stderr(`\r${line}   `);
          else if (mapTicks % 20 === 1 || p.done === p.total) io.stderr(`${line}\n`);
        },
      });
    } catch (e) {
      if (e instanceof DatasetError || e instanceof MediaError) throw new UserError(e.message);
      throw e;
    }
    for (const n of dataset.notes) io.stderr(`note: ${n}\n`);

    let ticks = 0;
    let result;
    try {
      result = await runBenchJob({
        dataset,
        protocol,
        ...(v.classes !== undefined ? { classes: v.classes.split(',').map((s) => s.trim()).filter((s) => s !== '') } : {}),
        out: v.out,
        task,
        input,
        lang,
        promptPreset,
        ...(offline || regionText ? {} : { sampling }),
        source,
        sourceConfig,
        concurrency,
        retries,
        force: v.force === true,
        signal: io.signal,
        onProgress: (p) => {
          ticks += 1;
          if (tty) io.stderr(`\r${formatProgress(p)}   `);
          else if (ticks % 5 === 1 || p.done + p.resumed === p.total) io.stderr(`${formatProgress(p)}\n`);
        },
        onLog: (line) => io.stderr(`${tty ? '\n' : ''}${line}\n`),
      });
    } catch (e) {
      if (e instanceof BenchError || e instanceof ReasoningError || e instanceof MediaError || e instanceof DatasetError) throw new UserError(e.message);
      throw e;
    }
    if (tty) io.stderr('\n');
    const s = result.summary;
    if (s.aborted) {
      io.stderr(`stopped: ${s.resumed + s.done}/${s.total} clips recorded in ${v.out}; rerun the same command to resume\n`);
      return EXIT.cancelled;
    }
    const m = result.evaluation.metrics;
    io.stdout(
      `${v.out}: ${s.total} clips (${s.resumed} resumed, ${s.done} this run, ${s.failed} failed, ${m.unparsed} unparsed)\n` +
        `UF1 ${m.uf1.toFixed(4)}  UAR ${m.uar.toFixed(4)}  ACC ${m.acc.toFixed(4)}  (${protocol}, ${m.classes.length} classes)\n`,
    );
    const mellm = result.evaluation.paper?.rows.find((r) => r.model === 'MELLM');
    if (mellm) io.stdout(`paper Table II, MELLM on ${result.evaluation.paper?.dataset}: UF1 ${mellm.uf1.toFixed(4)}  UAR ${mellm.uar.toFixed(4)}  ACC ${mellm.acc.toFixed(4)}\n`);
    if (result.report) io.stdout(`report: ${result.report.html}\n`);
    if (s.failed > 0) io.stderr(`${s.failed} of ${s.total} clip(s) failed (listed above, recorded in ${path.join(v.out, 'results.jsonl')}); rerun the same command to retry them\n`);
    return batchExit(s.failed, s.total);
  },
};
