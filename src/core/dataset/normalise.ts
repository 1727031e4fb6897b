// Label normalisation for dataset sheets: emotions to canonical names, AU strings to codes.
import { normaliseEmotion } from '../emotions';
import type { AuCode, AuIntensity, AuSide } from './types';

/**
 * Canonical emotion (one of the seven) when the label names one, otherwise the label itself in lower case
 * (others, repression, negative, positive, tense ... are kept as the dataset wrote them); null when blank.
 */
export function normaliseDatasetEmotion(raw: string): string | null {
  const t = raw.trim();
  if (t === '' || t === '/' || t === '-' || t === '?') return null;
  const e = normaliseEmotion(t);
  if (e) return e;
  const low = t.toLowerCase().replace(/\s+/g, ' ');
  return low === 'other' ? 'others' : low;
}

export interface ParsedAus {
  aus: AuCode[];
  /** Tokens that are not AU codes ("?", "unknown"); the caller turns them into a clip warning. */
  unparsed: string[];
}

// [side] [AU] [side] number [intensity], e.g. "R12", "AU 12", "RAU12", "AU R12", "12B", "L10(E)".
const TOKEN = /^(?:(l|r|left|right)\s*)?(?:au\s*)?(?:(l|r)\s*)?(\d{1,3})\s*(?:\(?\s*([a-e])\s*\)?)?$/i;

function sideOf(s: string | undefined): AuSide {
  if (!s) return 'both';
  return s[0].toUpperCase() === 'L' ? 'L' : 'R';
}

/** "4+7", "R12", "L1+R2", "12B", "AU6+AU12", "AU4 + AU7", "1, 2 and 4" -> codes; "?" and blanks give no codes. */
export function parseAus(raw: string): ParsedAus {
  const aus: AuCode[] = [];
  const unparsed: string[] = [];
  const text = raw.trim();
  if (text === '' || text === '/' || text === '-') return { aus, unparsed };
  for (const part of text.split(/\s*(?:[+,;&/|]|\band\b)\s*/i)) {
    const tok = part.trim();
    if (tok === '') continue;
    const m = TOKEN.exec(tok);
    if (!m) {
      unparsed.push(tok);
      continue;
    }
    const code: AuCode = { au: Number(m[3]), side: sideOf(m[1] ?? m[2]) };
    if (m[4]) code.intensity = m[4].toUpperCase() as AuIntensity;
    aus.push(code);
  }
  return { aus, unparsed };
}

/** Frame number from a cell: integers only ("46", "46.0", 46); blank, "/", "-", "?" and "n/a" mean none. */
export function parseFrameNumber(raw: string): number | null | 'invalid' {
  const t = raw.trim();
  if (t === '' || /^(?:\/|-|\?|n\/?a|none|null)$/i.test(t)) return null;
  if (!/^\d+(?:\.0+)?$/.test(t)) return 'invalid';
  return Number.parseInt(t, 10);
}
