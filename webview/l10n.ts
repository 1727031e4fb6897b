// The panel's words in VS Code's display language. The host sends vscode.l10n.bundle (English message ->
// translation, the same file the host's vscode.l10n.t reads: l10n/bundle.l10n.<lang>.json) with each
// 'init'; t() looks a message up and fills {0}, {1}... Without a bundle the English message is used.
// Everything built from t() re-renders on a later 'init' (onLanguage), so a language change needs no reload.
import { regionLabel, regionShort } from '../src/shared/regions';
import { EMOTION_EN, EMOTION_ZH, type Emotion } from '../src/core/emotions';

let bundle: Record<string, string> = {};
let lang = 'en';
const listeners: (() => void)[] = [];

export function setLanguage(uiLang: string | undefined, b: Record<string, string> | undefined): void {
  const next = (uiLang ?? 'en').toLowerCase();
  const changed = next !== lang || JSON.stringify(b ?? {}) !== JSON.stringify(bundle);
  lang = next;
  bundle = b ?? {};
  document.documentElement.lang = lang;
  if (changed) listeners.forEach((f) => f());
}

/** Called after every language change (build again what was built from t()). */
export function onLanguage(f: () => void): void {
  listeners.push(f);
}

export function t(message: string, ...args: (string | number)[]): string {
  const s = bundle[message] ?? message;
  return s.replace(/\{(\d+)\}/g, (m, i: string) => (args[Number(i)] !== undefined ? String(args[Number(i)]) : m));
}

/** 'zh' when the display language is Chinese: picks the region and emotion vocabularies. */
export const uiVocab = (): 'zh' | 'en' => (lang.startsWith('zh') ? 'zh' : 'en');

export const regionName = (id: string): string => regionLabel(id, uiVocab());
export const regionShortName = (id: string): string => regionShort(id, uiVocab());

export function emotionName(e: string): string {
  const table = uiVocab() === 'zh' ? EMOTION_ZH : EMOTION_EN;
  return (table as Record<string, string>)[e as Emotion] ?? e;
}

export function list(items: string[]): string {
  return items.join(uiVocab() === 'zh' ? '、' : ', ');
}
