// mellm-dataset.json: describes any annotated dataset (DFME, in-house sets) to the scanner.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { isProtocolId, type ProtocolId } from '../emotions';
import type { Located, RowContext, RowValues } from './annotated';
import { type Field, type FieldSpec, SYNONYMS } from './columns';
import { buildFrameSet, isImageName } from './frames';
import { listDir, type Listing } from './fsutil';
import { DatasetError } from './types';

export const MAPPING_FILE = 'mellm-dataset.json';

export interface DatasetMapping {
  /** First part of clip ids. Default: the folder name. */
  name?: string;
  /** Evaluation protocol whose classes define the subset: casme2, casme3a or dfme. */
  protocol?: ProtocolId;
  /** Sheet or CSV, relative to the dataset root. */
  annotations: string;
  /** Worksheet name; default: the sheet whose header matches best. */
  sheet?: string;
  /** 1-based header row; default: found by matching column names. */
  headerRow?: number;
  /** Field -> the column's header text. Fields left out are matched by their usual names. */
  columns?: Partial<Record<Field, string>>;
  /**
   * Frame path relative to the root with {subject}, {clip}, {split} and {frame} placeholders; {name:N}
   * zero-pads a number to N digits. {frame} matches any zero padding. E.g. "{subject}/{clip}/{frame}.jpg".
   */
  frames: string;
}

const KEYS = new Set(['name', 'protocol', 'annotations', 'sheet', 'headerRow', 'columns', 'frames', '$comment']);
const PLACEHOLDER = /\{(subject|clip|split|frame)(?::(\d+))?\}/g;

/** Read and validate the mapping file; every problem names the file and the key. */
export async function readMapping(root: string): Promise<DatasetMapping> {
  const file = path.join(root, MAPPING_FILE);
  let data: unknown;
  try {
    data = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (e) {
    throw new DatasetError(`cannot read ${file}: ${(e as Error).message}`);
  }
  const bad = (msg: string): never => {
    throw new DatasetError(`${file}: ${msg}`);
  };
  if (typeof data !== 'object' || data === null || Array.isArray(data)) bad('expected a JSON object');
  const o = data as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!KEYS.has(k)) bad(`unknown key '${k}' (known: ${[...KEYS].filter((x) => x !== '$comment').join(', ')})`);
  if (typeof o.annotations !== 'string' || o.annotations === '') bad("'annotations' must name the sheet or CSV file");
  if (typeof o.frames !== 'string' || !/\{frame(?::\d+)?\}/.test(o.frames as string)) bad("'frames' must be a path pattern containing {frame}");
  if (/\{frame(?::\d+)?\}.*[\\/]/.test(o.frames as string)) bad("'frames': {frame} must be in the file name, not in a folder name");
  if (o.name !== undefined && (typeof o.name !== 'string' || o.name === '' || /[\\/]/.test(o.name))) bad("'name' must be a non-empty string without slashes");
  if (o.protocol !== undefined && !isProtocolId(o.protocol)) bad(`'protocol' must be one of casme2, casme3a, dfme (got ${JSON.stringify(o.protocol)})`);
  if (o.sheet !== undefined && typeof o.sheet !== 'string') bad("'sheet' must be a string");
  if (o.headerRow !== undefined && !(Number.isInteger(o.headerRow) && (o.headerRow as number) >= 1)) bad("'headerRow' must be a row number (1 = first row)");
  if (o.columns !== undefined) {
    if (typeof o.columns !== 'object' || o.columns === null || Array.isArray(o.columns)) bad("'columns' must be an object of field -> header text");
    for (const [k, v] of Object.entries(o.columns as object)) {
      if (!(k in SYNONYMS)) bad(`unknown field '${k}' in 'columns' (known: ${Object.keys(SYNONYMS).join(', ')})`);
      if (typeof v !== 'string' || v === '') bad(`'columns.${k}' must be the header text of a column`);
    }
  }
  const unknown = (o.frames as string).replace(PLACEHOLDER, '').match(/\{[^}]*\}/);
  if (unknown) bad(`'frames' has an unknown placeholder ${unknown[0]} (known: {subject}, {clip}, {split}, {frame}, with :N to zero-pad)`);
  return o as unknown as DatasetMapping;
}

/** Fields the sheet must have: those the frame pattern uses, the clip and the onset. */
export function mappingSpecs(m: DatasetMapping): FieldSpec[] {
  const used = new Set([...m.frames.matchAll(PLACEHOLDER)].map((x) => x[1]));
  const spec = (field: Field, required: boolean): FieldSpec => {
    const name = m.columns?.[field];
    return name !== undefined ? { field, required: true, names: [name] } : { field, required };
  };
  return [
    spec('subject', used.has('subject')),
    spec('clip', true),
    spec('onset', true),
    spec('apex', false),
    spec('offset', false),
    spec('aus', false),
    spec('emotion', false),
    spec('objective', false),
    spec('split', used.has('split')),
  ];
}

function fill(template: string, values: RowValues): string {
  return template.replace(PLACEHOLDER, (_all, name: string, pad?: string) => {
    const v = values[name as Field] ?? '';
    return pad !== undefined && /^\d+$/.test(v) ? v.padStart(Number(pad), '0') : v;
  });
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Row -> frames for a mapping file: the folder part of the pattern is filled in, the file part becomes a regex. */
export function mappingContext(root: string, m: DatasetMapping, dataset: string): RowContext {
  const norm = m.frames.replace(/\\/g, '/');
  const slash = norm.lastIndexOf('/');
  const dirTemplate = slash >= 0 ? norm.slice(0, slash) : '';
  const fileTemplate = norm.slice(slash + 1);
  const listings = new Map<string, Promise<Listing>>();
  return {
    dataset,
    async locate(values: RowValues): Promise<Located> {
      const subject = values.subject || '-';
      const clip = values.clip || '?';
      const dir = path.resolve(root, fill(dirTemplate, values));
      let p = listings.get(dir);
      if (!p) {
        p = listDir(dir);
        listings.set(dir, p);
      }
      const listing = await p;
      if (listing.unreadable) return { subject, clip, error: `${listing.unreadable} (frames pattern '${m.frames}' in ${MAPPING_FILE})` };
      // The file part with the row's values filled in, and {frame} as a number of any padding.
      const parts = fileTemplate.split(/\{frame(?::\d+)?\}/);
      const re = new RegExp('^' + parts.map((x) => escapeRe(fill(x, values))).join('(\\d+)') + '$', 'i');
      const entries: [string, number][] = [];
      for (const name of listing.files) {
        if (!isImageName(name)) continue;
        const mm = re.exec(name);
        if (mm) entries.push([name, Number.parseInt(mm[1], 10)]);
      }
      if (entries.length === 0) return { subject, clip, error: `no frames matching '${fileTemplate}' in ${dir}${listing.problems.length ? ` (${listing.problems.join('; ')})` : ''}` };
      return { subject, clip, dir, frames: buildFrameSet(dir, parts[0], entries), ...(listing.problems.length ? { warnings: [...listing.problems] } : {}) };
    },
  };
}
