// A failure caused by a user's file (missing, unreadable, wrong format, wrong size, unwritable destination).
// Callers (CLI, extension) show `message` as is: it always names the file and says what to do.

export class MediaError extends Error {
  /** The file the problem is about. */
  readonly file: string;
  constructor(file: string, message: string) {
    super(message);
    this.name = 'MediaError';
    this.file = file;
  }
}

/** Short text for an fs error code, for one-line messages. */
export function describeFsError(e: unknown): string {
  const code = (e as { code?: string }).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOTDIR':
      return 'a parent path is not a directory';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'EROFS':
      return 'read-only file system';
    default:
      return e instanceof Error ? e.message : String(e);
  }
}
