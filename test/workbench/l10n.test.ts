// Localisation coverage: every host string (vscode.l10n.t) and every manifest string (%key%) has its
// English source and a zh-cn translation with the same placeholders; no stale entries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { placeholders, scanL10n } from '../support/l10nStrings';

const ROOT = resolve(__dirname, '..', '..');
const json = (f: string) => JSON.parse(readFileSync(join(ROOT, f), 'utf8')) as Record<string, unknown>;

test('l10n: every vscode.l10n.t message is a literal and has a zh-cn translation with the same placeholders', () => {
  const { messages, nonLiteral } = scanL10n(ROOT);
  assert.deepEqual(nonLiteral, [], 'a computed message can never be translated');
  assert.ok(messages.size > 50, `found ${messages.size} messages`);
  const zh = json('l10n/bundle.l10n.zh-cn.json') as Record<string, string>;
  const missing = [...messages.keys()].filter((m) => !(m in zh));
  assert.deepEqual(missing, [], 'untranslated (add them to l10n/bundle.l10n.zh-cn.json)');
  assert.deepEqual(Object.keys(zh).filter((k) => !messages.has(k)), [], 'stale translations');
  for (const [k, v] of Object.entries(zh)) {
    assert.equal(placeholders(v), placeholders(k), `placeholders of "${k}"`);
    assert.notEqual(v.trim(), '', k);
  }
  assert.equal(json('package.json').l10n, './l10n');
});

test('l10n: every %key% of package.json is in package.nls.json and package.nls.zh-cn.json, nothing stale', () => {
  const text = readFileSync(join(ROOT, 'package.json'), 'utf8');
  const used = new Set([...text.matchAll(/"%([^%"]+)%"/g)].map((m) => m[1]));
  const en = json('package.nls.json') as Record<string, string>;
  const zh = json('package.nls.zh-cn.json') as Record<string, string>;
  assert.deepEqual([...used].filter((k) => !(k in en)), [], 'missing in package.nls.json');
  assert.deepEqual(Object.keys(en).filter((k) => !used.has(k)), [], 'stale in package.nls.json');
  assert.deepEqual(Object.keys(zh).sort(), Object.keys(en).sort(), 'zh-cn has exactly the English keys');
  for (const k of Object.keys(en)) {
    assert.equal(placeholders(zh[k]), placeholders(en[k]), k);
    // Command links and setting references must survive translation unchanged.
    const links = (s: string) => [...s.matchAll(/\]\((command:[^)]+)\)|`#[^`]+#`/g)].map((m) => m[0].replace(/^\][^(]*/, '')).sort().join(' ');
    assert.equal(links(zh[k]), links(en[k]), `links in ${k}`);
  }
  // Commands, settings, views and the walkthrough are localised, not literal English.
  const pkg = json('package.json') as { contributes: { commands: { title: string }[]; views: { explorer: { name: string }[] } } };
  assert.ok(pkg.contributes.commands.every((c) => /^%.+%$/.test(c.title)));
  assert.ok(pkg.contributes.views.explorer.every((v) => /^%.+%$/.test(v.name)));
});
