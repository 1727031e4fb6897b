// Languages: the UI (host messages, the panel's strings, the legend) follows VS Code's display language;
// the built-in reasoner answers in it too unless mellm.builtinLanguage says otherwise. What is sent to a
// MELLM server stays the prompt of mellm.language (the authors' Chinese prompt by default).
// Translations: package.nls.<lang>.json (manifest) and l10n/bundle.l10n.<lang>.json (vscode.l10n.t).
import * as vscode from 'vscode';
import type { UiLang } from '../shared/protocol';

/** VS Code's display language reduced to the languages we ship (zh-cn, zh-tw, zh -> zh; else en). */
export function uiLanguage(displayLanguage = vscode.env.language): UiLang {
  return /^zh\b/i.test(displayLanguage) ? 'zh' : 'en';
}

/** The built-in reasoner's answer language: the setting, or the display language when 'auto'. */
export function builtinLanguage(): UiLang {
  const v = vscode.workspace.getConfiguration('mellm').get<string>('builtinLanguage', 'auto');
  return v === 'zh' || v === 'en' ? v : uiLanguage();
}

/** The loaded translation bundle (English source -> translation) for the webview; empty in English. */
export function webviewBundle(): Record<string, string> {
  return (vscode.l10n.bundle as Record<string, string> | undefined) ?? {};
}

export const t = vscode.l10n.t;
