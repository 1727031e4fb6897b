// `mellm` command line over src/core. One line per user-caused error, non-zero exit codes.
import './cli/threadpool'; // first: sizes libuv's thread pool before anything uses it
import { cliAbort } from './cli/signals'; // handles Ctrl-C even while the rest loads
import { COMMANDS } from './cli/registry';
import { UsageError, UserError, type CliIO } from './cli/types';

function help(): string {
  const lines = ['usage: mellm <command> [options]', '', 'commands:'];
  for (const c of COMMANDS) lines.push(`  ${c.usage}`, `      ${c.summary}`);
  return lines.join('\n') + '\n';
}

export async function main(argv: string[], io: CliIO): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.stdout(help());
    return argv.length === 0 ? 2 : 0;
  }
  if (argv[0] === '--version') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    io.stdout(`${(require('../package.json') as { version: string }).version}\n`);
    return 0;
  }
  // Longest matching command name wins (e.g. `dataset scan` before `dataset`).
  const match = [...COMMANDS]
    .sort((a, b) => b.name.length - a.name.length)
    .find((c) => c.name.every((w, i) => argv[i] === w));
  if (!match) {
    io.stderr(`mellm: unknown command '${argv[0]}' (run 'mellm --help' for the list)\n`);
    return 2;
  }
  try {
    return await match.run(argv.slice(match.name.length), io);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (e instanceof UsageError) {
      io.stderr(`mellm ${match.name.join(' ')}: ${msg}\n`);
      return 2;
    }
    if (e instanceof UserError || (e as { name?: string }).name === 'CancelledError') {
      io.stderr(`mellm ${match.name.join(' ')}: ${msg}\n`);
      return (e as { name?: string }).name === 'CancelledError' ? 130 : 1;
    }
    io.stderr(`mellm ${match.name.join(' ')}: internal error: ${e instanceof Error ? (e.stack ?? msg) : msg}\n`);
    return 70;
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
      process.exitCode = 70;
    },
  );
}
