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
