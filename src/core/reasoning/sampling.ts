// Generation settings of a MELLM request, as named presets. main.py of the authors' repo
// (zyzhangUstc/mellmv1-base-on-Qwen2.5vl-7B-, commit b7daa0f, lines 65-70) generates with
// max_new_tokens=2048, temperature=0.7, do_sample=True and, for everything else (top_p, top_k,
// repetition_penalty), the weights' own generation_config.json. A request therefore sends only the
// temperature and max_tokens: vLLM started with `--generation-config auto` fills in the rest from the same
// file (request fields override its defaults; fields a request leaves out come from it).
export type SamplingPreset = 'authors' | 'deterministic';
export const SAMPLING_PRESETS: readonly SamplingPreset[] = ['authors', 'deterministic'];
export const DEFAULT_SAMPLING_PRESET: SamplingPreset = 'authors';

/** main.py's max_new_tokens. */
export const DEFAULT_MAX_TOKENS = 2048;

/** Temperature of each preset: the authors' sampling, or greedy decoding for reproducible benchmarks. */
export const SAMPLING_TEMPERATURE: Readonly<Record<SamplingPreset, number>> = Object.freeze({ authors: 0.7, deterministic: 0 });

/** What a run records about its generation settings ('custom': a temperature given by hand). */
export interface SamplingRecord {
  preset: SamplingPreset | 'custom';
  temperature: number;
  maxTokens: number;
}

export function isSamplingPreset(x: unknown): x is SamplingPreset {
  return typeof x === 'string' && (SAMPLING_PRESETS as readonly string[]).includes(x);
}

/** The settings of a preset, or of a hand-given temperature (then 'custom'); max tokens default 2048. */
export function resolveSampling(opts: { preset?: SamplingPreset; temperature?: number; maxTokens?: number } = {}): SamplingRecord {
  const maxTokens = opts.maxTokens ?? DEFAULT_MAX_TOKENS;
  if (opts.temperature !== undefined) {
    const preset = opts.preset && SAMPLING_TEMPERATURE[opts.preset] === opts.temperature ? opts.preset : 'custom';
    return { preset, temperature: opts.temperature, maxTokens };
  }
  const preset = opts.preset ?? DEFAULT_SAMPLING_PRESET;
  return { preset, temperature: SAMPLING_TEMPERATURE[preset], maxTokens };
}
