// `mellm analyze` through the bundle (dist/cli.js): the endpoint path against a local OpenAI-compatible
// server in this process (127.0.0.1, no network), and the --offline built-in reasoner path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOpenAiServer } from '../support/openaiServer';
import { AUTHORS_SYSTEM_PROMPT, buildPrompt } from '../../src/core/reasoning/prompts';
import { readAuthorsExcerpt } from '../support/authorsExcerpt';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const PAIR = join(ROOT, 'test', 'fixtures', 'faces', 's3right_280x340');
const ONSET = join(PAIR, 'onset.png');
const APEX = join(PAIR, 'apex.png');
const ANSWER = readFileSync(join(ROOT, 'test', 'fixtures', 'answers', 'fig4-2-mellm.md'), 'utf8');
const KEY = 'sk-cli-SECRET-987654';

function mellm(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, MELLM_ENDPOINTS: '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(b: Buffer): [number, number] {
  assert.equal(b.subarray(0, 8).toString('hex'), '89504e470d0a1a0a');
  return [b.readUInt32BE(16), b.readUInt32BE(20)];
}

function imageOf(req: { messages?: Array<{ role: string; content: unknown }> }): { png: Buffer; text: string } {
  const content = req.messages?.find((m) => m.role === 'user')?.content as Array<{ type: string; image_url?: { url: string }; text?: string }>;
  const url = content.find((c) => c.type === 'image_url')?.image_url?.url ?? '';
  assert.ok(url.startsWith('data:image/png;base64,'));
  return { png: Buffer.from(url.slice('data:image/png;base64,'.length), 'base64'), text: content.find((c) => c.type === 'text')?.text ?? '' };
}

test('bundle and fixtures exist', () => {
  assert.ok(existsSync(CLI), 'build with node esbuild.js');
  assert.ok(existsSync(ONSET) && existsSync(APEX));
});

test('analyze --endpoint streams the server answer, then the parsed result', async () => {
  const s = await startOpenAiServer({ answer: () => ({ text: ANSWER, chunkChars: 3 }) });
  const dir = mkdtempSync(join(tmpdir(), 'mellm-analyze-'));
  try {
    const mapOut = join(dir, 'map.png');
    const r = await mellm(['analyze', ONSET, APEX, '--endpoint', s.url, '--model', 'mellm', '--map-out', mapOut], { MELLM_API_KEY: KEY });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.startsWith(ANSWER), 'the answer text comes first, verbatim');
    assert.match(r.stdout, /--- parsed \(MELLM @ http:\/\/127\.0\.0\.1:\d+ \(mellm\)\) ---/);
    assert.match(r.stdout, /^emotion: disgust \(厌恶\), read from the conclusion$/m);
    assert.match(r.stdout, /^AUs: AU4 Brow lowerer, AU17 Chin raiser/m);
    assert.ok(!r.stdout.includes(KEY) && !r.stderr.includes(KEY));
    assert.equal(s.requests.length, 1);
    const req = s.requests[0];
    assert.equal(req.model, 'mellm');
    assert.equal(req.stream, true);
    const { png, text } = imageOf(req);
    // The default request is main.py's: system prompt, then the user turn with the image FIRST and the
    // prompt text byte for byte, room for 2048 new tokens at temperature 0.7. Compared with the committed
    // excerpt of main.py itself (its "<image>" placeholder first, then the text), not with our constant.
    const { literal } = readAuthorsExcerpt();
    assert.ok(literal.startsWith('<image>') && !literal.slice(1).includes('<image>'), 'main.py: one image, placed first');
    assert.ok(Buffer.from(text, 'utf8').equals(Buffer.from(literal.slice('<image>'.length), 'utf8')), 'default prompt is main.py\'s, byte for byte');
    assert.deepEqual(req.messages?.[0], { role: 'system', content: AUTHORS_SYSTEM_PROMPT });
    assert.equal(req.messages?.length, 2);
    const user = req.messages?.[1]?.content as Array<{ type: string }>;
    assert.deepEqual(user.map((c) => c.type), ['image_url', 'text']);
    assert.ok((req.max_tokens ?? 0) >= 2048, `max_tokens ${req.max_tokens}`);
    assert.equal(req.temperature, 0.7);
    assert.deepEqual(pngSize(png), [280, 340]);
    assert.ok(readFileSync(mapOut).equals(png), '--map-out holds the map that was sent');
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('analyze --json --lang en --protocol casme2 via MELLM_ENDPOINTS', async () => {
  const s = await startOpenAiServer({ answer: () => '### Final conclusion\nRight AU12 + right AU14. Micro-expression: contempt.' });
  try {
    const r = await mellm(['analyze', ONSET, APEX, '--json', '--lang', 'en', '--protocol', 'casme2'], { MELLM_ENDPOINTS: s.url });
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    // --lang en keeps choosing the English prompt (no --prompt given); --protocol its constrained variant.
    const prompt = buildPrompt({ lang: 'en', protocol: 'casme2' });
    assert.equal(imageOf(s.requests[0]).text, prompt);
    assert.equal(j.promptPreset, 'en-casme2');
    assert.equal(j.promptSha256, createHash('sha256').update(prompt).digest('hex'));
    assert.deepEqual(j.sampling, { preset: 'authors', temperature: 0.7, maxTokens: 2048 });
    assert.equal(j.source.kind, 'server');
    assert.equal(j.stop, 'stop');
    assert.equal(j.incomplete, false);
    assert.equal(j.parsed.emotion, 'contempt');
    assert.deepEqual(
      j.parsed.aus.map((a: { code: string }) => a.code),
      ['R12', 'R14'],
    );
    assert.equal(j.map.width, 280);
    assert.equal(typeof j.timingsMs.firstToken, 'number');
  } finally {
    await s.close();
  }
});

test('analyze: a drop mid-answer keeps the text, parses it, exits 1 saying incomplete', async () => {
  const s = await startOpenAiServer({ answer: () => ({ dropAfterChars: 40, text: ANSWER, chunkChars: 8, chunkDelayMs: 20 }) });
  try {
    const r = await mellm(['analyze', ONSET, APEX, '--endpoint', s.url]);
    assert.equal(r.code, 1);
    assert.ok(r.stdout.startsWith(ANSWER.slice(0, 40)));
    assert.match(r.stdout, /^emotion: unparsed/m);
    assert.match(r.stderr, /incomplete \(dropped\)/);
  } finally {
    await s.close();
  }
});

test('analyze: unreachable server is one line naming the endpoint and --endpoint', async () => {
  const s = await startOpenAiServer();
  const url = s.url;
  await s.close();
  const r = await mellm(['analyze', ONSET, APEX, '--endpoint', url]);
  assert.equal(r.code, 1);
  const last = r.stderr.trim().split('\n').pop() ?? '';
  assert.match(last, /^mellm analyze: Cannot reach the MELLM server at http:\/\/127\.0\.0\.1:\d+ \(connection refused\).*--endpoint/);
  assert.equal(r.stdout, '');
});

test('analyze --offline uses the built-in reasoner through the same stream', async () => {
  const r = await mellm(['analyze', ONSET, APEX, '--offline', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.source.kind, 'builtin');
  assert.equal(j.face, true);
  assert.match(j.text, /最终结论/);
  assert.equal(j.parsed.status, 'parsed');
  assert.equal(j.incomplete, false);
  const t = await mellm(['analyze', ONSET, APEX, '--offline', '--lang', 'en']);
  assert.equal(t.code, 0, t.stderr);
  assert.match(t.stdout, /Final conclusion/);
  assert.match(t.stdout, /--- parsed \(Built-in FACS reasoner\) ---\nemotion: /);
});

test('analyze usage and input errors', async () => {
  assert.equal((await mellm(['analyze', ONSET, APEX, '--offline', '--endpoint', 'http://127.0.0.1:9'])).code, 2);
  assert.equal((await mellm(['analyze', ONSET, APEX, '--lang', 'fr'])).code, 2);
  assert.equal((await mellm(['analyze', ONSET, APEX, '--model', 'x'])).code, 2);
  assert.equal((await mellm(['analyze', ONSET])).code, 2);
  assert.equal((await mellm(['analyze', ONSET, APEX, '--endpoint', 'not a url'])).code, 2);
  const missing = await mellm(['analyze', ONSET, join(PAIR, 'nope.png'), '--offline']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /nope\.png/);
});
