// Annotation tables: .xlsx through exceljs, .csv/.tsv through a small RFC 4180 reader. Cells become strings.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import ExcelJS from 'exceljs';
import { DatasetError } from './types';

export interface Table {
  file: string;
  sheet?: string;
  /** rows[0] is row 1 of the sheet; short rows are not padded. */
  rows: string[][];
}

export const TABLE_EXTENSIONS = ['.xlsx', '.xlsm', '.csv', '.tsv', '.txt'];

/** Sniff the delimiter from the first lines: the one of , ; tab that occurs most outside quotes. */
function sniffDelimiter(text: string): string {
  const sample = text.slice(0, 8192);
  let best = ',';
  let bestCount = 0;
  for (const d of [',', ';', '\t']) {
    let n = 0;
    let quoted = false;
    for (const ch of sample) {
      if (ch === '"') quoted = !quoted;
      else if (ch === d && !quoted) n++;
    }
    if (n > bestCount) {
      best = d;
      bestCount = n;
    }
  }
  return best;
}

/** RFC 4180: quoted fields with "" escapes and embedded newlines; CRLF, LF or CR line ends; a leading BOM is dropped. */
export function parseCsv(text: string, delimiter?: string): string[][] {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const d = delimiter ?? sniffDelimiter(text);
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else field += ch;
      i++;
      continue;
    }
    if (ch === '"' && field === '') quoted = true;
    else if (ch === d) {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      if (ch === '\r' && text[i + 1] === '\n') i++;
    } else field += ch;
    i++;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

function cellText(cell: ExcelJS.Cell): string {
  const v = cell.value;
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(v);
  if (typeof v === 'string') return v;
  if (v instanceof Date) return v.toISOString();
  try {
    return cell.text ?? '';
  } catch {
    return '';
  }
}

/** Every worksheet of a workbook as string rows. Merged cells read as their top-left value (exceljs does this). */
export async function readWorkbook(file: string): Promise<Table[]> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.readFile(file);
  } catch (e) {
    throw new DatasetError(
      `cannot read ${file} as an .xlsx workbook (${(e as Error).message}): save it as .xlsx or CSV and scan again`,
    );
  }
  const tables: Table[] = [];
  wb.eachSheet((ws) => {
    const rows: string[][] = [];
    const nCols = ws.columnCount;
    for (let r = 1; r <= ws.rowCount; r++) {
      const row = ws.getRow(r);
      const out: string[] = [];
      for (let c = 1; c <= nCols; c++) out.push(cellText(row.getCell(c)).trim());
      while (out.length > 0 && out[out.length - 1] === '') out.pop();
      rows.push(out);
    }
    tables.push({ file, sheet: ws.name, rows });
  });
  return tables;
}

export async function readTables(file: string): Promise<Table[]> {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.xlsx' || ext === '.xlsm') return readWorkbook(file);
  if (ext === '.xls') {
    throw new DatasetError(`${file} is an old binary .xls workbook, which is not read: save it as .xlsx or CSV`);
  }
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    throw new DatasetError(`cannot read ${file}: ${(e as Error).message}`);
  }
  const rows = parseCsv(text, ext === '.tsv' ? '\t' : undefined).map((r) => r.map((c) => c.trim()));
  return [{ file, rows }];
}
