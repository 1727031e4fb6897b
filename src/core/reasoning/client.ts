// MELLM server client: OpenAI-compatible streaming chat completions (vLLM's `vllm serve`), the MMC-Map
// sent as a base64 PNG data URL. Protocol (request building, SSE decoding, error bodies) is the `openai`
// SDK's; this module adds what the SDK cannot express for a streamed answer:
//  - phase timeouts: the SDK's `timeout` only covers the wait for response headers on a streaming call
//    (we use it as the connect timeout); the first-token and idle (between chunks) timeouts are enforced
//    here by racing each chunk against a timer and aborting the request's AbortController;
//  - retries ONLY before the first token (SDK retries are off: maxRetries 0) with exponential backoff,
//    spread round-robin over several endpoints, a failed endpoint set aside for a cool-down;
//  - after the first token nothing is retried: a drop ends the stream as 'done' { incomplete: true }.
// The API key goes only into the SDK (Authorization header); it is never logged or put in a message.
// The same client serves the region-text lane (input 'text': the prompt alone, no image, to any text
// LLM), with its own names in messages; thinking models (vLLM's reasoning parser sends `reasoning` /
// `reasoning_content` deltas before the answer) keep the stream alive while they think.
import { AUTHORS_SYSTEM_PROMPT } from './prompts';
import { DEFAULT_MAX_TOKENS, DEFAULT_SAMPLING_PRESET, SAMPLING_TEMPERATURE } from './sampling';
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import {
  ReasoningError,
  type ReasoningAttempt,
  type ReasoningErrorCode,
  type ReasoningEvent,
  type ReasoningRequest,
  type ReasoningSource,
  type ReasoningUsage,
  type StopReason,
} from './source';

/** Names shown in messages for each knob: VS Code setting ids in the extension, flags in the CLI. */
export interface SettingNames {
  endpoints: string;
  model: string;
  apiKey: string;
  connectTimeout: string;
  firstTokenTimeout: string;
  idleTimeout: string;
  /** Optional: older callers name only the six above. */
  maxTokens?: string;
}

/** The extension's settings (package.json contributes.configuration). */
export const DEFAULT_SETTING_NAMES: SettingNames = {
  endpoints: 'mellm.endpoints',
  model: 'mellm.model',
  apiKey: 'the MELLM_API_KEY environment variable or the "MELLM: Set Server API Key" command',
  connectTimeout: 'mellm.timeouts.connectMs',
  firstTokenTimeout: 'mellm.timeouts.firstTokenMs',
  idleTimeout: 'mellm.timeouts.idleMs',
  maxTokens: 'mellm.maxTokens',
};

export interface ServerClientOptions {
  /** Base URLs, e.g. 'http://gpu1:8000' (a trailing '/v1' is accepted). At least one. */
  endpoints: readonly string[];
  /** Served model name (vLLM --served-model-name). Default 'mellm'. */
  model?: string;
  /** Sent as 'Authorization: Bearer ...' (vLLM --api-key). Never logged. */
  apiKey?: string;
  /** Default 0.7, main.py's (sampling preset 'authors'); 0 is greedy and reproducible ('deterministic'). */
  temperature?: number;
  /** Default 2048, main.py's max_new_tokens. */
  maxTokens?: number;
  /**
   * A system message sent before the user turn. Default for image input: main.py's "You are a helpful
   * assistant." (also Qwen2.5-VL's template default), so the rendered prompt is main.py's whatever the
   * served chat template defaults to; none for text input. '' sends none.
   */
  systemPrompt?: string;
  /** Nucleus sampling; sent only when set (Qwen3's thinking mode recommends 0.95). */
  topP?: number;
  /** Extra request-body fields for the server (e.g. vLLM's chat_template_kwargs); never the API key. */
  extraBody?: Readonly<Record<string, unknown>>;
  /** 'image' (default): the MMC-Map then the prompt; 'text': the prompt alone as a plain user message. */
  input?: 'image' | 'text';
  /** The source kind reported to consumers. Default 'server'. */
  kind?: 'server' | 'region-text';
  /** How messages name the server. Default 'MELLM server'. */
  serverNoun?: string;
  /** Label prefix: '<prefix> @ <endpoint> (<model>)'. Default 'MELLM'. */
  labelPrefix?: string;
  /** Until response headers. Default 10 s. */
  connectTimeoutMs?: number;
  /** From headers to the first content token (covers vLLM queueing and prefill). Default 120 s. */
  firstTokenTimeoutMs?: number;
  /** Longest gap between chunks after the first token. Default 30 s. */
  idleTimeoutMs?: number;
  /** Attempts before the first token, over all endpoints. Default max(3, endpoints.length + 1). */
  maxAttempts?: number;
  /** Backoff before re-trying an endpoint already tried or cooling down: base * 2^k, capped. Defaults 500 / 8000 ms. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** How long a failed endpoint is set aside. Default 30 s. */
  cooldownMs?: number;
  /** Ask vLLM for a final usage chunk (stream_options.include_usage). Default true. */
  includeUsage?: boolean;
  settingNames?: Partial<SettingNames>;
  /** Diagnostic lines (retries, cool-downs). Never receives the API key. */
  log?: (line: string) => void;
  /** Injectable for tests. */
  now?: () => number;
  random?: () => number;
}

export interface EndpointHealth {
  endpoint: string;
  ok: boolean;
  /** Model ids from GET /v1/models. */
  models: string[];
  /** Whether the configured model name is among them. */
  servesModel: boolean;
  latencyMs: number;
  code?: ReasoningErrorCode;
  error?: string;
}

interface Endpoint {
  /** As the user wrote it, without trailing slashes or '/v1' (for messages). */
  display: string;
  /** '<display>/v1' for the SDK. */
  apiBase: string;
  sdk: OpenAI;
}

/** Split a setting value like 'http://a:8000, http://b:8000' into URLs. */
export function parseEndpointList(value: string): string[] {
  return value
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Validate and normalise one endpoint URL. Throws ReasoningError('bad-endpoint'). */
export function normaliseEndpoint(url: string, setting = DEFAULT_SETTING_NAMES.endpoints): { display: string; apiBase: string } {
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    throw new ReasoningError('bad-endpoint', `"${url}" in ${setting} is not a URL; use e.g. http://gpu-host:8000.`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new ReasoningError('bad-endpoint', `"${url}" in ${setting} must start with http:// or https://.`);
  }
  if (u.username || u.password) {
    // Credentials in URLs end up in logs; the key belongs in the API-key setting.
    throw new ReasoningError('bad-endpoint', `The endpoint in ${setting} must not contain a user name or password; set the API key separately.`);
  }
  const path = u.pathname.replace(/\/+$/, '').replace(/\/v1$/, '');
  const display = `${u.protocol}//${u.host}${path}`;
  return { display, apiBase: `${display}/v1` };
}

/**
 * Whether `url` is one of `configured` once both are normalised (trailing '/', '/v1', host case): the
 * extension sends its stored API key only to endpoints the user listed. A malformed URL is never one.
 */
export function isConfiguredEndpoint(url: string, configured: readonly string[]): boolean {
  let want: string;
  try {
    want = normaliseEndpoint(url).display;
  } catch {
    return false;
  }
  return configured.some((c) => {
    try {
      return normaliseEndpoint(c).display === want;
    } catch {
      return false;
    }
  });
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

const oneLine = (s: string, max = 240) => {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
};

/** Innermost system error code (ECONNREFUSED, ENOTFOUND, ...) in an error's cause chain. */
function systemCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let i = 0; i < 6 && e && typeof e === 'object'; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z]+/.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Message of the deepest cause ('other side closed' rather than undici's generic 'fetch failed'). */
function innermostMessage(err: unknown): string {
  let msg = err instanceof Error ? err.message : String(err);
  let e: unknown = err;
  for (let i = 0; i < 6 && e && typeof e === 'object'; i++) {
    const m = (e as { message?: unknown }).message;
    if (typeof m === 'string' && m !== '') msg = m;
    e = (e as { cause?: unknown }).cause;
  }
  return msg;
}

interface AttemptFailure {
  code: ReasoningErrorCode;
  message: string;
  status?: number;
  /** Worth another attempt (on this or another endpoint). */
  retriable: boolean;
}

type ChunkResult = { kind: 'chunk'; value: OpenAI.Chat.Completions.ChatCompletionChunk } | { kind: 'end' } | { kind: 'timeout' } | { kind: 'aborted' };

export class MellmServerClient implements ReasoningSource {
  readonly kind: 'server' | 'region-text';
  readonly label: string;
  /** How messages name the server ('MELLM server', 'region-text server'). */
  private readonly noun: string;
  private readonly input: 'image' | 'text';
  private readonly systemPrompt: string;
  private readonly topP: number | undefined;
  private readonly extraBody: Readonly<Record<string, unknown>>;
  readonly model: string;
  private readonly endpoints: Endpoint[];
  private readonly opts: Required<
    Pick<
      ServerClientOptions,
      | 'temperature'
      | 'maxTokens'
      | 'connectTimeoutMs'
      | 'firstTokenTimeoutMs'
      | 'idleTimeoutMs'
      | 'maxAttempts'
      | 'backoffBaseMs'
      | 'backoffMaxMs'
      | 'cooldownMs'
      | 'includeUsage'
    >
  >;
  private readonly names: SettingNames;
  private readonly log: (line: string) => void;
  private readonly now: () => number;
  private readonly random: () => number;
  /** Round-robin cursor, shared by all requests of this client. */
  private cursor = 0;
  /** Endpoint display URL -> time until which it is set aside. */
  private readonly coolUntil = new Map<string, number>();

  constructor(options: ServerClientOptions) {
    this.names = { ...DEFAULT_SETTING_NAMES, ...options.settingNames };
    this.kind = options.kind ?? 'server';
    this.noun = options.serverNoun ?? 'MELLM server';
    this.input = options.input ?? 'image';
    this.systemPrompt = options.systemPrompt ?? (this.input === 'image' ? AUTHORS_SYSTEM_PROMPT : '');
    this.topP = options.topP;
    this.extraBody = options.extraBody ?? {};
    if (options.endpoints.length === 0) {
      throw new ReasoningError('no-endpoint', `No ${this.noun} is configured: set ${this.names.endpoints} (e.g. http://gpu-host:8000) or use the built-in reasoner.`);
    }
    this.model = options.model ?? 'mellm';
    this.opts = {
      temperature: options.temperature ?? SAMPLING_TEMPERATURE[DEFAULT_SAMPLING_PRESET],
      maxTokens: options.maxTokens ?? DEFAULT_MAX_TOKENS,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      firstTokenTimeoutMs: options.firstTokenTimeoutMs ?? 120_000,
      idleTimeoutMs: options.idleTimeoutMs ?? 30_000,
      maxAttempts: options.maxAttempts ?? Math.max(3, options.endpoints.length + 1),
      backoffBaseMs: options.backoffBaseMs ?? 500,
      backoffMaxMs: options.backoffMaxMs ?? 8000,
      cooldownMs: options.cooldownMs ?? 30_000,
      includeUsage: options.includeUsage ?? true,
    };
    this.log = options.log ?? (() => undefined);
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    const seen = new Set<string>();
    this.endpoints = [];
    for (const raw of options.endpoints) {
      const { display, apiBase } = normaliseEndpoint(raw, this.names.endpoints);
      if (seen.has(display)) continue;
      seen.add(display);
      const sdk = new OpenAI({
        baseURL: apiBase,
        // vLLM without --api-key accepts any bearer token; the SDK insists on one.
        apiKey: options.apiKey && options.apiKey !== '' ? options.apiKey : 'EMPTY',
        organization: null,
        project: null,
        maxRetries: 0,
        timeout: this.opts.connectTimeoutMs,
        logLevel: 'off',
        fetch: (u: string | URL | Request, i?: RequestInit) => errorBodyFetch(u, i, this.opts.connectTimeoutMs),
      });
      this.endpoints.push({ display, apiBase, sdk });
    }
    const where = this.endpoints.length === 1 ? this.endpoints[0].display : `${this.endpoints.length} endpoints`;
    this.label = `${options.labelPrefix ?? 'MELLM'} @ ${where} (${this.model})`;
  }

  /** Endpoint URLs in use (normalised, for display). */
  get endpointUrls(): string[] {
    return this.endpoints.map((e) => e.display);
  }

  /** Endpoints currently set aside after a failure, with ms left. */
  coolingDown(): { endpoint: string; msLeft: number }[] {
    const t = this.now();
    return this.endpoints
      .map((e) => ({ endpoint: e.display, msLeft: (this.coolUntil.get(e.display) ?? 0) - t }))
      .filter((x) => x.msLeft > 0);
  }

  stream(req: ReasoningRequest, signal?: AbortSignal): AsyncIterable<ReasoningEvent> {
    return this.run(req, signal);
  }

  /** GET /v1/models on every endpoint (in parallel); never throws. */
  async health(signal?: AbortSignal): Promise<EndpointHealth[]> {
    return Promise.all(
      this.endpoints.map(async (ep): Promise<EndpointHealth> => {
        const t0 = this.now();
        try {
          const page = await ep.sdk.models.list({ signal, timeout: this.opts.connectTimeoutMs });
          const models = page.data.map((m) => m.id);
          return { endpoint: ep.display, ok: true, models, servesModel: models.includes(this.model), latencyMs: this.now() - t0 };
        } catch (err) {
          const f = this.classify(err, ep, signal);
          return { endpoint: ep.display, ok: false, models: [], servesModel: false, latencyMs: this.now() - t0, code: f.code, error: f.message };
        }
      }),
    );
  }

  // ---- internals -------------------------------------------------------------------------------

  private isCooling(ep: Endpoint): boolean {
    return (this.coolUntil.get(ep.display) ?? 0) > this.now();
  }

  /** Next endpoint round-robin, preferring ones neither tried in this request nor cooling down; never one in `dead`. */
  private pick(tried: Set<string>, dead: ReadonlySet<string>): { ep: Endpoint; fresh: boolean } | null {
    const n = this.endpoints.length;
    const live = (e: Endpoint) => !dead.has(e.display);
    const tiers: ((e: Endpoint) => boolean)[] = [
      (e) => live(e) && !tried.has(e.display) && !this.isCooling(e),
      (e) => live(e) && !this.isCooling(e),
      (e) => live(e) && !tried.has(e.display),
      live,
    ];
    for (let tier = 0; tier < tiers.length; tier++) {
      for (let i = 0; i < n; i++) {
        const idx = (this.cursor + i) % n;
        const ep = this.endpoints[idx];
        if (tiers[tier](ep)) {
          this.cursor = (idx + 1) % n;
          return { ep, fresh: tier === 0 };
        }
      }
    }
    return null;
  }

  private setAside(ep: Endpoint, why: string): void {
    this.coolUntil.set(ep.display, this.now() + this.opts.cooldownMs);
    this.log(`${this.noun} endpoint ${ep.display} set aside for ${Math.round(this.opts.cooldownMs / 1000)} s: ${why}`);
  }

  private classify(err: unknown, ep: Endpoint, callerSignal?: AbortSignal): AttemptFailure {
    const at = ep.display;
    if (callerSignal?.aborted || err instanceof APIUserAbortError) {
      return { code: 'aborted', message: 'Analysis cancelled.', retriable: false };
    }
    if (err instanceof APIConnectionTimeoutError) {
      return {
        code: 'connect-timeout',
        message: `The ${this.noun} at ${at} did not respond within ${this.opts.connectTimeoutMs} ms; check ${this.names.endpoints} or raise ${this.names.connectTimeout}.`,
        retriable: true,
      };
    }
    if (err instanceof APIConnectionError) {
      const code = systemCode(err);
      const why =
        code === 'ECONNREFUSED' ? 'connection refused' : code === 'ENOTFOUND' ? 'host not found' : code === 'ECONNRESET' ? 'connection reset' : code ?? oneLine(innermostMessage(err), 80);
      return {
        code: 'connect-refused',
        message: `Cannot reach the ${this.noun} at ${at} (${why}); check that vLLM is running there and ${this.names.endpoints}.`,
        retriable: true,
      };
    }
    if (err instanceof APIError && typeof err.status === 'number') {
      const status = err.status;
      const detail = oneLine(serverMessage(err), 160);
      if (status === 401 || status === 403) {
        return { code: 'auth', status, message: `The ${this.noun} at ${at} refused the API key (HTTP ${status}); set it with ${this.names.apiKey}.`, retriable: false };
      }
      if (status === 404) {
        return {
          code: 'model',
          status,
          message: `The ${this.noun} at ${at} does not serve model "${this.model}" (HTTP 404${detail ? `: ${detail}` : ''}); check ${this.names.model} against vLLM's --served-model-name.`,
          retriable: false,
        };
      }
      const retriable = status === 408 || status === 409 || status === 429 || status >= 500;
      return {
        code: 'http',
        status,
        message: `The ${this.noun} at ${at} answered HTTP ${status}${detail ? `: ${detail}` : ''}${retriable ? '' : `; check ${this.names.model} and the server log`}.`,
        retriable,
      };
    }
    if (err instanceof APIError) {
      // An error object inside the SSE stream (vLLM reports generation failures this way).
      return { code: 'http', message: `The ${this.noun} at ${at} reported an error: ${oneLine(serverMessage(err), 160)}.`, retriable: true };
    }
    if (err instanceof SyntaxError) {
      return { code: 'protocol', message: `The server at ${at} sent a malformed stream chunk; is it an OpenAI-compatible server (vLLM)? Check ${this.names.endpoints}.`, retriable: false };
    }
    const code = systemCode(err);
    return {
      code: 'protocol',
      message: `The connection to the ${this.noun} at ${at} failed (${code ?? oneLine(err instanceof Error ? err.message : String(err), 80)}).`,
      retriable: true,
    };
  }

  private backoffMs(retryIndex: number): number {
    const raw = Math.min(this.opts.backoffMaxMs, this.opts.backoffBaseMs * 2 ** retryIndex);
    return Math.round(raw * (0.5 + 0.5 * this.random()));
  }

  private async *run(req: ReasoningRequest, signal?: AbortSignal): AsyncGenerator<ReasoningEvent> {
    const t0 = this.now();
    const tried = new Set<string>();
    const failures: ReasoningAttempt[] = [];
    const dataUrl =
      this.input === 'image' ? `data:image/png;base64,${Buffer.from(req.mapPng.buffer, req.mapPng.byteOffset, req.mapPng.byteLength).toString('base64')}` : '';
    let retries = 0;
    // Endpoints that refused this request for a reason of their own (key, model name): not asked again,
    // but the others still are (a 401 from one replica is no reason to give up on the rest).
    const dead = new Set<string>();
    for (let attempt = 1; attempt <= this.opts.maxAttempts; attempt++) {
      if (signal?.aborted) throw new ReasoningError('aborted', 'Analysis cancelled.');
      const picked = this.pick(tried, dead);
      if (!picked) break;
      const { ep, fresh } = picked;
      if (!fresh && attempt > 1) {
        const wait = this.backoffMs(retries++);
        this.log(`Retrying ${ep.display} in ${wait} ms (attempt ${attempt}/${this.opts.maxAttempts}).`);
        try {
          await sleep(wait, signal);
        } catch {
          throw new ReasoningError('aborted', 'Analysis cancelled.');
        }
      }
      tried.add(ep.display);
      const outcome = yield* this.attempt(ep, req, dataUrl, attempt, t0, signal);
      if (outcome === 'done') {
        this.coolUntil.delete(ep.display);
        return;
      }
      if (outcome.code === 'aborted') throw new ReasoningError('aborted', outcome.message, { endpoint: ep.display });
      failures.push({ endpoint: ep.display, code: outcome.code, message: outcome.message, status: outcome.status });
      if (!outcome.retriable) {
        const endpointSpecific = outcome.code === 'auth' || outcome.code === 'model';
        if (!endpointSpecific || dead.size + 1 >= this.endpoints.length) {
          throw new ReasoningError(outcome.code, this.refusedEverywhere(failures, outcome), { endpoint: ep.display, status: outcome.status, attempts: failures });
        }
        dead.add(ep.display);
      }
      this.setAside(ep, outcome.message);
    }
    throw this.exhausted(failures);
  }

  /** The message for a refusal that ends the request: the endpoint's own, plus what the others said. */
  private refusedEverywhere(failures: readonly ReasoningAttempt[], last: AttemptFailure): string {
    const others = failures.filter((f) => f !== failures[failures.length - 1] && f.endpoint !== failures[failures.length - 1].endpoint);
    if (others.length === 0) return last.message;
    const seen = new Map<string, ReasoningAttempt>();
    for (const f of others) seen.set(f.endpoint, f);
    return `${last.message.replace(/\.$/, '')} (also: ${[...seen.values()].map((f) => `${f.endpoint}: ${shortReason(f)}`).join('; ')}).`;
  }

  private exhausted(failures: ReasoningAttempt[]): ReasoningError {
    const last = failures[failures.length - 1];
    const distinct = new Map<string, ReasoningAttempt>();
    for (const f of failures) distinct.set(f.endpoint, f);
    if (this.endpoints.length === 1) {
      return new ReasoningError(last.code, `${last.message.replace(/\.$/, '')} (${failures.length} attempts).`, {
        endpoint: last.endpoint,
        status: last.status,
        attempts: failures,
      });
    }
    const list = this.endpoints
      .map((e) => {
        const f = distinct.get(e.display);
        return `${e.display}: ${f ? shortReason(f) : 'not tried (cooling down)'}`;
      })
      .join('; ');
    return new ReasoningError(
      'all-endpoints-down',
      `No ${this.noun} answered after ${failures.length} attempts (${list}); start vLLM on one of them, fix ${this.names.endpoints}, or use the built-in reasoner.`,
      { attempts: failures },
    );
  }

  /**
   * One request to one endpoint. Yields events only once the first token has arrived; returns 'done' when
   * the stream was delivered (complete or cut after the first token), or the failure before the first token.
   */
  private async *attempt(
    ep: Endpoint,
    req: ReasoningRequest,
    dataUrl: string,
    attempt: number,
    t0: number,
    callerSignal?: AbortSignal,
  ): AsyncGenerator<ReasoningEvent, 'done' | AttemptFailure> {
    const ac = new AbortController();
    const onCallerAbort = () => ac.abort(callerSignal?.reason);
    callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
    let text = '';
    /** Thinking deltas seen before the answer: the model is working, so the idle timeout applies. */
    let thinking = 0;
    let firstTokenMs: number | undefined;
    let finishReason: string | undefined;
    let usage: ReasoningUsage | undefined;
    try {
      let stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>;
      try {
        stream = await ep.sdk.chat.completions.create(
          {
            ...this.extraBody,
            model: this.model,
            stream: true,
            temperature: this.opts.temperature,
            ...(this.topP !== undefined ? { top_p: this.topP } : {}),
            max_tokens: this.opts.maxTokens,
            ...(this.opts.includeUsage ? { stream_options: { include_usage: true } } : {}),
            messages: [
              ...(this.systemPrompt !== '' ? [{ role: 'system' as const, content: this.systemPrompt }] : []),
              this.input === 'text'
                ? { role: 'user', content: req.prompt }
                : {
                    role: 'user',
                    content: [
                      { type: 'image_url', image_url: { url: dataUrl } },
                      { type: 'text', text: req.prompt },
                    ],
                  },
            ],
          },
          { signal: ac.signal, timeout: this.opts.connectTimeoutMs, maxRetries: 0 },
        );
      } catch (err) {
        return this.classify(err, ep, callerSignal);
      }
      const it = stream[Symbol.asyncIterator]();
      let stop: StopReason | undefined;
      let message: string | undefined;
      while (true) {
        const waitMs = text === '' && thinking === 0 ? this.opts.firstTokenTimeoutMs : this.opts.idleTimeoutMs;
        let r: ChunkResult;
        try {
          r = await nextChunk(it, waitMs, ac, callerSignal);
        } catch (err) {
          if (text === '') return this.classify(err, ep, callerSignal);
          const f = this.classify(err, ep, callerSignal);
          stop = err instanceof SyntaxError ? 'malformed' : f.code === 'aborted' ? 'aborted' : 'dropped';
          message =
            stop === 'malformed'
              ? `The stream from ${ep.display} sent a malformed chunk; the answer is cut.`
              : stop === 'aborted'
                ? 'Analysis cancelled; the answer is cut.'
                : err instanceof APIError && !(err instanceof APIConnectionError)
                  ? `The server at ${ep.display} reported an error mid-answer (${oneLine(serverMessage(err), 160)}); the answer is cut.`
                  : `The connection to ${ep.display} dropped mid-answer; the answer is cut.`;
          break;
        }
        if (r.kind === 'aborted') {
          if (text === '') return { code: 'aborted', message: 'Analysis cancelled.', retriable: false };
          stop = 'aborted';
          message = 'Analysis cancelled; the answer is cut.';
          break;
        }
        if (r.kind === 'timeout') {
          if (text === '' && thinking > 0) {
            return {
              code: 'first-token-timeout',
              message: `The ${this.noun} at ${ep.display} stopped sending for ${waitMs} ms while thinking, before any answer text (${this.names.idleTimeout}).`,
              retriable: true,
            };
          }
          if (text === '') {
            return {
              code: 'first-token-timeout',
              message: `The ${this.noun} at ${ep.display} sent no answer within ${waitMs} ms (first-token timeout); it may be overloaded or still loading: raise ${this.names.firstTokenTimeout} or add endpoints.`,
              retriable: true,
            };
          }
          stop = 'idle-timeout';
          message = `The server at ${ep.display} stopped sending for ${waitMs} ms (${this.names.idleTimeout}); the answer is cut.`;
          break;
        }
        if (r.kind === 'end') break;
        const chunk = r.value;
        // `data: null`, `data: []` or choices that are not a list parse as JSON but are no chunk (test/fuzz/sse):
        // malformed, by the contract: an error before any text, a cut answer after it, never a throw.
        const raw = chunk as unknown as { choices?: unknown } | null;
        if (raw === null || typeof raw !== 'object' || Array.isArray(raw) || (raw.choices != null && !Array.isArray(raw.choices))) {
          if (text === '') return { code: 'protocol', message: `The server at ${ep.display} sent a chunk that is not a chat.completion.chunk; check that it is an OpenAI-compatible server (vllm serve).`, retriable: true };
          stop = 'malformed';
          message = `The server at ${ep.display} sent a malformed chunk; the answer is cut.`;
          break;
        }
        if (chunk.usage) {
          usage = { promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens, totalTokens: chunk.usage.total_tokens };
        }
        for (const choice of chunk.choices ?? []) {
          if (choice === null || typeof choice !== 'object') continue;
          // vLLM's reasoning parser: `reasoning` (0.11+) or `reasoning_content` (before). Not answer text.
          const delta = choice.delta as { reasoning?: unknown; reasoning_content?: unknown } | undefined;
          const thought = delta?.reasoning ?? delta?.reasoning_content;
          if (typeof thought === 'string') thinking += thought.length;
          const piece = choice.delta?.content;
          if (typeof piece === 'string' && piece !== '') {
            if (text === '') {
              firstTokenMs = this.now() - t0;
              yield { type: 'start', source: this.kind, endpoint: ep.display, model: chunk.model || this.model, attempt };
            }
            text += piece;
            yield { type: 'delta', text: piece };
          }
          if (choice.finish_reason) finishReason = choice.finish_reason;
        }
      }
      if (text === '') {
        if (finishReason === 'length' && thinking > 0) {
          return {
            code: 'empty',
            message: `The ${this.noun} at ${ep.display} spent the whole max-tokens budget (${this.opts.maxTokens}) thinking and gave no answer; raise ${this.names.maxTokens ?? 'the max-tokens setting'}.`,
            retriable: false,
          };
        }
        if (finishReason) return { code: 'empty', message: `The ${this.noun} at ${ep.display} finished (${finishReason}) without any answer text; check the prompt and ${this.names.model}.`, retriable: false };
        return { code: 'protocol', message: `The server at ${ep.display} closed the stream before any answer text.`, retriable: true };
      }
      if (stop === undefined) {
        if (finishReason === 'stop') stop = 'stop';
        else if (finishReason === 'length') {
          stop = 'length';
          message = `The answer reached the max-tokens limit (${this.opts.maxTokens}) and is cut.`;
        } else if (finishReason) {
          stop = 'other';
          message = `The server ended the answer with finish_reason "${finishReason}".`;
        } else {
          stop = 'dropped';
          message = `The stream from ${ep.display} ended without a finish reason; the answer may be cut.`;
        }
      }
      if (stop === 'dropped' || stop === 'idle-timeout' || stop === 'malformed') this.setAside(ep, message ?? stop);
      yield {
        type: 'done',
        stop,
        incomplete: stop !== 'stop',
        finishReason,
        message,
        endpoint: ep.display,
        model: this.model,
        usage,
        firstTokenMs,
        totalMs: this.now() - t0,
      };
      return 'done';
    } finally {
      callerSignal?.removeEventListener('abort', onCallerAbort);
      ac.abort(); // releases the socket if the consumer stopped early or we timed out
    }
  }
}

function shortReason(f: ReasoningAttempt): string {
  switch (f.code) {
    case 'connect-refused':
      return 'unreachable';
    case 'connect-timeout':
      return 'connect timeout';
    case 'first-token-timeout':
      return 'no first token';
    case 'http':
      return f.status ? `HTTP ${f.status}` : 'server error';
    case 'auth':
      return `key refused (HTTP ${f.status ?? 401})`;
    case 'model':
      return 'model not served (HTTP 404)';
    default:
      return f.code;
  }
}

/**
 * fetch for the SDK: error bodies in vLLM's flat form ({"object": "error", "message": ...}) are wrapped as
 * OpenAI's {"error": {...}}, which is the only form the SDK (6.x) reads its message from; without it a
 * 500 "CUDA out of memory" would reach the user as a bare "HTTP 500".
 */
async function errorBodyFetch(url: string | URL | Request, init: RequestInit | undefined, bodyMs: number): Promise<Response> {
  const res = await fetch(url, init);
  if (res.ok) return res;
  // The SDK reads an error's whole body with no time limit: a server that sends a 5xx head and then
  // stalls would hang the request past every timeout (found by test/fuzz/sse). Read at most 64 KiB, for the connect timeout.
  const text = await boundedText(res, bodyMs, 64 * 1024);
  let body = text;
  if (/json/i.test(res.headers.get('content-type') ?? '')) {
    try {
      const j = JSON.parse(text) as unknown;
      if (j !== null && typeof j === 'object' && !Array.isArray(j) && !('error' in j)) body = JSON.stringify({ error: j });
    } catch {
      /* not JSON after all: pass the text through */
    }
  }
  // The body is now text read here: its length and encoding headers no longer describe it.
  const headers = new Headers(res.headers);
  headers.delete('content-length');
  headers.delete('content-encoding');
  return new Response(body, { status: res.status, statusText: res.statusText, headers });
}

/** A response body as text, cut at `maxBytes` or after `ms` (then the connection is let go). */
async function boundedText(res: Response, ms: number, maxBytes: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), ms)));
  try {
    while (size < maxBytes) {
      const next = await Promise.race([reader.read(), expired]);
      if (next === 'timeout' || next.done) break;
      parts.push(next.value);
      size += next.value.length;
    }
  } catch {
    /* a dropped connection: keep what came */
  } finally {
    clearTimeout(timer);
    void reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(parts).subarray(0, maxBytes).toString('utf8');
}

function serverMessage(err: APIError): string {
  const body = err.error as { message?: unknown; error?: { message?: unknown } } | undefined;
  const m = body?.message ?? body?.error?.message;
  if (typeof m === 'string') return m;
  // The SDK message starts with the status code; strip it.
  return err.message.replace(/^\d{3}\s*/, '').replace(/^status code \(no body\)$/, '');
}

/** Next chunk, or 'timeout' after ms (aborting the request), or 'aborted' when the caller aborts. */
async function nextChunk(
  it: AsyncIterator<OpenAI.Chat.Completions.ChatCompletionChunk>,
  ms: number,
  ac: AbortController,
  callerSignal?: AbortSignal,
): Promise<ChunkResult> {
  if (callerSignal?.aborted) return { kind: 'aborted' };
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const timeout = new Promise<ChunkResult>((resolve) => {
    timer = setTimeout(() => {
      ac.abort();
      resolve({ kind: 'timeout' });
    }, ms);
  });
  const aborted = new Promise<ChunkResult>((resolve) => {
    onAbort = () => resolve({ kind: 'aborted' });
    callerSignal?.addEventListener('abort', onAbort, { once: true });
  });
  const next = it.next().then((r): ChunkResult => (r.done ? { kind: 'end' } : { kind: 'chunk', value: r.value }));
  // A rejected `next` after we stopped waiting must not become an unhandled rejection.
  next.catch(() => undefined);
  try {
    const r = await Promise.race([next, timeout, aborted]);
    // The SDK ends the iterator quietly when its request is aborted: report the caller's abort as such.
    if (r.kind === 'end' && callerSignal?.aborted) return { kind: 'aborted' };
    return r;
  } finally {
    clearTimeout(timer);
    if (onAbort) callerSignal?.removeEventListener('abort', onAbort);
  }
}
