// --prompt and --sampling, shared by `mellm analyze`, `mellm bench` and `mellm export`.
import { DEFAULT_PROMPT_PRESET, PROMPT_PRESETS, isPromptPreset, type PromptPreset } from '../core/reasoning/prompts';
import { SAMPLING_PRESETS, isSamplingPreset, type SamplingPreset } from '../core/reasoning/sampling';
import type { ReasoningLang } from '../core/reasoning/source';
import { UsageError } from './types';

export const PROMPT_USAGE = `[--prompt ${PROMPT_PRESETS.join('|')}]`;
export const SAMPLING_USAGE = `[--sampling ${SAMPLING_PRESETS.join('|')}]`;

/**
 * The prompt preset: --prompt, else for `--lang en` the English rendering (what --lang en chose before
 * presets existed), else 'authors' (main.py's prompt, what the released weights are run with).
 */
export function parsePromptPreset(value: string | undefined, lang: ReasoningLang | undefined): PromptPreset {
  if (value === undefined) return lang === 'en' ? 'en' : DEFAULT_PROMPT_PRESET;
  if (!isPromptPreset(value)) throw new UsageError(`--prompt must be one of ${PROMPT_PRESETS.join(', ')}, got '${value}'`);
  return value;
}

export function parseSamplingPreset(value: string | undefined): SamplingPreset | undefined {
  if (value === undefined) return undefined;
  if (!isSamplingPreset(value)) throw new UsageError(`--sampling must be ${SAMPLING_PRESETS.join(' or ')}, got '${value}'`);
  return value;
}

export function parseMaxTokens(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(Number.isInteger(n) && n >= 16 && n <= 1_000_000)) throw new UsageError(`--max-tokens expects a whole number >= 16, got '${value}'`);
  return n;
}
