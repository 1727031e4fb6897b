// Whole-file writes that never leave a half-written file: temp file in the same directory, fsync, rename.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { MediaError, describeFsError } from './mediaError';

/**
 * Writes `data` to `file` atomically: readers see the old content or the new one, never a mix, and a failure
 * leaves no temp file behind. Throws MediaError naming `file` when the destination is not writable.
 */
export async function writeFileAtomic(file: string, data: Uint8Array | string): Promise<void> {
  const dir = path.dirname(path.resolve(file));
  // Same directory so rename() stays on one file system (atomic); dot-prefixed so directory scans skip it.
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(tmp, 'wx');
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fs.rename(tmp, file);
  } catch (e) {
    if (handle) await handle.close().catch(() => undefined);
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw new MediaError(file, `cannot write ${file}: ${describeFsError(e)} (check that the folder exists and is writable)`);
  }
}

// ---- Temp files left by a killed writer (kill -9, power loss): `.NAME.PID.RAND.tmp` beside NAME. ----

const TEMP = /^\.(.*)\.(\d+)\.[0-9a-f]+\.tmp$/;

/** Whether a process with this id runs on this machine (ours counts as alive; EPERM: alive, not ours). */
function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes temp files that writeFileAtomic left in `dir` (and `depth` levels below) when its process was
 * killed. Files of a writer that is still running are left alone (same-machine process ids: a folder that
 * several machines write into at once keeps their temps until one of the writers here runs again).
 * `only`: just the temps of that file name. Never throws; returns how many were removed.
 */
export async function removeStaleTemps(dir: string, depth = 2, only?: string): Promise<number> {
  let removed = 0;
  const sweep = async (d: string, level: number): Promise<void> => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      const m = TEMP.exec(e.name);
      if (e.isFile() && m && (only === undefined || m[1] === only) && !alive(Number(m[2]))) {
        await fs.rm(p, { force: true }).catch(() => undefined);
        removed++;
      } else if (e.isDirectory() && level < depth && only === undefined) await sweep(p, level + 1);
    }
  };
  await sweep(dir, 0);
  return removed;
}

/** Removes stale temps of one output file (a single-file command calls it before it writes). */
export function removeStaleTempsOf(file: string): Promise<number> {
  return removeStaleTemps(path.dirname(path.resolve(file)), 0, path.basename(file));
}
