// Exit codes of `mellm` (README "Command line"; `mellm <command> --help` lists the ones a command uses).
export const EXIT = {
  ok: 0,
  /** A failure the user can fix (a file, a server, a setting); one line on stderr names it. */
  userError: 1,
  /** A bad option or argument. */
  usage: 2,
  /** Batch commands: the job finished, some items failed (listed; finished items are kept). */
  someFailed: 3,
  /** Batch commands: the job finished and every item failed. */
  allFailed: 4,
  /** A bug: please report it with the message. */
  internal: 70,
  /** Ctrl-C / SIGTERM. */
  cancelled: 130,
} as const;

/** The batch exit code for `failed` of `total` items. */
export function batchExit(failed: number, total: number): number {
  if (failed <= 0) return EXIT.ok;
  return failed >= total ? EXIT.allFailed : EXIT.someFailed;
}

export const BATCH_EXIT_HELP =
  'exit codes: 0 every item done, 3 some items failed (listed; the rest is kept), 4 every item failed, 1 the job could not run (one line says why), 2 bad option, 130 interrupted (rerun to resume)';
export const EXIT_HELP = 'exit codes: 0 done, 1 a file, server or setting to fix (one line says which), 2 bad option, 130 interrupted';
