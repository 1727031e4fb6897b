// Every subcommand of `mellm`, in the order `mellm --help` lists them. Add one line per command module.
import type { CliCommand } from './types';
import { parseCommand } from './parse';
import { analyzeCommand } from './analyze';
import { checkCommand } from './check';
import { flowCommand } from './flow';
import { mmcCommand } from './mmc';
import { landmarksCommand } from './landmarks';
import { benchCommand } from './bench';
import { evalCommand } from './eval';
import { datasetScanCommand, datasetMmcCommand } from './dataset';
import { exportCommand } from './export';

export const COMMANDS: CliCommand[] = [
  flowCommand, mmcCommand,
  analyzeCommand, parseCommand, checkCommand,
  landmarksCommand,
  benchCommand,
  evalCommand,
  datasetScanCommand, datasetMmcCommand,
  exportCommand,
];
