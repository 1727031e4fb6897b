// Finding the header row and the columns of an annotation table, whatever the release calls them.
import type { Table } from './table';
import { DatasetError } from './types';

export type Field = 'subject' | 'clip' | 'onset' | 'apex' | 'offset' | 'aus' | 'emotion' | 'objective' | 'split';

/** Known spellings per field (compared after normaliseHeader). The first is the name shown in messages. */
export const SYNONYMS: Readonly<Record<Field, readonly string[]>> = {
  subject: ['Subject', 'sub', 'subjects', 'subject id', 'subjectid', 'participant', 'person', 'sid'],
  clip: ['Filename', 'file name', 'clip', 'clip name', 'clipname', 'clip id', 'episode', 'video', 'video name', 'sequence', 'name'],
  onset: ['OnsetFrame', 'onset', 'onset frame', 'onset f', 'start frame', 'startframe', 'start'],
  apex: ['ApexFrame', 'apex', 'apex frame', 'apex f', 'apex frame1', 'peak frame', 'peak'],
  offset: ['OffsetFrame', 'offset', 'offset frame', 'offset f', 'end frame', 'endframe', 'end'],
  aus: ['Action Units', 'action unit', 'au', 'aus', 'au code', 'au codes', 'facs', 'facs code', 'action units au'],
  emotion: ['Estimated Emotion', 'emotion', 'emotions', 'emotion label', 'label', 'expression', 'estimated emotions', 'emotion class'],
  objective: ['Objective Classes', 'objective class', 'objective', 'objective classes'],
  split: ['Split', 'set', 'subset', 'test set', 'partition'],
};

/** Lower case, NFKC, letters and digits only: "Onset Frame", "onset_frame", "OnsetFrame:" all compare equal. */
export function normaliseHeader(s: string): string {
  return s.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
}

export interface FieldSpec {
  field: Field;
  required: boolean;
  /** Exact names from a mapping file; replace the synonyms when given. */
  names?: readonly string[];
}

export interface HeaderMatch {
  /** 0-based index into table.rows. */
  headerIndex: number;
  /** Field -> 0-based column. */
  columns: Partial<Record<Field, number>>;
  /** Field -> header text as written. */
  names: Partial<Record<Field, string>>;
}

function namesFor(spec: FieldSpec): string[] {
  return (spec.names ?? SYNONYMS[spec.field]).map(normaliseHeader);
}

function matchRow(row: readonly string[], specs: readonly FieldSpec[]): HeaderMatch['columns'] {
  const cells = row.map(normaliseHeader);
  const used = new Set<number>();
  const columns: HeaderMatch['columns'] = {};
  // Exact matches first, so "Onset Frame" is never claimed by a prefix rule of another field.
  for (const spec of specs) {
    const names = namesFor(spec);
    const idx = cells.findIndex((c, i) => c !== '' && !used.has(i) && names.includes(c));
    if (idx >= 0) {
      columns[spec.field] = idx;
      used.add(idx);
    }
  }
  // Then headers that start with a known name ("Action Units (FACS)", "Estimated Emotion v2").
  for (const spec of specs) {
    if (columns[spec.field] !== undefined || spec.names) continue;
    const names = namesFor(spec).filter((n) => n.length >= 4);
    const idx = cells.findIndex((c, i) => c !== '' && !used.has(i) && names.some((n) => c.startsWith(n)));
    if (idx >= 0) {
      columns[spec.field] = idx;
      used.add(idx);
    }
  }
  return columns;
}

function where(table: Table): string {
  return table.sheet !== undefined ? `${table.file} (sheet '${table.sheet}')` : table.file;
}

/** How many required fields a table's best header row matches: used to pick the sheet. */
export function headerScore(table: Table, specs: readonly FieldSpec[], maxRows = 40): number {
  let best = 0;
  for (let r = 0; r < Math.min(maxRows, table.rows.length); r++) {
    const cols = matchRow(table.rows[r], specs);
    const n = specs.filter((s) => s.required && cols[s.field] !== undefined).length;
    best = Math.max(best, n);
  }
  return best;
}

/**
 * The header is the row (among the first 40, or at `hint` when given) that matches the most fields.
 * Throws a DatasetError naming the file, sheet, header row and each missing required column.
 */
export function findHeader(table: Table, specs: readonly FieldSpec[], hint?: number, maxRows = 40): HeaderMatch {
  let bestIdx = -1;
  let best: HeaderMatch['columns'] = {};
  let bestN = 0;
  const rows = hint !== undefined ? [hint - 1] : [...Array(Math.min(maxRows, table.rows.length)).keys()];
  for (const r of rows) {
    const cols = matchRow(table.rows[r] ?? [], specs);
    const n = Object.keys(cols).length;
    if (n > bestN) {
      bestN = n;
      bestIdx = r;
      best = cols;
    }
  }
  if (bestIdx < 0 || bestN < 1) {
    const wanted = specs.filter((s) => s.required).map((s) => `'${(s.names ?? SYNONYMS[s.field])[0]}'`);
    throw new DatasetError(
      `no header row found in ${where(table)}${hint !== undefined ? ` at row ${hint}` : ` in the first ${maxRows} rows`}: expected columns ${wanted.join(', ')}`,
    );
  }
  const missing = specs.filter((s) => s.required && best[s.field] === undefined);
  if (missing.length > 0) {
    const first = missing[0];
    const shown = (first.names ?? SYNONYMS[first.field]).slice(0, 4).map((n) => `'${n}'`);
    const others = missing.slice(1).map((s) => `'${(s.names ?? SYNONYMS[s.field])[0]}'`);
    throw new DatasetError(
      `missing column '${(first.names ?? SYNONYMS[first.field])[0]}' in ${where(table)}, header row ${bestIdx + 1}: ` +
        `name a column one of ${shown.join(', ')}` +
        (others.length ? ` (also missing: ${others.join(', ')})` : '') +
        `, or describe the sheet in a mellm-dataset.json file in the dataset folder`,
    );
  }
  const names: HeaderMatch['names'] = {};
  for (const [f, c] of Object.entries(best) as [Field, number][]) names[f] = table.rows[bestIdx][c];
  return { headerIndex: bestIdx, columns: best, names };
}
