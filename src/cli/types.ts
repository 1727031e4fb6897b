// The contract every `mellm` subcommand implements.

export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Aborted on Ctrl-C (SIGINT) / SIGTERM. */
  signal: AbortSignal;
}

export interface CliCommand {
  /** Words after `mellm`, e.g. ['flow'] or ['dataset', 'scan']. */
  name: string[];
  usage: string;
  summary: string;
  /** More of `mellm <name> --help`: what the options mean, exit codes. */
  help?: string;
  /** Resolves to the process exit code. Throw UsageError / UserError for user-caused failures. */
  run(argv: string[], io: CliIO): Promise<number>;
}

/** A bad option or argument: printed as one line, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A failure the user can fix (missing file, unreadable image, unreachable server): one line, exit code 1. */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}
