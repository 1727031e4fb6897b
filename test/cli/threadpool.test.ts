// The CLI sizes libuv's thread pool before anything can use it: in the bundle, the setting comes before
// the first native module is loaded, and a size the user set is kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

test('dist/cli.js sets UV_THREADPOOL_SIZE before it loads sharp, onnxruntime or the addon', () => {
  // A preload records the variable at the moment each native module is first required.
  const dir = mkdtempSync(join(tmpdir(), 'mellm-uv-'));
  const hook = join(dir, 'hook.js');
  writeFileSync(
    hook,
    `const M = require('module'); const seen = {}; const load = M._load;
M._load = function (req, ...rest) {
  const k = /sharp|onnxruntime-node|mellm_native/.exec(req);
  if (k && !(k[0] in seen)) seen[k[0]] = process.env.UV_THREADPOOL_SIZE ?? null;
  return load.call(this, req, ...rest);
};
process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(join(dir, 'seen.json'))}, JSON.stringify(seen)));`,
  );
  const pair = join(ROOT, 'test', 'fixtures', 'faces', 's1left_128x156');
  const { UV_THREADPOOL_SIZE: _drop, ...env } = process.env;
  execFileSync(process.execPath, ['-r', hook, join(ROOT, 'dist', 'cli.js'), 'mmc', join(pair, 'onset.png'), join(pair, 'apex.png'), '--out', join(dir, 'map.png')], { env });
  const seen = JSON.parse(readFileSync(join(dir, 'seen.json'), 'utf8')) as Record<string, string | null>;
  const want = String(Math.max(4, Math.min(availableParallelism(), 32)));
  assert.deepEqual(seen, { sharp: want, 'onnxruntime-node': want, mellm_native: want });
});

test('the pool gets one thread per core (4 to 32) unless UV_THREADPOOL_SIZE is already set', () => {
  const probe = `require(${JSON.stringify(join(ROOT, 'src', 'cli', 'threadpool.ts'))}); process.stdout.write(process.env.UV_THREADPOOL_SIZE)`;
  const run = (env: NodeJS.ProcessEnv): string =>
    execFileSync(process.execPath, ['--import', 'tsx', '-e', probe], { cwd: ROOT, env, encoding: 'utf8' });
  const { UV_THREADPOOL_SIZE: _drop, ...base } = process.env;
  assert.equal(run(base), String(Math.max(4, Math.min(availableParallelism(), 32))));
  assert.equal(run({ ...base, UV_THREADPOOL_SIZE: '7' }), '7');
});
