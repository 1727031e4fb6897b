// Sheet rows -> clips, shared by the CASME II / SAMM / CAS(ME)^3 layouts and mapping files.
import type { Field, HeaderMatch } from './columns';
import { type FrameSet, resolveFrame } from './frames';
import { mapLimit } from './fsutil';
import { normaliseDatasetEmotion, parseAus, parseFrameNumber } from './normalise';
import type { Table } from './table';
import type { Clip, ClipError, FrameRef, SourceRef } from './types';

export type RowValues = Partial<Record<Field, string>>;

/** Where a row's frames are: the clip folder and its frame set, or why they cannot be found. */
export type Located =
  /** `warnings`: entries of the folder that were skipped (broken links), kept with the clip. */
  | { subject: string; clip: string; dir: string; frames: FrameSet; warnings?: string[] }
  | { subject: string; clip: string; error: string };

export interface RowContext {
  dataset: string;
  locate(values: RowValues, source: SourceRef): Promise<Located>;
}

/** Blank rows and note rows (one filled cell among the mapped columns) are not clips. */
function isDataRow(values: RowValues): boolean {
  return Object.values(values).filter((v) => v !== undefined && v !== '').length >= 2;
}

function frameOrError(
  set: FrameSet,
  raw: string | undefined,
  what: string,
  warnings: string[],
): FrameRef | null | { error: string } {
  const n = parseFrameNumber(raw ?? '');
  if (n === null) return null;
  if (n === 'invalid') return { error: `${what} frame '${raw}' is not a frame number` };
  const r = resolveFrame(set, n, what);
  if ('error' in r) return { error: r.error };
  if (r.warning) warnings.push(r.warning);
  return r.ref;
}

/** Every data row of `table` below the header as a clip or a clip error. Clip ids are dataset/subject/clip. */
export async function rowsToClips(table: Table, header: HeaderMatch, ctx: RowContext): Promise<{ clips: Clip[]; errors: ClipError[] }> {
  const rows: { values: RowValues; source: SourceRef }[] = [];
  let lastSubject = '';
  for (let r = header.headerIndex + 1; r < table.rows.length; r++) {
    const values: RowValues = {};
    for (const [f, c] of Object.entries(header.columns) as [Field, number][]) values[f] = (table.rows[r][c] ?? '').trim();
    if (!isDataRow(values)) continue;
    // Sheets group rows by subject: a blank subject cell repeats the one above (as a merged cell reads).
    if (header.columns.subject !== undefined) {
      if (values.subject) lastSubject = values.subject;
      else values.subject = lastSubject;
    }
    rows.push({ values, source: { file: table.file, sheet: table.sheet, row: r + 1 } });
  }
  const results = await mapLimit(rows, 32, async ({ values, source }): Promise<Clip | ClipError> => {
    const where = `${source.file}${source.sheet !== undefined ? ` (sheet '${source.sheet}')` : ''} row ${source.row}`;
    const loc = await ctx.locate(values, source);
    const id = `${ctx.dataset}/${loc.subject}/${loc.clip}`;
    if ('error' in loc) return { id, source, message: `${where}: ${loc.error}` };
    const warnings: string[] = [...(loc.warnings ?? [])];
    const onset = frameOrError(loc.frames, values.onset, 'onset', warnings);
    if (onset === null) return { id, source, message: `${where}: no onset frame given: fill in the onset column` };
    if ('error' in onset) return { id, source, message: `${where}: ${onset.error}` };
    const apex = values.apex === undefined ? null : frameOrError(loc.frames, values.apex, 'apex', warnings);
    if (apex !== null && 'error' in apex) return { id, source, message: `${where}: ${apex.error}` };
    if (apex === null) warnings.push('no apex frame annotated: it will be spotted from the flow magnitude');
    const off = parseFrameNumber(values.offset ?? '');
    const { aus, unparsed } = parseAus(values.aus ?? '');
    if (unparsed.length) warnings.push(`action units not understood: ${unparsed.map((u) => `'${u}'`).join(', ')}`);
    const clip: Clip = {
      id,
      dataset: ctx.dataset,
      subject: loc.subject,
      clip: loc.clip,
      dir: loc.dir,
      frameCount: loc.frames.numbers.length,
      onset,
      apex,
      offset: typeof off === 'number' ? off : null,
      emotion: normaliseDatasetEmotion(values.emotion ?? ''),
      emotionRaw: values.emotion ?? '',
      aus,
      ausRaw: values.aus ?? '',
      source,
      warnings,
    };
    if (values.objective) clip.objectiveClass = values.objective;
    if (values.split) clip.split = values.split;
    return clip;
  });
  const clips: Clip[] = [];
  const errors: ClipError[] = [];
  const seen = new Set<string>();
  for (const r of results) {
    if ('message' in r) errors.push(r);
    else if (seen.has(r.id)) {
      errors.push({ id: r.id, source: r.source, message: `${r.source?.file} row ${r.source?.row}: clip ${r.id} appears twice in the sheet; the first row is used` });
    } else {
      seen.add(r.id);
      clips.push(r);
    }
  }
  return { clips, errors };
}
