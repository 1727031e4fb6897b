// The one streaming interface behind every FGMU analysis. The MELLM server client (client.ts), the
// region-text lane (regionTextSource.ts: region statistics as text for any text LLM) and the built-in
// FACS reasoner (reasoner.ts) all implement ReasoningSource, so the panel, the CLI and the
// benchmark consume text the same way whatever produced it.
//
// Contract (both implementations must keep it; test/reasoning/client.test.ts checks the server side):
//  - A failure BEFORE the first delta is thrown from the iterator as a ReasoningError whose message is
//    one user-facing line naming the endpoint / setting and what to do.
//  - Once a delta has been yielded the iterator never throws: a dropped connection, idle timeout,
//    malformed chunk or caller abort ends the stream with a 'done' event { incomplete: true, stop, message }
//    and the text already delivered stays valid (partial answers are shown and parsed, marked incomplete).
//  - Exactly one 'done' event ends every stream that did not throw.

export type ReasoningLang = 'zh' | 'en';
/** 'meu': full FGMU analysis (regions -> AUs -> emotion). 'mer': the emotion word only (paper III-F). */
export type ReasoningTask = 'meu' | 'mer';
/** Who answers: a MELLM (vision) server, a text LLM reading region statistics, or the built-in reasoner. */
export type SourceKindName = 'server' | 'region-text' | 'builtin';

/**
 * One analysis request. `M` is the measured regional motion the built-in reasoner reasons from
 * (its concrete type lives in regionMotion.ts, owned by the reasoner); servers ignore it.
 */
export interface ReasoningRequest<M = unknown> {
  /** The MMC-Map as PNG bytes (what the model sees). Text-only sources ignore it (may be empty). */
  mapPng: Uint8Array;
  /** The full prompt text (prompts.ts builds it; the zh default is byte-exact to the released weights). */
  prompt: string;
  lang: ReasoningLang;
  task: ReasoningTask;
  /** Measured motion for the built-in reasoner; servers ignore it. */
  motion?: M;
}

export interface ReasoningUsage {
  promptTokens?: number;
  completionTokens?: number;
  totalTokens?: number;
}

/** Why a stream ended. 'stop' is a normal finish; everything except 'stop' means the text may be cut. */
export type StopReason =
  | 'stop' // the model finished its answer
  | 'length' // hit max tokens (text complete as far as it goes, but cut)
  | 'dropped' // connection closed / reset mid-stream
  | 'idle-timeout' // no chunk within the idle timeout after the first token
  | 'malformed' // a chunk that is not valid JSON / not a chat.completion.chunk
  | 'aborted' // the caller aborted (AbortSignal) after the first token
  | 'other'; // a finish_reason we do not know (kept verbatim in finishReason)

export type ReasoningEvent =
  /** Emitted once, before the first delta: who is answering (endpoint URL or 'builtin', served model). */
  | { type: 'start'; source: SourceKindName; endpoint?: string; model?: string; attempt: number }
  /** A piece of answer text, in order; concatenating all deltas gives the answer. */
  | { type: 'delta'; text: string }
  /** The last event. `incomplete` is true for every stop other than 'stop'. */
  | {
      type: 'done';
      stop: StopReason;
      incomplete: boolean;
      /** Raw finish_reason from the server when it sent one. */
      finishReason?: string;
      /** One user-facing line explaining an incomplete stop (never contains the API key). */
      message?: string;
      endpoint?: string;
      model?: string;
      usage?: ReasoningUsage;
      /** Milliseconds from stream() to the first delta, and to the end. */
      firstTokenMs?: number;
      totalMs: number;
    };

export type ReasoningErrorCode =
  | 'no-endpoint' // nothing configured
  | 'bad-endpoint' // not a valid http(s) URL
  | 'connect-refused' // connection refused / DNS / network unreachable
  | 'connect-timeout' // no HTTP response headers within the connect timeout
  | 'first-token-timeout' // headers came but no content within the first-token timeout
  | 'http' // non-2xx status (see status)
  | 'auth' // 401/403: API key missing or wrong
  | 'model' // 404 / unknown model name
  | 'protocol' // the server did not speak OpenAI streaming (bad content type, malformed first chunk)
  | 'empty' // stream finished without any text
  | 'all-endpoints-down' // every endpoint failed or is cooling down; `attempts` lists them
  | 'aborted' // the caller aborted before the first token
  | 'builtin'; // the built-in reasoner could not run (e.g. no motion measured)

export interface ReasoningAttempt {
  endpoint: string;
  code: ReasoningErrorCode;
  message: string;
  status?: number;
}

/** Thrown before the first delta. `message` is one line a user can act on. */
export class ReasoningError extends Error {
  readonly code: ReasoningErrorCode;
  readonly endpoint?: string;
  readonly status?: number;
  readonly attempts: readonly ReasoningAttempt[];
  constructor(
    code: ReasoningErrorCode,
    message: string,
    extra: { endpoint?: string; status?: number; attempts?: readonly ReasoningAttempt[]; cause?: unknown } = {},
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'ReasoningError';
    this.code = code;
    this.endpoint = extra.endpoint;
    this.status = extra.status;
    this.attempts = extra.attempts ?? [];
  }
}

export interface ReasoningSource<M = unknown> {
  readonly kind: SourceKindName;
  /** Short label for the UI, e.g. 'MELLM @ http://gpu1:8000 (mellm)' or 'Built-in FACS reasoner'. */
  readonly label: string;
  stream(req: ReasoningRequest<M>, signal?: AbortSignal): AsyncIterable<ReasoningEvent>;
}

/** The result of draining a stream: what the CLI and batch jobs need. */
export interface CollectedAnswer {
  text: string;
  done: Extract<ReasoningEvent, { type: 'done' }>;
  start?: Extract<ReasoningEvent, { type: 'start' }>;
}

/**
 * Drain a stream into one answer, calling onDelta for each piece (e.g. to print it as it comes).
 * Errors before the first token propagate as ReasoningError.
 */
export async function collectAnswer(
  events: AsyncIterable<ReasoningEvent>,
  onDelta?: (text: string) => void,
): Promise<CollectedAnswer> {
  let text = '';
  let start: CollectedAnswer['start'];
  for await (const ev of events) {
    if (ev.type === 'start') start = ev;
    else if (ev.type === 'delta') {
      text += ev.text;
      onDelta?.(ev.text);
    } else return { text, done: ev, start };
  }
  // A source that ends without 'done' broke the contract; report it as a cut answer rather than crash.
  return {
    text,
    start,
    done: { type: 'done', stop: 'dropped', incomplete: true, message: 'The reasoning stream ended without a final event.', totalMs: 0 },
  };
}
