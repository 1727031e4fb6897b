// `mellm analyze ONSET APEX [--source mellm|builtin|region-text] [--endpoint URL --model NAME | --offline]`:
// MMC-Map of the pair, then the FGMU analysis streamed to stdout from a MELLM server, from a text LLM
// reading the region statistics as text (region-text), or from the built-in reasoner (the same
// ReasoningSource interface), ending with the parsed AUs and emotion.
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { writeFileAtomic } from '../core/atomicWrite';
import { PROTOCOL_CLASSES, isProtocolId, type ProtocolId } from '../core/emotions';
import { CancelledError } from '../core/native';
import { MellmServerClient, parseEndpointList } from '../core/reasoning/client';
import { answerConfidence } from '../core/reasoning/confidence';
import { parseAnswer } from '../core/reasoning/parse';
import { photometricSummary } from '../core/reasoning/photometric';
import { measurePairMotion } from '../core/reasoning/pairMotion';
import { mmcPng } from '../core/mmc';
import { presetParts, resolvePrompt, type PromptPreset, type ResolvedPrompt } from '../core/reasoning/prompts';
import { resolveSampling } from '../core/reasoning/sampling';
import { PROMPT_USAGE, SAMPLING_USAGE, parseMaxTokens, parsePromptPreset, parseSamplingPreset } from './promptOptions';
import { buildRegionTextPrompt } from '../core/reasoning/regionText';
import { BuiltinReasoner } from '../core/reasoning/reasoner';
import { collectAnswer, ReasoningError, type ReasoningLang, type ReasoningSource, type ReasoningTask } from '../core/reasoning/source';
import { formatParsed, parsedJson } from './parse';
import { checkWritable, ms, userErrors } from './pairOptions';
import { ENV_RT_API_KEY, ENV_RT_ENDPOINTS, ENV_RT_MODEL, parseSourceChoice, regionTextFromFlags, type SourceChoice } from './regionTextOptions';
import { UsageError, UserError, type CliCommand, type CliIO } from './types';
import { parseCommandArgs } from './args';

const USAGE =
  'analyze ONSET APEX [--source mellm|builtin|region-text] [--endpoint URL[,URL...] [--model NAME] | --offline] [--lang zh|en] [--task meu|mer] ' +
  `[--protocol casme2|casme3a|dfme] ${PROMPT_USAGE} ${SAMPLING_USAGE} [--map-out MAP.png] [--max-tokens N] [--no-thinking] [--prompt-only] [--json] [--verbose]`;

/** Environment variables the command reads (the key is never printed). */
export const ENV_API_KEY = 'MELLM_API_KEY';
export const ENV_ENDPOINTS = 'MELLM_ENDPOINTS';

function positiveMs(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) <= 0) throw new UsageError(`${option} expects milliseconds (a whole number > 0), got '${value}'`);
  return Number(value);
}

export const analyzeCommand: CliCommand = {
  name: ['analyze'],
  usage: USAGE,
  summary:
    `Stream an FGMU analysis (regions -> AUs -> emotion) of a pair from a MELLM server (--endpoint, or $${ENV_ENDPOINTS}; key in $${ENV_API_KEY}), ` +
    `from a text LLM given the region statistics as text (--source region-text; $${ENV_RT_ENDPOINTS}, key in $${ENV_RT_API_KEY}), ` +
    'or the built-in reasoner (--offline, the default without a server), then the parsed result. --prompt-only prints the prompt and contacts nothing.',
  help: [
    `--endpoint URL[,URL...]   OpenAI-compatible servers (vllm serve), tried in turn (default $${ENV_ENDPOINTS}); the key comes from $${ENV_API_KEY}`,
    '--offline                 the built-in FACS reasoner (the default when no server is given)',
    `--source region-text      a text LLM given the region statistics as text (its own --endpoint/--model or $${ENV_RT_ENDPOINTS} / $${ENV_RT_MODEL}; key in $${ENV_RT_API_KEY}); --prompt-only prints the prompt, --no-thinking for Qwen3`,
    '--connect-timeout MS, --first-token-timeout MS, --idle-timeout MS   the server timeouts (10 s, 120 s, 30 s)',
    '--json                    one JSON object on stdout, also when the server fails (then with "error")',
    '--verbose                 the retries and set-aside endpoints on stderr',
  ].join('\n'),
  async run(argv: string[], io: CliIO): Promise<number> {
    const args = parseCommandArgs(argv, {
          source: { type: 'string' },
          endpoint: { type: 'string', multiple: true },
          model: { type: 'string' },
          offline: { type: 'boolean' },
          lang: { type: 'string' },
          task: { type: 'string' },
          protocol: { type: 'string' },
          'map-out': { type: 'string' },
          json: { type: 'boolean' },
          verbose: { type: 'boolean' },
          'connect-timeout': { type: 'string' },
          'first-token-timeout': { type: 'string' },
          'idle-timeout': { type: 'string' },
          'max-tokens': { type: 'string' },
          'no-thinking': { type: 'boolean' },
          'prompt-only': { type: 'boolean' },
          prompt: { type: 'string' },
          sampling: { type: 'string' },
    });
    const v = args.values;
    if (args.positionals.length !== 2) throw new UsageError(`expected ONSET and APEX frames, got ${args.positionals.length} argument(s) (usage: mellm ${USAGE})`);
    const [onset, apex] = args.positionals;
    const lang = (v.lang ?? 'zh') as ReasoningLang;
    if (lang !== 'zh' && lang !== 'en') throw new UsageError(`--lang must be zh or en, got '${v.lang}'`);
    const task = (v.task ?? 'meu') as ReasoningTask;
    if (task !== 'meu' && task !== 'mer') throw new UsageError(`--task must be meu or mer, got '${v.task}'`);
    let protocol: ProtocolId | undefined;
    if (v.protocol !== undefined) {
      if (!isProtocolId(v.protocol)) throw new UsageError(`--protocol must be casme2, casme3a or dfme, got '${v.protocol}'`);
      protocol = v.protocol;
    }
    const flagEndpoints = (v.endpoint ?? []).flatMap(parseEndpointList);
    let choice: SourceChoice | undefined = parseSourceChoice(v.source);
    if (v.offline && choice !== undefined && choice !== 'builtin') throw new UsageError(`--offline is the built-in reasoner: it excludes --source ${choice}`);
    if (v.offline) choice = 'builtin';
    if (choice === 'builtin' && flagEndpoints.length) throw new UsageError('the built-in reasoner (--offline / --source builtin) and --endpoint exclude each other: give one');
    if (choice === 'builtin' && v.model !== undefined) throw new UsageError('--model applies to a server (--endpoint), not to the built-in reasoner');
    const connectTimeoutMs = positiveMs(v['connect-timeout'], '--connect-timeout');
    const firstTokenTimeoutMs = positiveMs(v['first-token-timeout'], '--first-token-timeout');
    const idleTimeoutMs = positiveMs(v['idle-timeout'], '--idle-timeout');
    const maxTokens = parseMaxTokens(v['max-tokens']);
    // --lang without --prompt keeps its old meaning for the prompt (en: the English rendering).
    const preset = parsePromptPreset(v.prompt, v.lang === undefined ? undefined : lang);
    if (preset !== 'authors' && presetParts(preset).protocol && protocol) throw new UsageError(`--prompt ${preset} names its classes already: leave out --protocol`);
    const samplingPreset = parseSamplingPreset(v.sampling);
    const promptOnly = v['prompt-only'] === true;
    const regionText = choice === 'region-text';
    if (regionText && (v.prompt !== undefined || samplingPreset !== undefined)) throw new UsageError('--prompt and --sampling are for the MMC-Map prompt to MELLM; --source region-text builds its own');
    // main.py's generation: temperature 0.7 with sampling, 2048 new tokens (the rest from the weights' generation_config).
    const sampling = resolveSampling({ preset: samplingPreset, maxTokens });
    if (v['no-thinking'] && !regionText) throw new UsageError('--no-thinking applies to --source region-text (a thinking text LLM)');
    const envEndpoints = parseEndpointList(process.env[ENV_ENDPOINTS] ?? '');
    const endpoints = choice === 'builtin' || regionText ? [] : flagEndpoints.length ? flagEndpoints : envEndpoints;
    if (choice === 'mellm' && endpoints.length === 0 && !promptOnly) throw new UsageError(`--source mellm needs a server: give --endpoint URL (or set ${ENV_ENDPOINTS})`);
    if (!regionText && v.model !== undefined && endpoints.length === 0) throw new UsageError(`--model needs a server: give --endpoint URL (or set ${ENV_ENDPOINTS})`);
    const mapOut = v['map-out'];
    if (mapOut !== undefined) {
      if (!/\.png$/i.test(mapOut)) throw new UsageError(`--map-out ${mapOut}: the file name must end in .png`);
      await checkWritable(mapOut, '--map-out');
    }

    let source: ReasoningSource;
    try {
      source = promptOnly
        ? new BuiltinReasoner() // never streamed: --prompt-only stops before any request
        : regionText
          ? regionTextFromFlags({
              endpoint: v.endpoint,
              model: v.model,
              noThinking: v['no-thinking'],
              maxTokens,
              connectTimeoutMs,
              firstTokenTimeoutMs,
              idleTimeoutMs,
              log: v.verbose ? (line) => io.stderr(`mellm analyze: ${line}\n`) : undefined,
            })
          : endpoints.length > 0
          ? new MellmServerClient({
              endpoints,
              model: v.model,
              apiKey: process.env[ENV_API_KEY],
              temperature: sampling.temperature,
              maxTokens: sampling.maxTokens,
              connectTimeoutMs,
              firstTokenTimeoutMs,
              idleTimeoutMs,
              settingNames: {
                endpoints: flagEndpoints.length ? '--endpoint' : ENV_ENDPOINTS,
                model: '--model',
                apiKey: `the ${ENV_API_KEY} environment variable`,
                connectTimeout: '--connect-timeout',
                firstTokenTimeout: '--first-token-timeout',
                idleTimeout: '--idle-timeout',
              },
              // Retries and set-aside endpoints are details: the outcome is one line (or --json's object).
              log: v.verbose ? (line) => io.stderr(`mellm analyze: ${line}\n`) : undefined,
            })
          : new BuiltinReasoner();
    } catch (e) {
      if (e instanceof ReasoningError) throw new UsageError(e.message);
      throw e;
    }
    if (choice === undefined && endpoints.length === 0 && !promptOnly && !v.json) {
      io.stderr(`mellm analyze: no server given (--endpoint or ${ENV_ENDPOINTS}): using the built-in reasoner\n`);
    }

    const t0 = performance.now();
    let pair;
    try {
      pair = await userErrors(() => measurePairMotion({ onset, apex, signal: io.signal, regionStats: regionText }));
    } catch (e) {
      if (v.json && e instanceof UserError) {
        io.stdout(JSON.stringify({ onset, apex, source: { kind: source.kind, label: source.label }, text: null, error: { code: 'input', message: e.message }, parsed: null }, null, 2) + '\n');
      }
      throw e;
    }
    for (const w of pair.warnings) io.stderr(`mellm analyze: warning: ${w}\n`);
    // No face: the plain 1-channel grey onset, as preprocess.py returns it (what the weights are given then).
    const png = await mmcPng(pair.mmc);
    if (mapOut !== undefined) await userErrors(() => writeFileAtomic(mapOut, png));
    let prompt: string;
    let resolved: ResolvedPrompt | null = null;
    if (regionText) {
      if (!pair.regionStats) throw new UserError(`${onset}: no face was found on the onset frame, so there are no region statistics to send (--source region-text needs a visible frontal face)`);
      prompt = buildRegionTextPrompt(pair.regionStats, { lang, task, protocol });
    } else {
      // A --protocol on a preset without a dataset picks its constrained variant (paper-<protocol>, en-<protocol>);
      // the authors' MEU prompt has no class line, its MER one takes the protocol's classes.
      const chosen = protocol && preset !== 'authors' && !presetParts(preset).protocol ? (`${preset}-${protocol}` as PromptPreset) : preset;
      resolved = resolvePrompt({ preset: chosen, task, classes: protocol ? PROTOCOL_CLASSES[protocol] : undefined });
      prompt = resolved.text;
    }
    const t1 = performance.now();
    if (promptOnly) {
      io.stdout(v.json ? JSON.stringify({ onset, apex, source: choice ?? (endpoints.length ? 'mellm' : 'builtin'), lang, task, protocol: protocol ?? null, promptPreset: resolved?.preset ?? 'region-text', prompt, promptSha256: createHash('sha256').update(prompt, 'utf8').digest('hex'), promptBytes: Buffer.byteLength(prompt, 'utf8'), regionStats: pair.regionStats }, null, 2) + '\n' : prompt + '\n');
      return 0;
    }

    let answer;
    try {
      answer = await collectAnswer(
        source.stream({ mapPng: png, prompt, lang, task, motion: pair.motion ?? undefined }, io.signal),
        v.json ? undefined : (text) => io.stdout(text),
      );
    } catch (e) {
      if (e instanceof ReasoningError && e.code === 'aborted') throw new CancelledError('analysis');
      if (e instanceof ReasoningError) {
        // --json promises an object on stdout: the failure is one, beside the one stderr line.
        if (v.json) {
          io.stdout(
            JSON.stringify(
              {
                onset,
                apex,
                source: { kind: source.kind, label: source.label, endpoint: e.endpoint ?? null, model: source.kind === 'server' ? (v.model ?? 'mellm') : null },
                lang,
                task,
                protocol: protocol ?? null,
                map: { width: pair.mmc.width, height: pair.mmc.height, out: mapOut ?? null, nose: pair.mmc.nose, head: pair.mmc.head },
                face: pair.face !== null,
                warnings: pair.warnings,
                text: null,
                error: { code: e.code, message: e.message, status: e.status ?? null, attempts: e.attempts?.length ?? null },
                parsed: null,
              },
              null,
              2,
            ) + '\n',
          );
        }
        throw new UserError(e.message);
      }
      throw e;
    }
    const parsed = parseAnswer(answer.text);
    const t2 = performance.now();
    const { done } = answer;

    if (v.json) {
      io.stdout(
        JSON.stringify(
          {
            onset,
            apex,
            source: { kind: source.kind, label: source.label, endpoint: done.endpoint ?? null, model: done.model ?? null },
            lang,
            task,
            protocol: protocol ?? null,
            promptPreset: resolved?.preset ?? 'region-text',
            promptSha256: createHash('sha256').update(prompt, 'utf8').digest('hex'),
            promptBytes: Buffer.byteLength(prompt, 'utf8'),
            ...(source.kind === 'server' ? { sampling } : {}),
            ...(regionText ? { prompt, regionStats: pair.regionStats } : {}),
            map: { width: pair.mmc.width, height: pair.mmc.height, out: mapOut ?? null, output: pair.mmc.output, nose: pair.mmc.nose, head: pair.mmc.head },
            face: pair.face !== null,
            warnings: pair.warnings,
            text: answer.text,
            stop: done.stop,
            incomplete: done.incomplete,
            message: done.message ?? null,
            usage: done.usage ?? null,
            timingsMs: { map: ms(t1 - t0), firstToken: done.firstTokenMs === undefined ? null : ms(done.firstTokenMs), answer: ms(t2 - t1), total: ms(t2 - t0) },
            parsed: parsedJson(parsed),
            // What the measurement says about the answer: lighting found, the clip's noise floor, and the
            // measured confidence of each parsed AU and of the emotion (confidence.ts).
            lighting: pair.lighting ? photometricSummary(pair.lighting) : null,
            noise: pair.motion?.noise ?? null,
            confidence: answerConfidence(parsed, pair.motion),
          },
          null,
          2,
        ) + '\n',
      );
    } else {
      io.stdout(`\n\n--- parsed (${source.label}) ---\n${formatParsed(parsed)}`);
    }
    if (done.stop === 'aborted') throw new CancelledError('analysis (the partial answer is above)');
    if (done.incomplete) {
      io.stderr(`mellm analyze: the answer is incomplete (${done.stop}): ${done.message ?? 'cut before the end'}\n`);
      return 1;
    }
    return 0;
  },
};
