// Annotation tables: .xlsx through exceljs, .csv/.tsv through a small RFC 4180 reader. Cells become strings.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { inflateRawSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import { DatasetError } from './types';
import { describeFsError } from '../mediaError';

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

/** Largest annotation file read (bytes on disk), and largest a workbook may unpack to: sheets are kilobytes. */
export const MAX_TABLE_BYTES = 64 * 2 ** 20;
export const MAX_WORKBOOK_UNPACKED_BYTES = 256 * 2 ** 20;

/** Offset of a zip's end-of-central-directory record (searched back over the longest comment), or -1. */
function endOfCentralDirectory(buf: Buffer): number {
  const end = buf.length - 22;
  for (let i = end; i >= Math.max(0, end - 0xffff); i--) if (buf.readUInt32LE(i) === 0x06054b50) return i;
  return -1;
}

/**
 * What a zip's central directory says it holds: entry count and total unpacked size (ZIP64 sizes read as
 * unknown = too big). null when there is no end-of-central-directory record. Read before exceljs unpacks a
 * workbook, so a small file that unpacks to gigabytes is refused instead of filling memory.
 */
export function zipUnpackedSize(buf: Buffer): { entries: number; bytes: number } | null {
  const eocd = endOfCentralDirectory(buf);
  if (eocd < 0) return null;
  const entries = buf.readUInt16LE(eocd + 10);
  let off = buf.readUInt32LE(eocd + 16);
  let bytes = 0;
  for (let n = 0; n < entries; n++) {
    if (off + 46 > buf.length || buf.readUInt32LE(off) !== 0x02014b50) return null;
    const size = buf.readUInt32LE(off + 24);
    bytes += size === 0xffffffff ? Number.POSITIVE_INFINITY : size;
    off += 46 + buf.readUInt16LE(off + 28) + buf.readUInt16LE(off + 30) + buf.readUInt16LE(off + 32);
  }
  return { entries, bytes };
}

async function readBounded(file: string): Promise<Buffer> {
  try {
    const st = await fs.stat(file);
    if (st.size > MAX_TABLE_BYTES) {
      throw new DatasetError(`${file} is ${(st.size / 2 ** 20).toFixed(0)} MiB, too big for an annotation sheet (at most ${MAX_TABLE_BYTES / 2 ** 20} MiB): check that it is the annotation file`);
    }
    return await fs.readFile(file);
  } catch (e) {
    if (e instanceof DatasetError) throw e;
    throw new DatasetError(`cannot read ${file}: ${describeFsError(e)}`);
  }
}

/** Most merged cells and columns a sheet may declare: exceljs creates an object for each one while it loads. */
export const MAX_MERGED_CELLS = 1_000_000;
export const MAX_SHEET_COLUMNS = 16_384;
/** Most cells (rows x their width) read out of one sheet: an annotation sheet has thousands. */
export const MAX_SHEET_CELLS = 5_000_000;

function colNumber(letters: string): number {
  let n = 0;
  for (const ch of letters) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n;
}

/**
 * What the worksheets of a zip declare that exceljs would expand cell by cell while loading: merged areas
 * (<mergeCell ref="A1:XFD1048576"/>) and column ranges (<col max="2000000000"/>). A 300-byte sheet can
 * claim billions of cells, which would hang the scan and fill memory; this reads the sheet XML first
 * (the archive is already bounded in what it unpacks to) and says what is too big, or null.
 */
export function sheetExpansion(buf: Buffer): string | null {
  const eocd = endOfCentralDirectory(buf);
  if (eocd < 0) return null;
  const entries = buf.readUInt16LE(eocd + 10);
  let off = buf.readUInt32LE(eocd + 16);
  for (let n = 0; n < entries && off + 46 <= buf.length && buf.readUInt32LE(off) === 0x02014b50; n++) {
    const method = buf.readUInt16LE(off + 10);
    const csize = buf.readUInt32LE(off + 20);
    const usize = buf.readUInt32LE(off + 24);
    const nameLen = buf.readUInt16LE(off + 28);
    const local = buf.readUInt32LE(off + 42);
    const name = buf.toString('utf8', off + 46, off + 46 + nameLen);
    off += 46 + nameLen + buf.readUInt16LE(off + 30) + buf.readUInt16LE(off + 32);
    if (!/^xl\/worksheets\/[^/]+\.xml$/i.test(name) || local + 30 > buf.length) continue;
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(start, Math.min(buf.length, start + csize));
    let xml: string;
    try {
      xml = (method === 8 ? inflateRawSync(data, { maxOutputLength: Math.max(usize, 1) }) : data).toString('utf8');
    } catch {
      continue; // exceljs reports the broken entry itself
    }
    let merged = 0;
    for (const m of xml.matchAll(/<mergeCell\b[^>]*\bref="\$?([A-Za-z]+)\$?(\d+)(?::\$?([A-Za-z]+)\$?(\d+))?"/g)) {
      const c1 = colNumber(m[1].toUpperCase());
      const r1 = Number(m[2]);
      const c2 = m[3] ? colNumber(m[3].toUpperCase()) : c1;
      const r2 = m[4] ? Number(m[4]) : r1;
      merged += (Math.abs(c2 - c1) + 1) * (Math.abs(r2 - r1) + 1);
      if (merged > MAX_MERGED_CELLS) return `sheet ${name} merges more than ${MAX_MERGED_CELLS.toLocaleString('en')} cells`;
    }
    for (const m of xml.matchAll(/<col\b[^>]*>/g)) {
      for (const a of m[0].matchAll(/\b(?:min|max)="(\d+)"/g)) {
        if (Number(a[1]) > MAX_SHEET_COLUMNS) return `sheet ${name} declares column ${a[1]} (a sheet has at most ${MAX_SHEET_COLUMNS})`;
      }
    }
  }
  return null;
}

/** Every worksheet of a workbook as string rows. Merged cells read as their top-left value (exceljs does this). */
export async function readWorkbook(file: string): Promise<Table[]> {
  const wb = new ExcelJS.Workbook();
  const buf = await readBounded(file);
  const zip = zipUnpackedSize(buf);
  if (!zip) throw new DatasetError(`cannot read ${file} as an .xlsx workbook (it is not a zip archive): save it as .xlsx or CSV and scan again`);
  if (zip.bytes > MAX_WORKBOOK_UNPACKED_BYTES) {
    throw new DatasetError(`${file} would unpack to more than ${MAX_WORKBOOK_UNPACKED_BYTES / 2 ** 20} MiB, far more than an annotation sheet: save the sheet alone as .xlsx or CSV`);
  }
  const tooBig = sheetExpansion(buf);
  if (tooBig) throw new DatasetError(`${file}: ${tooBig}, far more than an annotation sheet: save the annotation table alone as .xlsx or CSV`);
  try {
    await wb.xlsx.load(buf as unknown as ArrayBuffer);
  } catch (e) {
    throw new DatasetError(
      `cannot read ${file} as an .xlsx workbook (${oneLine((e as Error).message)}): save it as .xlsx or CSV and scan again`,
    );
  }
  const tables: Table[] = [];
  wb.eachSheet((ws) => {
    // Only the cells the sheet stores are visited (a single cell at XFD1048576 must not mean 17 billion
    // reads); rows in between stay empty, and the total is bounded.
    const rows: string[][] = [];
    let cells = 0;
    ws.eachRow({ includeEmpty: false }, (row, r) => {
      const out: string[] = [];
      row.eachCell({ includeEmpty: false }, (cell, c) => {
        const text = cellText(cell).trim();
        if (text === '') return;
        while (out.length < c - 1) out.push('');
        out[c - 1] = text;
      });
      if (out.length === 0) return;
      cells += out.length;
      if (r > MAX_SHEET_CELLS || cells + r > MAX_SHEET_CELLS) {
        throw new DatasetError(`${file} (sheet '${ws.name}') holds cells up to row ${r} and column ${out.length}, far more than an annotation sheet: save the annotation table alone as .xlsx or CSV`);
      }
      while (rows.length < r - 1) rows.push([]);
      rows[r - 1] = out;
    });
    tables.push({ file, sheet: ws.name, rows });
  });
  return tables;
}

function oneLine(s: string): string {
  const l = String(s ?? '').replace(/\s+/g, ' ').trim();
  return l.length > 160 ? `${l.slice(0, 157)}...` : l;
}

export async function readTables(file: string): Promise<Table[]> {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.xlsx' || ext === '.xlsm') return readWorkbook(file);
  if (ext === '.xls') {
    throw new DatasetError(`${file} is an old binary .xls workbook, which is not read: save it as .xlsx or CSV`);
  }
  const text = (await readBounded(file)).toString('utf8');
  const rows = parseCsv(text, ext === '.tsv' ? '\t' : undefined).map((r) => r.map((c) => c.trim()));
  return [{ file, rows }];
}
