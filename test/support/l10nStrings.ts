// The runtime strings that l10n/bundle.l10n.<lang>.json translates: every `t('…')` (src/vscode/l10n.ts on the
// host, webview/l10n.ts in the panel, which gets the host's bundle) and `vscode.l10n.t('…')` call in
// src/extension.ts, src/vscode/ and webview/, found with the TypeScript parser. A call whose message is not
// a literal is reported (it could never be translated).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

export interface L10nScan {
  messages: Map<string, string[]>;
  /** file:line of calls whose first argument is not a string literal. */
  nonLiteral: string[];
}

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

export function scanL10n(root: string): L10nScan {
  const messages = new Map<string, string[]>();
  const nonLiteral: string[] = [];
  for (const f of [join(root, 'src/extension.ts'), ...files(join(root, 'src/vscode')), ...files(join(root, 'webview'))]) {
    const src = ts.createSourceFile(f, readFileSync(f, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (n: ts.Node): void => {
      if (ts.isCallExpression(n)) {
        const c = n.expression;
        const isT = (ts.isIdentifier(c) && c.text === 't') || (ts.isPropertyAccessExpression(c) && c.name.text === 't' && /(^|\.)l10n$/.test(c.expression.getText(src)));
        if (isT && n.arguments.length > 0) {
          const a = n.arguments[0];
          const where = `${relative(root, f)}:${src.getLineAndCharacterOfPosition(n.getStart(src)).line + 1}`;
          if (ts.isStringLiteral(a) || ts.isNoSubstitutionTemplateLiteral(a)) messages.set(a.text, [...(messages.get(a.text) ?? []), where]);
          else nonLiteral.push(where);
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(src);
  }
  return { messages, nonLiteral };
}

/** {0}, {1} … in a message, sorted: a translation must use the same ones. */
export const placeholders = (s: string) => [...s.matchAll(/\{(\d+)\}/g)].map((m) => m[1]).sort().join(',');
