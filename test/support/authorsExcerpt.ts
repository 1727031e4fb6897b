// The committed excerpt of the authors' main.py (test/fixtures/prompts/authors-main.py.excerpt, lines 41, 51 and
// 65-70 of zyzhangUstc/mellmv1-base-on-Qwen2.5vl-7B- at the commit its first line names), read as Python
// source: the prompt literal decoded with the escapes main.py uses, so tests compare what we send with the
// authors' own text rather than with our constant.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const AUTHORS_EXCERPT = join(__dirname, '..', 'fixtures', 'prompts', 'authors-main.py.excerpt');

/** A Python string literal ("..." or '...') with the escapes main.py uses; anything else is refused. */
export function pyString(src: string): string {
  const q = src[0];
  assert.ok(q === '"' || q === "'", `not a string literal: ${src.slice(0, 20)}`);
  let out = '';
  for (let i = 1; i < src.length; i++) {
    const c = src[i];
    if (c === q) {
      assert.equal(src.slice(i + 1).trim(), '', 'text after the literal');
      return out;
    }
    if (c === '\\') {
      const e = src[++i];
      const map: Record<string, string> = { n: '\n', t: '\t', '\\': '\\', '"': '"', "'": "'" };
      assert.ok(e in map, `unsupported escape \\${e}`);
      out += map[e];
    } else out += c;
  }
  throw new Error('unterminated string literal');
}

export interface AuthorsExcerpt {
  /** The excerpt's lines, comments included (line 0 names the repo and commit). */
  lines: string[];
  /** The code lines only (main.py's, verbatim). */
  code: string[];
  /** main.py's `prompt = "..."` literal, decoded: "<image>" followed by the text. */
  literal: string;
}

export function readAuthorsExcerpt(): AuthorsExcerpt {
  const lines = readFileSync(AUTHORS_EXCERPT, 'utf8').split('\n');
  const code = lines.filter((l) => !l.startsWith('#'));
  const assign = code.find((l) => l.trim().startsWith('prompt = '));
  assert.ok(assign, 'the excerpt holds main.py\'s prompt = "..." line');
  return { lines, code, literal: pyString(assign.trim().slice('prompt = '.length)) };
}
