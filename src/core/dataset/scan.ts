// scanDataset(): detect the layout of a dataset folder and list its clips.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { rowsToClips } from './annotated';
import { findHeader, headerScore } from './columns';
import { scanGeneric } from './generic';
import { walkDirs } from './fsutil';
import { type Layout, LAYOUTS, layoutContext } from './layouts';
import { MAPPING_FILE, mappingContext, mappingSpecs, readMapping } from './mapping';
import { protocolSubset } from './protocol';
import { readTables, type Table, TABLE_EXTENSIONS } from './table';
import { DatasetError, type ScanResult } from './types';

export interface ScanOptions {
  /** Force a layout instead of detecting it. */
  kind?: Layout['kind'] | 'generic';
}

interface Found {
  tables: string[];
  /** Layout kind -> folders whose sub-folders look like that layout's subjects (with those names). */
  frameRoots: Map<Layout['kind'], { dir: string; subjects: string[] }[]>;
}

/** Annotation files and subject-folder parents in the root and two levels below. */
async function survey(root: string, warnings: string[]): Promise<Found> {
  const found: Found = { tables: [], frameRoots: new Map() };
  await walkDirs(
    root,
    2,
    (dir, listing) => {
      for (const f of listing.files) {
        const ext = path.extname(f).toLowerCase();
        if ((TABLE_EXTENSIONS.includes(ext) && ext !== '.txt') || ext === '.xls') found.tables.push(path.join(dir, f));
      }
      for (const layout of LAYOUTS) {
        const subjects = listing.dirs.filter((d) => layout.subjectDir.test(d));
        if (subjects.length === 0) continue;
        const list = found.frameRoots.get(layout.kind) ?? [];
        list.push({ dir, subjects });
        found.frameRoots.set(layout.kind, list);
      }
    },
    warnings,
  );
  return found;
}

/** The readable tables, and why the others could not be read. */
async function tablesOf(files: readonly string[]): Promise<{ tables: Table[]; unreadable: string[] }> {
  const tables: Table[] = [];
  const unreadable: string[] = [];
  for (const f of files) {
    try {
      tables.push(...(await readTables(f)));
    } catch (e) {
      if (e instanceof DatasetError) unreadable.push(e.message);
      else throw e;
    }
  }
  return { tables, unreadable };
}

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function scanMapped(root: string, warnings: string[]): Promise<ScanResult> {
  const m = await readMapping(root);
  const dataset = m.name ?? path.basename(path.resolve(root));
  const file = path.resolve(root, m.annotations);
  const specs = mappingSpecs(m);
  let tables = await readTables(file);
  if (m.sheet !== undefined) {
    tables = tables.filter((t) => t.sheet === m.sheet);
    if (tables.length === 0) throw new DatasetError(`${MAPPING_FILE}: sheet '${m.sheet}' not found in ${file}`);
  }
  const table = [...tables].sort((a, b) => headerScore(b, specs) - headerScore(a, specs))[0];
  const header = findHeader(table, specs, m.headerRow);
  const { clips, errors } = await rowsToClips(table, header, mappingContext(root, m, dataset));
  const res: ScanResult = {
    root,
    kind: 'mapped',
    dataset,
    annotation: { file, sheet: table.sheet, headerRow: header.headerIndex + 1, columns: header.names as Record<string, string> },
    clips,
    errors,
    warnings,
  };
  if (m.protocol) res.protocol = protocolSubset(m.protocol, clips, errors);
  return res;
}

async function scanLayout(root: string, layout: Layout, frameRoot: { dir: string; subjects: string[] }, table: Table, warnings: string[]): Promise<ScanResult> {
  const header = findHeader(table, layout.specs);
  const { clips, errors } = await rowsToClips(table, header, layoutContext(layout, frameRoot.dir, frameRoot.subjects));
  const res: ScanResult = {
    root,
    kind: layout.kind,
    dataset: layout.dataset,
    annotation: { file: table.file, sheet: table.sheet, headerRow: header.headerIndex + 1, columns: header.names as Record<string, string> },
    clips,
    errors,
    warnings,
  };
  if (layout.protocol) res.protocol = protocolSubset(layout.protocol, clips, errors);
  return res;
}

/**
 * Detect and read a dataset folder: a mellm-dataset.json mapping file wins; then CASME II / SAMM /
 * CAS(ME)^3 part A, recognised by their subject folders plus an annotation sheet with the right columns;
 * otherwise generic folders of onset/apex pairs or frame sequences. Per-clip problems land in `errors`;
 * problems with the dataset as a whole (unreadable mapping file, a sheet missing a column) throw DatasetError.
 */
export async function scanDataset(rootIn: string, opts: ScanOptions = {}): Promise<ScanResult> {
  const root = path.resolve(rootIn);
  let st;
  try {
    st = await fs.stat(root);
  } catch {
    throw new DatasetError(`dataset folder ${root} does not exist`);
  }
  if (!st.isDirectory()) throw new DatasetError(`${root} is not a folder: point at the dataset's root folder`);
  const warnings: string[] = [];
  if (opts.kind === undefined) {
    try {
      await fs.access(path.join(root, MAPPING_FILE));
      return await scanMapped(root, warnings);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  if (opts.kind !== 'generic') {
    const found = await survey(root, warnings);
    const { tables, unreadable } = await tablesOf(found.tables.sort(byName));
    // A sheet that cannot be read is not silently dropped: with no other sheet fitting a layout, it was
    // most likely the annotation, and scanning on would turn a labelled dataset into an unlabelled one.
    warnings.push(...unreadable);
    let nearMiss: { score: number; table: Table; layout: Layout } | undefined;
    for (const layout of LAYOUTS) {
      if (opts.kind !== undefined && opts.kind !== layout.kind) continue;
      const roots = found.frameRoots.get(layout.kind);
      if (!roots) continue;
      // The folder with the most subject folders holds the frames (shallowest on a tie).
      const frameRoot = [...roots].sort((a, b) => b.subjects.length - a.subjects.length || a.dir.length - b.dir.length)[0];
      const required = layout.specs.filter((s) => s.required).length;
      const scored = tables.map((t) => ({ t, score: headerScore(t, layout.specs) })).sort((a, b) => b.score - a.score);
      const best = scored[0];
      if (best && best.score === required) return scanLayout(root, layout, frameRoot, best.t, warnings);
      if (best && best.score >= 2 && (!nearMiss || best.score > nearMiss.score)) nearMiss = { score: best.score, table: best.t, layout };
    }
    // Subject folders of a known layout and a sheet that nearly fits: say exactly which column is missing.
    if (nearMiss) findHeader(nearMiss.table, nearMiss.layout.specs);
    if (unreadable.length > 0) {
      throw new DatasetError(
        `${unreadable[0]}${unreadable.length > 1 ? ` (and ${unreadable.length - 1} more unreadable sheet(s))` : ''}; ` +
          `fix or remove it (a dataset without annotations is scanned as generic folders), or name the annotation file in ${MAPPING_FILE}`,
      );
    }
    if (opts.kind !== undefined) {
      const layout = LAYOUTS.find((l) => l.kind === opts.kind) as Layout;
      throw new DatasetError(`${root} does not look like ${layout.title}: expected subject folders like '${layout.subjectDir.source}' and an annotation sheet`);
    }
    for (const layout of LAYOUTS) {
      if (found.frameRoots.has(layout.kind)) {
        warnings.push(`subject folders look like ${layout.title} but no annotation sheet with its columns was found; scanned as generic folders`);
        break;
      }
    }
  }
  const dataset = path.basename(root);
  const g = await scanGeneric(root, dataset, warnings);
  return { root, kind: g.kind, dataset, clips: g.clips, errors: g.errors, warnings };
}
