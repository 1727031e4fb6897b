// The region-text lane: region statistics as text (regionText.ts) sent to any OpenAI-compatible chat
// endpoint (e.g. Qwen3 under vLLM), text only, with its own endpoints, model and key. Streaming,
// retries, timeouts and cancellation are the MELLM client's (client.ts, input 'text'); this module adds
// the lane's defaults and hides a thinking model's inline <think>…</think> block, which Qwen3 writes at
// the start of its answer when the server runs without a reasoning parser: the thinking is not the
// answer, and its emotion words must not reach the parser or the claim check.
import { MellmServerClient, type ServerClientOptions, type SettingNames } from './client';
import type { ReasoningEvent, ReasoningRequest, ReasoningSource } from './source';

/** Qwen3's recommended sampling for thinking mode (greedy decoding makes it repeat itself). */
export const REGION_TEXT_DEFAULTS = { temperature: 0.6, topP: 0.95, maxTokens: 8192 } as const;

export const REGION_TEXT_SETTING_NAMES: SettingNames = {
  endpoints: 'mellm.regionText.endpoints',
  model: 'mellm.regionText.model',
  apiKey: 'the "MELLM: Set Region-Text API Key" command',
  connectTimeout: 'mellm.timeouts.connectMs',
  firstTokenTimeout: 'mellm.timeouts.firstTokenMs',
  idleTimeout: 'mellm.timeouts.idleMs',
  maxTokens: 'mellm.regionText.maxTokens',
};

export interface RegionTextOptions extends Omit<ServerClientOptions, 'input' | 'kind' | 'serverNoun' | 'labelPrefix' | 'model'> {
  /** Served model name (required: a text LLM has no conventional name). */
  model: string;
  /** Ask a Qwen3-style server not to think (chat_template_kwargs.enable_thinking = false). */
  noThinking?: boolean;
}

export class RegionTextSource implements ReasoningSource {
  readonly kind = 'region-text' as const;
  readonly label: string;
  readonly model: string;
  private readonly client: MellmServerClient;

  constructor(opts: RegionTextOptions) {
    const names = { ...REGION_TEXT_SETTING_NAMES, ...opts.settingNames };
    this.client = new MellmServerClient({
      temperature: REGION_TEXT_DEFAULTS.temperature,
      topP: REGION_TEXT_DEFAULTS.topP,
      maxTokens: REGION_TEXT_DEFAULTS.maxTokens,
      ...opts,
      ...(opts.noThinking ? { extraBody: { ...opts.extraBody, chat_template_kwargs: { enable_thinking: false } } } : {}),
      settingNames: names,
      input: 'text',
      kind: 'region-text',
      serverNoun: 'region-text server',
      labelPrefix: 'Region text',
    });
    this.label = this.client.label;
    this.model = this.client.model;
  }

  get endpointUrls(): string[] {
    return this.client.endpointUrls;
  }

  health(signal?: AbortSignal) {
    return this.client.health(signal);
  }

  stream(req: ReasoningRequest, signal?: AbortSignal): AsyncIterable<ReasoningEvent> {
    return withoutThinking(this.client.stream(req, signal));
  }
}

const OPEN = '<think>';
const CLOSE = '</think>';

/**
 * Drops a leading <think>…</think> block (and the blank lines after it) from a stream's deltas, across
 * chunk boundaries. Text that does not start with <think> passes unchanged. The 'start' event is held
 * until the first answer text, so a consumer sees the answer begin, not the thinking.
 */
export async function* withoutThinking(events: AsyncIterable<ReasoningEvent>): AsyncGenerator<ReasoningEvent> {
  let state: 'head' | 'inside' | 'after' | 'pass' = 'head';
  let buf = '';
  let start: Extract<ReasoningEvent, { type: 'start' }> | undefined;
  let started = false;
  const emit = function* (text: string): Generator<ReasoningEvent> {
    if (text === '') return;
    if (!started && start) yield start;
    started = true;
    yield { type: 'delta', text };
  };
  for await (const ev of events) {
    if (ev.type === 'start') {
      start = ev;
      continue;
    }
    if (ev.type === 'done') {
      // A stream cut inside the block: what was buffered is thinking or a lone prefix; keep a prefix.
      if (state === 'head') yield* emit(buf);
      if (!started && start) yield start;
      yield ev;
      return;
    }
    buf += ev.text;
    if (state === 'head') {
      const lead = buf.trimStart();
      if (lead.startsWith(OPEN)) {
        state = 'inside';
        buf = lead.slice(OPEN.length);
      } else if (OPEN.startsWith(lead)) {
        continue; // still could be the opening tag
      } else {
        state = 'pass';
      }
    }
    if (state === 'inside') {
      const end = buf.indexOf(CLOSE);
      if (end < 0) {
        buf = buf.slice(Math.max(0, buf.length - CLOSE.length)); // keep a possible partial closing tag
        continue;
      }
      buf = buf.slice(end + CLOSE.length);
      state = 'after';
    }
    if (state === 'after') {
      buf = buf.replace(/^\s+/, '');
      if (buf === '') continue;
      state = 'pass';
    }
    const out = buf;
    buf = '';
    yield* emit(out);
  }
}
