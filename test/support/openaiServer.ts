// A local OpenAI-compatible chat-completions server for tests and benches: node:http on 127.0.0.1,
// a random free port, configurable latency, SSE streaming in chunks, scripted failures.
// Reusable: `const s = await startOpenAiServer({ answer: (req) => '...' }); ... await s.close();`
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The parts of a chat-completions request body a test usually looks at. */
export interface ChatRequest {
  model?: string;
  stream?: boolean;
  messages?: Array<{ role: string; content: unknown }>;
  max_tokens?: number;
  temperature?: number;
  [key: string]: unknown;
}

/** What the server does for one request: answer text, or a failure mode. */
export type Reply =
  | string
  | { text: string; latencyMs?: number; chunkChars?: number; chunkDelayMs?: number }
  | { status: number; body?: string }
  /** Stream part of the answer, then destroy the socket (a crash of the server mid-answer). */
  | { dropAfterChars: number; text: string }
  /** Replay a recorded SSE body verbatim, event by event (test/fixtures/answers/streams/*.sse). */
  | { sse: string; gapMs?: number };

export interface OpenAiServerOptions {
  /** The answer for a request (may be async). Default: a fixed MEU-style answer naming happiness. */
  answer?: (req: ChatRequest, index: number) => Reply | Promise<Reply>;
  /** Delay before the first byte, ms (default 0). */
  latencyMs?: number;
  /** Characters per SSE chunk (default 16). */
  chunkChars?: number;
  /** Delay between SSE chunks, ms (default 0: all chunks written back to back). */
  chunkDelayMs?: number;
  /** Model ids listed by GET /v1/models (default ['mellm']). */
  models?: string[];
  /** Record request bodies in `requests` (default true; a bench over thousands of requests turns it off). */
  record?: boolean;
}

export interface OpenAiServer {
  /** Base URL ending in /v1, e.g. http://127.0.0.1:43123/v1 */
  url: string;
  port: number;
  /** Parsed request bodies in arrival order (when record is on). */
  requests: ChatRequest[];
  /** The Authorization header of each recorded request ('' when absent), in the same order. */
  authorizations: string[];
  /** Number of chat-completion requests received. */
  count(): number;
  /** Requests currently being answered. */
  inFlight(): number;
  /** Highest number of requests answered at once. */
  maxInFlight(): number;
  close(): Promise<void>;
}

export const DEFAULT_ANSWER =
  '## 视觉检查\n嘴角区域出现红色与紫色色块，向外上方运动。\n\n## 动作单元 (AU) 推断\nAU6, AU12\n\n' +
  '## 表情推理\n脸颊上提与嘴角上扬提示积极情绪。\n\n## 最终结论\n动作单元：AU6, AU12\n微表情：开心\n';

const sleep = (ms: number): Promise<void> => (ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve());

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

function chunkOf(id: string, model: string, delta: Record<string, unknown>, finish: string | null): string {
  const payload = {
    id,
    object: 'chat.completion.chunk',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, delta, finish_reason: finish }],
  };
  return `data: ${JSON.stringify(payload)}\n\n`;
}

/** Splits by code points so multi-byte characters are never cut in half. */
function splitChars(text: string, n: number): string[] {
  const cps = Array.from(text);
  const out: string[] = [];
  for (let i = 0; i < cps.length; i += Math.max(1, n)) out.push(cps.slice(i, i + Math.max(1, n)).join(''));
  return out;
}

export async function startOpenAiServer(opts: OpenAiServerOptions = {}): Promise<OpenAiServer> {
  const requests: ChatRequest[] = [];
  const authorizations: string[] = [];
  let count = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const sockets = new Set<import('node:net').Socket>();
  const record = opts.record ?? true;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'GET' && /\/models$/.test(path)) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data: (opts.models ?? ['mellm']).map((id) => ({ id, object: 'model' })) }));
      return;
    }
    if (req.method !== 'POST' || !/\/chat\/completions$/.test(path)) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `no route ${req.method} ${path}` } }));
      return;
    }
    const index = count++;
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      let body: ChatRequest;
      try {
        body = JSON.parse(await readBody(req)) as ChatRequest;
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'request body is not JSON' } }));
        return;
      }
      if (record) {
        requests.push(body);
        authorizations.push(req.headers.authorization ?? '');
      }
      const reply: Reply = opts.answer ? await opts.answer(body, index) : DEFAULT_ANSWER;
      const r = typeof reply === 'string' ? { text: reply } : reply;
      await sleep('latencyMs' in r && r.latencyMs !== undefined ? r.latencyMs : (opts.latencyMs ?? 0));
      if ('status' in r) {
        res.writeHead(r.status, { 'content-type': 'application/json' });
        res.end(r.body ?? JSON.stringify({ error: { message: `scripted failure ${r.status}` } }));
        return;
      }
      if ('sse' in r) {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
        for (const ev of r.sse.split(/(?<=\n\n)/)) {
          if (ev === '') continue;
          res.write(ev);
          await sleep(r.gapMs ?? 0);
        }
        res.end();
        return;
      }
      const model = body.model ?? 'mellm';
      const id = `chatcmpl-test-${index}`;
      if (!body.stream && !('dropAfterChars' in r)) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            id,
            object: 'chat.completion',
            created: Math.floor(Date.now() / 1000),
            model,
            choices: [{ index: 0, message: { role: 'assistant', content: r.text }, finish_reason: 'stop' }],
          }),
        );
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      const chunkChars = ('chunkChars' in r ? r.chunkChars : undefined) ?? opts.chunkChars ?? 16;
      const chunkDelay = ('chunkDelayMs' in r ? r.chunkDelayMs : undefined) ?? opts.chunkDelayMs ?? 0;
      const limit = 'dropAfterChars' in r ? r.dropAfterChars : Infinity;
      res.write(chunkOf(id, model, { role: 'assistant', content: '' }, null));
      let sent = 0;
      for (const piece of splitChars(r.text, chunkChars)) {
        if (sent >= limit) {
          res.socket?.destroy();
          return;
        }
        res.write(chunkOf(id, model, { content: piece }, null));
        sent += Array.from(piece).length;
        await sleep(chunkDelay);
      }
      if ('dropAfterChars' in r) {
        res.socket?.destroy();
        return;
      }
      res.write(chunkOf(id, model, {}, 'stop'));
      res.end('data: [DONE]\n\n');
    } finally {
      inFlight -= 1;
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: e instanceof Error ? e.message : String(e) } }));
    });
  });
  server.keepAliveTimeout = 5000;
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    authorizations,
    count: () => count,
    inFlight: () => inFlight,
    maxInFlight: () => maxInFlight,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Runs the server as a standalone process (for spawned CLIs): prints its URL on stdout, stops on SIGTERM. */
if (require.main === module) {
  const latencyMs = Number(process.env.LATENCY_MS ?? '0');
  void startOpenAiServer({ latencyMs, record: false }).then((s) => {
    process.stdout.write(`${s.url}\n`);
    process.on('SIGTERM', () => void s.close().then(() => process.exit(0)));
  });
}
