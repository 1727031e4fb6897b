// A workspace's .vscode/settings.json must not redirect where the API key goes, which commands the jobs run
// or where files are written: those settings are machine-scoped in the manifest (VS Code then ignores
// workspace values), and the host sends its key only to endpoints the user listed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isConfiguredEndpoint } from '../../src/core/reasoning/client';

const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, { scope?: string }> } };
};
const props = pkg.contributes.configuration.properties;

/** Settings that choose a destination for the key, a command, or a place to write. */
const LOCKED = ['mellm.endpoints', 'mellm.regionText.endpoints', 'mellm.cacheFolder', 'mellm.jobs.remotePrefix', 'mellm.jobs.workdir', 'mellm.jobs.cli', 'mellm.train', 'mellm.serve'];

test('settings that redirect keys, commands or files are user/machine settings only', () => {
  for (const k of LOCKED) {
    assert.ok(props[k], `${k} is contributed`);
    assert.ok(['machine', 'application'].includes(props[k].scope ?? 'window'), `${k} has scope ${props[k].scope ?? 'window (default)'}`);
  }
});

test('the host sends its key only to endpoints the user configured (normalised comparison)', () => {
  const mine = ['http://gpu1:8000', 'https://Box.example.org/mellm/v1/'];
  assert.equal(isConfiguredEndpoint('http://gpu1:8000/v1', mine), true);
  assert.equal(isConfiguredEndpoint('http://GPU1:8000/', mine), true);
  assert.equal(isConfiguredEndpoint('https://box.example.org/mellm', mine), true);
  assert.equal(isConfiguredEndpoint('http://gpu1:8001', mine), false);
  assert.equal(isConfiguredEndpoint('http://gpu1:8000.evil.example', mine), false);
  assert.equal(isConfiguredEndpoint('http://evil.example/?x=http://gpu1:8000', mine), false);
  assert.equal(isConfiguredEndpoint('https://box.example.org/other', mine), false);
  assert.equal(isConfiguredEndpoint('not a url', mine), false);
  assert.equal(isConfiguredEndpoint('http://gpu1:8000', []), false);
  assert.equal(isConfiguredEndpoint('http://user:pw@gpu1:8000', mine), false);
});
