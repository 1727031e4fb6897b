// `mellm` command line over src/core. One line per user-caused error, non-zero exit codes.
import './cli/threadpool'; // first: sizes libuv's thread pool before anything uses it
import { cliAbort } from './cli/signals'; // handles Ctrl-C even while the rest loads
import { COMMANDS } from './cli/registry';
import { UsageError, UserError, type CliCommand, type CliIO } from './cli/types';
import { wantsHelp } from './cli/args';
import { BATCH_EXIT_HELP, EXIT, EXIT_HELP } from './cli/exitCodes';
import { configureImageLimits, defaultMemoryLimitMiB } from './core/image';

function help(): string {
  const lines = ['usage: mellm <command> [options]   (mellm <command> --help for its options)', '', 'commands:'];
  for (const c of COMMANDS) lines.push(`  ${c.usage}`, `      ${c.summary}`);
  lines.push(
    '',
    `global option: --memory-limit MiB   memory for one frame pair (default ${defaultMemoryLimitMiB()} here: half the RAM, at most 4096); larger frames are refused from their header`,
    '',
    EXIT_HELP,
    `batch commands (bench, dataset mmc, export): ${BATCH_EXIT_HELP.replace(/^exit codes: /, '')}`,
  );
  return lines.join('\n') + '\n';
}

/** `mellm <command> --help`: usage, what it does, its details and exit codes. */
export function commandHelp(c: CliCommand): string {
  return [`usage: mellm ${c.usage}`, '', c.summary, ...(c.help ? ['', c.help.trim()] : []), '', c.help?.includes('exit codes') ? '' : EXIT_HELP]
    .filter((l, i, a) => !(l === '' && a[i - 1] === ''))
    .join('\n')
    .trimEnd() + '\n';
}

/** Commands under a group word (`mellm dataset` -> dataset scan, dataset mmc). */
function groupHelp(word: string): string {
  const subs = COMMANDS.filter((c) => c.name.length > 1 && c.name[0] === word);
  return [`usage: mellm ${word} <${subs.map((c) => c.name[1]).join('|')}> [options]`, '', ...subs.flatMap((c) => [`  ${c.usage}`, `      ${c.summary}`])].join('\n') + '\n';
}

/**
 * The global `--memory-limit MiB` (any command that reads images): removed from argv before the command
 * parses its own options. It bounds the frame size decoded (checked from each file's header).
 */
export function takeMemoryLimit(argv: readonly string[]): { rest: string[]; memoryMiB?: number } {
  const rest: string[] = [];
  let value: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (a === '--memory-limit') {
      value = argv[i + 1];
      if (value === undefined) throw new UsageError('--memory-limit needs a value in MiB, e.g. --memory-limit 8192');
      i++;
    } else if (a.startsWith('--memory-limit=')) value = a.slice('--memory-limit='.length);
    else rest.push(a);
  }
  if (value === undefined) return { rest };
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 64 || n > 2 ** 22) throw new UsageError(`--memory-limit must be a whole number of MiB from 64 to ${2 ** 22}, got '${value}'`);
  return { rest, memoryMiB: n };
}

export async function main(argv: string[], io: CliIO): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    // `mellm help mmc` is `mellm mmc --help`.
    if (argv[0] === 'help' && argv.length > 1) return main([...argv.slice(1), '--help'], io);
    io.stdout(help());
    return argv.length === 0 ? EXIT.usage : EXIT.ok;
  }
  if (argv[0] === '--version') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    io.stdout(`${(require('../package.json') as { version: string }).version}\n`);
    return EXIT.ok;
  }
  // Longest matching command name wins (e.g. `dataset scan` before `dataset`).
  const match = [...COMMANDS]
    .sort((a, b) => b.name.length - a.name.length)
    .find((c) => c.name.every((w, i) => argv[i] === w));
  if (!match) {
    const group = COMMANDS.some((c) => c.name.length > 1 && c.name[0] === argv[0]);
    if (group) {
      const sub = argv[1];
      if (sub === '--help' || sub === '-h') {
        io.stdout(groupHelp(argv[0]));
        return EXIT.ok;
      }
      io.stderr(sub === undefined ? groupHelp(argv[0]) : `mellm ${argv[0]}: unknown command '${sub}' (run 'mellm ${argv[0]} --help' for the list)\n`);
      return EXIT.usage;
    }
    io.stderr(`mellm: unknown command '${argv[0]}' (run 'mellm --help' for the list)\n`);
    return EXIT.usage;
  }
  const name = match.name.join(' ');
  if (wantsHelp(argv.slice(match.name.length))) {
    io.stdout(commandHelp(match));
    return EXIT.ok;
  }
  try {
    const { rest, memoryMiB } = takeMemoryLimit(argv.slice(match.name.length));
    if (memoryMiB !== undefined) configureImageLimits({ memoryMiB, setting: '--memory-limit MiB' });
    return await match.run(rest, io);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (e instanceof UsageError) {
      io.stderr(`mellm ${name}: ${msg}${/\busage: mellm|--help/.test(msg) ? '' : ` (run 'mellm ${name} --help')`}\n`);
      return EXIT.usage;
    }
    if (e instanceof UserError || (e as { name?: string }).name === 'CancelledError') {
      io.stderr(`mellm ${name}: ${msg}\n`);
      return (e as { name?: string }).name === 'CancelledError' ? EXIT.cancelled : EXIT.userError;
    }
    io.stderr(`mellm ${name}: internal error: ${e instanceof Error ? (e.stack ?? msg) : msg}\n`);
    return EXIT.internal;
  }
}

if (require.main === module) {
  const io: CliIO = {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    signal: cliAbort.signal,
  };
  main(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`mellm: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = EXIT.internal;
    },
  );
}
