// The contract every `mellm` subcommand implements.
import { parseArgs, type ParseArgsConfig } from 'node:util';

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

/** node:util parseArgs, with its errors (unknown option, missing value) as one-line UsageErrors. */
export function parseOptions<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}
