// `vllm serve` command line for a merged MELLM model (OpenAI-compatible server, DESIGN.md section 4).
// Safe by default: it listens on 127.0.0.1 only, asks for an API key (passed through the environment,
// never the command line, where `ps` would show it), and runs no code from the model folder unless asked.

export interface ServeOptions {
  modelDir: string;
  servedName: string;
  /** Address to listen on: 127.0.0.1 (default: this machine only; a remote job is reached through an ssh tunnel) or 0.0.0.0 (every network). */
  host: string;
  port: number;
  maxModelLen: number;
  /** Images allowed per request (one MMC-Map; two for onset+apex baselines). */
  imagesPerPrompt: number;
  tensorParallel: number;
  gpuMemoryUtilization: number;
  dtype: string;
  /** Name of an environment variable on the target holding the key; empty: the extension's generated key. */
  apiKeyEnv: string;
  /** Let vLLM run Python code shipped with the model (--trust-remote-code). Qwen2.5-VL does not need it. */
  trustRemoteCode: boolean;
  /**
   * vLLM's --generation-config: 'auto' (default) takes the weights' generation_config.json as the server's
   * sampling defaults (top_p, top_k, repetition_penalty, ...; request fields such as temperature and
   * max_tokens override them), as transformers' generate() in the authors' main.py does; 'vllm' ignores it;
   * a folder reads it from there. Passed explicitly: vLLM releases before 0.8 ignored the file unless told.
   */
  generationConfig: string;
}

export const SERVE_DEFAULTS: Readonly<ServeOptions> = Object.freeze({
  modelDir: 'saves/mellm-qwen2_5vl-7b/merged',
  servedName: 'mellm',
  host: '127.0.0.1',
  port: 8000,
  maxModelLen: 8192,
  imagesPerPrompt: 2,
  tensorParallel: 1,
  gpuMemoryUtilization: 0.9,
  dtype: 'bfloat16',
  apiKeyEnv: '',
  trustRemoteCode: false,
  generationConfig: 'auto',
});

/** The environment variable vLLM reads its API key from (instead of --api-key on the command line). */
export const VLLM_KEY_ENV = 'VLLM_API_KEY';

/** A name the shell takes as a variable and nothing else. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '::1';
}

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
    '--generation-config',
    o.generationConfig,
  ];
  if (o.trustRemoteCode) args.push('--trust-remote-code');
  return args;
}

/** The endpoint a client should use for a server started with these options from `clientHost`. */
export function serveEndpoint(o: Pick<ServeOptions, 'host' | 'port'>, clientHost = '127.0.0.1'): string {
  const host = o.host === '0.0.0.0' || o.host === '::' ? clientHost : o.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${o.port}/v1`;
}
