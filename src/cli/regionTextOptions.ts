// The region-text source from command-line flags and its own environment variables, shared by
// `mellm analyze --source region-text` and `mellm bench --source region-text`. Its key is read from
// MELLM_REGION_TEXT_API_KEY only: the MELLM server's key (MELLM_API_KEY) is never sent to another server.
import { parseEndpointList } from '../core/reasoning/client';
import { RegionTextSource, type RegionTextOptions } from '../core/reasoning/regionTextSource';
import { ReasoningError } from '../core/reasoning/source';
import { UsageError } from './types';

export const ENV_RT_ENDPOINTS = 'MELLM_REGION_TEXT_ENDPOINTS';
export const ENV_RT_MODEL = 'MELLM_REGION_TEXT_MODEL';
export const ENV_RT_API_KEY = 'MELLM_REGION_TEXT_API_KEY';

export type SourceChoice = 'mellm' | 'builtin' | 'region-text';
export const SOURCE_CHOICES: readonly SourceChoice[] = ['mellm', 'builtin', 'region-text'];

export function parseSourceChoice(value: string | undefined): SourceChoice | undefined {
  if (value === undefined) return undefined;
  if (!(SOURCE_CHOICES as readonly string[]).includes(value)) throw new UsageError(`--source must be one of ${SOURCE_CHOICES.join(', ')} (got '${value}')`);
  return value as SourceChoice;
}

export interface RegionTextFlags {
  /** --endpoint values as given (each may hold a comma-separated list). */
  endpoint?: readonly string[];
  model?: string;
  noThinking?: boolean;
  maxTokens?: number;
  connectTimeoutMs?: number;
  firstTokenTimeoutMs?: number;
  idleTimeoutMs?: number;
  log?: (line: string) => void;
}

/** Builds the source, or throws a UsageError naming the flag or variable to set. */
export function regionTextFromFlags(f: RegionTextFlags, env: NodeJS.ProcessEnv = process.env): RegionTextSource {
  const flagEndpoints = (f.endpoint ?? []).flatMap(parseEndpointList);
  const endpoints = flagEndpoints.length > 0 ? flagEndpoints : parseEndpointList(env[ENV_RT_ENDPOINTS] ?? '');
  if (endpoints.length === 0) {
    throw new UsageError(`--source region-text needs the text LLM's server: give --endpoint URL (e.g. a vLLM serving Qwen3) or set ${ENV_RT_ENDPOINTS}`);
  }
  const model = (f.model ?? env[ENV_RT_MODEL] ?? '').trim();
  if (model === '') throw new UsageError(`--source region-text needs the served model name: give --model NAME or set ${ENV_RT_MODEL} (the server's GET /v1/models lists it)`);
  const opts: RegionTextOptions = {
    endpoints,
    model,
    apiKey: env[ENV_RT_API_KEY] || undefined,
    noThinking: f.noThinking === true,
    ...(f.maxTokens !== undefined ? { maxTokens: f.maxTokens } : {}),
    connectTimeoutMs: f.connectTimeoutMs,
    firstTokenTimeoutMs: f.firstTokenTimeoutMs,
    idleTimeoutMs: f.idleTimeoutMs,
    settingNames: {
      endpoints: flagEndpoints.length > 0 ? '--endpoint' : ENV_RT_ENDPOINTS,
      model: f.model !== undefined ? '--model' : ENV_RT_MODEL,
      apiKey: `the ${ENV_RT_API_KEY} environment variable`,
      connectTimeout: '--connect-timeout',
      firstTokenTimeout: '--first-token-timeout',
      idleTimeout: '--idle-timeout',
      maxTokens: '--max-tokens',
    },
    ...(f.log ? { log: f.log } : {}),
  };
  try {
    return new RegionTextSource(opts);
  } catch (e) {
    if (e instanceof ReasoningError) throw new UsageError(e.message);
    throw e;
  }
}
