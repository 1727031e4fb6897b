// Fuzz target: annotation workbooks for the dataset scanner. Sheet XML mutated (hostile fragments: cells
// at XFD1048576, merges and column ranges of billions of cells, entity declarations, shared strings that do
// not exist, broken markup; plus byte edits of the XML), and the zip itself mutated (bytes, truncation,
// sizes and counts in its headers). Outcomes: readWorkbook returns string rows or throws one DatasetError
// line naming the file, within the per-case time; every 16th case is a CASME II-shaped folder scanned by
// `mellm dataset scan --json` in-process: exit 0 with JSON, or 1 with one line; never 70.
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { readWorkbook } from '../../../src/core/dataset/table';
import { DatasetError } from '../../../src/core/dataset/types';
import { main } from '../../../src/cli';
import { applyMutations, mutationsArb } from '../../support/fuzzBytes';
import { sheetXml, xlsxEntries, zipStore, type Cell } from '../../support/xlsxBytes';
import type { FuzzContext } from '../../support/fuzzChild';

const HOSTILE_XML = [
  '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
  '<row r="4294967297"><c r="A4294967297"><v>1</v></c></row>',
  '<c r="ZZZZZZ1"><v>1</v></c>',
  '<c r="A1" t="s"><v>999999</v></c>',
  '<c r="B2" t="e"><v>#REF!</v></c>',
  '<c r="C3"><f>1/0</f><v></v></c>',
  '<c r="D4" t="d"><v>not a date</v></c>',
  '<c r="E5" t="b"><v>2</v></c>',
  '<c r="F6"><v>1e400</v></c>',
  '<c r="G7" t="inlineStr"><is><t>&lt;script&gt;alert(1)&lt;/script&gt;</t></is></c>',
  '</sheetData><mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells><sheetData>',
  '</sheetData><mergeCells><mergeCell ref="A1:A3"/><mergeCell ref="A2:B9"/></mergeCells><sheetData>',
  '<cols><col min="1" max="2000000000" width="9"/></cols>',
  '<dimension ref="A1:XFD1048576"/>',
  '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
  '&b;&b;&b;',
  '<![CDATA[ ]]>',
  '<row><c><is><t>',
  '</worksheet>',
  '<x>'.repeat(2000),
  '\u0000\ud800\uffff',
  ' r="A1" r="A2" ',
];

/** Sheet rows shaped like a CASME II coding sheet, with generated values. */
const rowsArb: fc.Arbitrary<Cell[][]> = fc.array(
  fc.tuple(fc.oneof(fc.integer({ min: 0, max: 30 }), fc.string({ maxLength: 6 })), fc.constantFrom('EP02_01f', 'EP03_02', '', '../../x'), fc.integer({ min: -5, max: 80 }), fc.oneof(fc.integer({ min: -5, max: 80 }), fc.constant('/')), fc.string({ maxLength: 8 }), fc.constantFrom('happiness', 'disgust', 'others', '')),
  { maxLength: 6 },
).map((rs) => [['Subject', 'Filename', 'OnsetFrame', 'ApexFrame', 'Action Units', 'Estimated Emotion'], ...rs]);

type XlsxCase =
  | { k: 'xml'; rows: Cell[][]; inserts: { at: number; frag: number }[] }
  | { k: 'xmlBytes'; rows: Cell[][]; muts: ReturnType<typeof mutationsArb> extends fc.Arbitrary<infer M> ? M : never }
  | { k: 'zip'; rows: Cell[][]; muts: ReturnType<typeof mutationsArb> extends fc.Arbitrary<infer M> ? M : never };

const caseArb: fc.Arbitrary<XlsxCase> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ k: fc.constant('xml' as const), rows: rowsArb, inserts: fc.array(fc.record({ at: fc.nat(), frag: fc.nat({ max: HOSTILE_XML.length - 1 }) }), { minLength: 1, maxLength: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('xmlBytes' as const), rows: rowsArb, muts: mutationsArb(6, false) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('zip' as const), rows: rowsArb, muts: mutationsArb(4, false) }) },
);

function build(c: XlsxCase): Buffer {
  let xml = sheetXml(c.rows);
  if (c.k === 'xml') {
    for (const ins of c.inserts) {
      // Half the fragments go where they are meant (inside sheetData), half anywhere.
      const inside = xml.indexOf('<sheetData>') + '<sheetData>'.length;
      const at = ins.at % 2 === 0 ? inside : ins.at % xml.length;
      xml = xml.slice(0, at) + HOSTILE_XML[ins.frag] + xml.slice(at);
    }
    return zipStore(xlsxEntries(xml));
  }
  if (c.k === 'xmlBytes') {
    const entries = xlsxEntries(xml);
    entries[4] = { ...entries[4], data: applyMutations(entries[4].data, c.muts) };
    return zipStore(entries);
  }
  return applyMutations(zipStore(xlsxEntries(xml)), c.muts);
}

export async function run(ctx: FuzzContext) {
  const root = path.join(ctx.tmp, 'casme2');
  const clip = path.join(root, 'CASME2-RAW', 'sub01', 'EP02_01f');
  fs.mkdirSync(clip, { recursive: true });
  for (let f = 40; f <= 60; f++) fs.writeFileSync(path.join(clip, `img${f}.jpg`), 'x');
  const sheet = path.join(root, 'CASME2-coding-20140508.xlsx');
  ctx.baseline();
  let n = 0;
  await fc.assert(
    fc.asyncProperty(caseArb, async (c) => {
      const i = n++;
      ctx.beat(`xlsx #${i} (${c.k})`);
      ctx.count(`xlsx ${c.k}`);
      fs.writeFileSync(sheet, build(c));
      try {
        const tables = await readWorkbook(sheet);
        for (const t of tables) for (const r of t.rows) if (!r.every((v) => typeof v === 'string')) throw new Error(`case ${i}: a cell is not a string`);
      } catch (e) {
        if (!(e instanceof DatasetError)) throw new Error(`case ${i}: not a DatasetError but ${(e as Error)?.name}: ${(e as Error)?.message}`);
        if (e.message.includes('\n') || !e.message.includes(sheet)) throw new Error(`case ${i}: message is not one line naming the file: ${e.message}`);
      }
      if (i % 16 === 0) {
        let stdout = '';
        let stderr = '';
        const code = await main(['dataset', 'scan', root, '--json'], { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), signal: new AbortController().signal });
        ctx.count('dataset scan in-process');
        if (code === 0) JSON.parse(stdout);
        else if (code !== 1 || stderr.trimEnd().split('\n').length !== 1) throw new Error(`case ${i}: dataset scan exit ${code}: ${stderr}`);
      }
    }),
    { seed: ctx.seed, numRuns: Math.round(1000 * ctx.scale), timeout: 10_000, endOnFailure: true },
  );
  return [];
}
