// Directory listing that survives symlink loops, dangling links and unreadable folders.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { describeFsError } from '../mediaError';

export interface Listing {
  dirs: string[];
  files: string[];
  /** Why the folder or an entry could not be read; empty when all was fine. */
  problems: string[];
  /** Set when the folder itself could not be read (then dirs and files are empty). */
  unreadable?: string;
}

/** One line for a folder that cannot be listed, with what to do (no raw EACCES). */
export function folderProblem(dir: string, e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const fix =
    code === 'EACCES' || code === 'EPERM'
      ? ': give your user read and execute permission on it (chmod), or leave it out of the dataset'
      : code === 'ENOENT'
        ? ': it was moved or deleted during the scan'
        : '';
  return `cannot read folder ${dir}: ${describeFsError(e)}${fix}`;
}

/** Names of sub-folders and files in `dir`, symlinks resolved (dangling ones reported, not thrown). */
export async function listDir(dir: string): Promise<Listing> {
  const out: Listing = { dirs: [], files: [], problems: [] };
  let entries: import('node:fs').Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (e) {
    out.unreadable = folderProblem(dir, e);
    out.problems.push(out.unreadable);
    return out;
  }
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    if (e.isDirectory()) out.dirs.push(e.name);
    else if (e.isFile()) out.files.push(e.name);
    else if (e.isSymbolicLink()) {
      try {
        const st = await fs.stat(path.join(dir, e.name));
        if (st.isDirectory()) out.dirs.push(e.name);
        else if (st.isFile()) out.files.push(e.name);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        const why = code === 'ELOOP' ? 'symlink loop' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : 'broken symlink';
        out.problems.push(`skipped ${path.join(dir, e.name)}: ${why}`);
      }
    }
  }
  out.dirs.sort();
  out.files.sort();
  return out;
}

/** Run `fn` over `items` with at most `limit` in flight; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * Walk folders below `root` (root included) to `maxDepth`, visiting each real folder once: a symlink that
 * leads back to a folder already seen is reported as a loop and not followed. Sequential and sorted, so
 * the path kept for a folder reached twice is always the same one.
 */
export async function walkDirs(
  root: string,
  maxDepth: number,
  visit: (dir: string, listing: Listing, depth: number) => void | Promise<void>,
  warnings: string[],
): Promise<void> {
  const seen = new Set<string>();
  const step = async (dir: string, depth: number): Promise<void> => {
    let real: string;
    try {
      real = await fs.realpath(dir);
    } catch (e) {
      warnings.push(`skipped ${dir}: ${(e as NodeJS.ErrnoException).code === 'ELOOP' ? 'symlink loop' : describeFsError(e)}`);
      return;
    }
    if (seen.has(real)) {
      warnings.push(`skipped ${dir}: symlink loop (it leads back to ${real})`);
      return;
    }
    seen.add(real);
    const listing = await listDir(dir);
    warnings.push(...listing.problems);
    await visit(dir, listing, depth);
    if (depth >= maxDepth) return;
    for (const d of listing.dirs) await step(path.join(dir, d), depth + 1);
  };
  await step(root, 0);
}
