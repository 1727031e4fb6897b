// `mellm parse` through the bundle (dist/cli.js; `node esbuild.js` builds it, run-tests.mjs does first).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const ANSWERS = join(ROOT, 'test', 'fixtures', 'answers');

function mellm(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, input, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('bundle exists (run `node esbuild.js`)', () => {
  assert.ok(existsSync(CLI), `${CLI} missing: build with node esbuild.js`);
});

test('mellm parse prints emotion, AUs and sections', () => {
  const r = mellm(['parse', join(ANSWERS, 'fig4-2-mellm.md')]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^emotion: disgust \(厌恶\), read from the conclusion$/m);
  assert.match(r.stdout, /^AUs: AU4 Brow lowerer, AU17 Chin raiser \(from the conclusion\)$/m);
  assert.match(r.stdout, /^sections: preamble, visual, au, reasoning, conclusion$/m);
});

test('mellm parse --json, stdin, unparsed', () => {
  const r = mellm(['parse', join(ANSWERS, 'en-right-au.md'), '--json']);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.status, 'parsed');
  assert.equal(j.emotion, 'contempt');
  assert.deepEqual(
    j.aus.map((a: { code: string; side: string }) => [a.code, a.side]),
    [
      ['R12', 'R'],
      ['R14', 'R'],
    ],
  );
  assert.equal(j.aus[0].name.en, 'Lip corner puller');
  const s = mellm(['parse', '-', '--json'], '##### 最终结论\n微表情为中性');
  const u = JSON.parse(s.stdout);
  assert.equal(u.status, 'unparsed');
  assert.equal(u.emotion, null);
  assert.match(u.reason, /中性/);
});

test('mellm parse errors: missing file exit 1 naming it, bad usage exit 2', () => {
  const r = mellm(['parse', 'no/such/answer.txt']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /no\/such\/answer\.txt: no such file/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.equal(mellm(['parse']).code, 2);
  assert.equal(mellm(['parse', 'a', 'b']).code, 2);
  assert.equal(mellm(['parse', '--bogus', 'a']).code, 2);
});
