// Builders for synthetic datasets: frame files, coding sheets written with exceljs, CSV files.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import ExcelJS from 'exceljs';
import sharp from 'sharp';

const created: string[] = [];
process.on('exit', () => {
  for (const d of created) for (const p of [d, `${d}-cache`]) fs.rmSync(p, { recursive: true, force: true });
});

/** A fresh folder under the OS temp dir, removed (with its `-cache` sibling) when the test process exits. */
export function tmpDir(tag: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), `mellm-ds-${tag}-`));
  created.push(d);
  return d;
}

/** Placeholder frame files (the scanner never decodes them). */
export function touchFrames(dir: string, names: readonly string[]): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const n of names) fs.writeFileSync(path.join(dir, n), 'x');
}

export function range(a: number, b: number): number[] {
  return Array.from({ length: b - a + 1 }, (_, i) => a + i);
}

export type Cell = string | number | null;

export interface SheetSpec {
  name: string;
  rows: Cell[][];
  /** Excel ranges to merge, e.g. 'A3:A5'. */
  merges?: string[];
}

export async function writeXlsx(file: string, sheets: readonly SheetSpec[]): Promise<void> {
  const wb = new ExcelJS.Workbook();
  for (const s of sheets) {
    const ws = wb.addWorksheet(s.name);
    for (const r of s.rows) ws.addRow(r.map((c) => (c === null ? undefined : c)));
    for (const m of s.merges ?? []) ws.mergeCells(m);
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await wb.xlsx.writeFile(file);
}

export function writeCsv(file: string, rows: readonly Cell[][]): void {
  const q = (c: Cell): string => {
    const s = c === null ? '' : String(c);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, rows.map((r) => r.map(q).join(',')).join('\r\n') + '\r\n');
}

/**
 * A 64x64 grey "face": smooth texture whose middle is shifted right by `shift` pixels, so flow onset -> frame
 * is non-zero and grows with `shift`.
 */
export function syntheticFrame(shift: number, seed = 0): Uint8Array {
  const w = 64;
  const h = 64;
  const g = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const inside = x > 16 && x < 48 && y > 16 && y < 48;
      const sx = inside ? x - shift : x;
      g[y * w + x] = Math.round(128 + 60 * Math.sin((sx + seed) / 3.1) * Math.cos((y + seed) / 4.3) + 30 * Math.sin((sx * y) / 97));
    }
  }
  return g;
}

export async function writeGreyJpeg(file: string, grey: Uint8Array, size = 64): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // Output format follows the extension (.jpg, .png).
  await sharp(Buffer.from(grey), { raw: { width: size, height: size, channels: 1 } }).toFile(file);
}

/** `n` generic onset/apex clips ROOT/SUBJECT/<prefix><i>, i zero-padded to `pad` digits, with 2 px of motion. */
export async function makePairs(root: string, n: number, subject: string, prefix: string, pad: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const dir = path.join(root, subject, `${prefix}${String(i).padStart(pad, '0')}`);
    await writeGreyJpeg(path.join(dir, 'onset.png'), syntheticFrame(0, i));
    await writeGreyJpeg(path.join(dir, 'apex.png'), syntheticFrame(2, i));
  }
}

/** Every file below `dir` (relative, sorted); none when `dir` does not exist. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(path.relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}
