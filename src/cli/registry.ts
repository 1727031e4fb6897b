// Every subcommand of `mellm`, in the order `mellm --help` lists them. Add one line per command module.
import type { CliCommand } from './types';
import { parseCommand } from './parse';
import { landmarksCommand } from './landmarks';
import { benchCommand } from './bench';
import { evalCommand } from './eval';

export const COMMANDS: CliCommand[] = [
  parseCommand,
  landmarksCommand,
  benchCommand,
  evalCommand,
];
