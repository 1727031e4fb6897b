// `vllm serve` command line for a merged MELLM model (OpenAI-compatible server, DESIGN.md section 4).

export interface ServeOptions {
  modelDir: string;
  servedName: string;
  host: string;
  port: number;
  maxModelLen: number;
  /** Images allowed per request (one MMC-Map; two for onset+apex baselines). */
  imagesPerPrompt: number;
  tensorParallel: number;
  gpuMemoryUtilization: number;
  dtype: string;
  /** Name of an environment variable holding the API key; the key itself never appears in the command. */
  apiKeyEnv: string;
}

export const SERVE_DEFAULTS: Readonly<ServeOptions> = Object.freeze({
  modelDir: 'saves/mellm-qwen2_5vl-7b/merged',
  servedName: 'mellm',
  host: '0.0.0.0',
  port: 8000,
  maxModelLen: 8192,
  imagesPerPrompt: 2,
  tensorParallel: 1,
  gpuMemoryUtilization: 0.9,
  dtype: 'bfloat16',
  apiKeyEnv: '',
});

/** argv after `vllm` (so `['serve', model, ...]`). */
export function serveArgs(o: ServeOptions): string[] {
  const args = [
    'serve',
    o.modelDir,
    '--served-model-name',
    o.servedName,
    '--host',
    o.host,
    '--port',
    String(o.port),
    '--max-model-len',
    String(o.maxModelLen),
    // KEY=VALUE form (vLLM 0.7.x); newer releases also read it.
    '--limit-mm-per-prompt',
    `image=${o.imagesPerPrompt}`,
    '--tensor-parallel-size',
    String(o.tensorParallel),
    '--gpu-memory-utilization',
    String(o.gpuMemoryUtilization),
    '--dtype',
    o.dtype,
    '--trust-remote-code',
  ];
  if (o.apiKeyEnv) args.push('--api-key', `$${o.apiKeyEnv}`);
  return args;
}

/** The endpoint a client should use for a server started with these options from `clientHost`. */
export function serveEndpoint(o: Pick<ServeOptions, 'host' | 'port'>, clientHost = '127.0.0.1'): string {
  const host = o.host === '0.0.0.0' || o.host === '::' ? clientHost : o.host;
  return `http://${host}:${o.port}/v1`;
}
