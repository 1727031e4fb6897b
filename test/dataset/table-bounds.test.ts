// Annotation workbooks that claim billions of cells in a few hundred bytes (found by test/fuzz/xlsx):
// refused from the sheet XML before exceljs expands them, or read sparsely, in well under a second.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readWorkbook } from '../../src/core/dataset/table';
import { sheetXml, xlsxEntries, zipStore } from '../support/xlsxBytes';
import { tmpDir } from './helpers';

function write(xml: string): string {
  const f = path.join(tmpDir('bounds'), 'coding.xlsx');
  fs.writeFileSync(f, zipStore(xlsxEntries(xml)));
  return f;
}

const base = sheetXml([['Subject', 'Filename', 'ApexFrame'], [1, 'EP02_01f', 59]]);

test('a merge over A1:XFD1048576 is refused naming the file, not expanded', async () => {
  const f = write(base.replace('</sheetData>', '</sheetData><mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>'));
  const t0 = Date.now();
  await assert.rejects(readWorkbook(f), (e: Error) => e.name === 'DatasetError' && e.message.includes(f) && /merges more than/.test(e.message));
  assert.ok(Date.now() - t0 < 2000);
});

test('a column range up to 2,000,000,000 is refused naming the file', async () => {
  const f = write(base.replace('<sheetData>', '<cols><col min="1" max="2000000000" width="9"/></cols><sheetData>'));
  await assert.rejects(readWorkbook(f), (e: Error) => e.name === 'DatasetError' && e.message.includes(f) && /column 2000000000/.test(e.message));
});

test('one cell at XFD1048576 is read sparsely: the real rows stay, quickly', async () => {
  const f = write(base.replace('</sheetData>', '<row r="1048576"><c r="XFD1048576"><v>7</v></c></row></sheetData>'));
  const t0 = Date.now();
  const [t] = await readWorkbook(f);
  assert.ok(Date.now() - t0 < 5000, `${Date.now() - t0} ms`);
  assert.deepEqual(t.rows.slice(0, 2), [['Subject', 'Filename', 'ApexFrame'], ['1', 'EP02_01f', '59']]);
  assert.equal(t.rows.length, 1048576);
  assert.equal(t.rows[1048575].length, 16384);
  assert.equal(t.rows[1048575][16383], '7');
});
