// Option parsing shared by every `mellm` subcommand: node:util parseArgs, with
//  - negative numbers as option values (`--nose -5,10`), which parseArgs would call "ambiguous";
//  - its errors rewritten as one clean line (its own text carries a second sentence with an unclosed quote);
//  - `--help` / `-h` recognised by main() before any of this (see wantsHelp).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './types';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** A value that looks like an option but is a number: -5, -5,10, -0.5, -.5 */
const NEGATIVE = /^-(?:\d|\.\d)/;

/** `--name -5` -> `--name=-5` for string options, so a negative number is read as the value it is. */
export function joinNegativeValues(argv: readonly string[], options: OptionSpec): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const name = a.startsWith('--') ? a.slice(2) : undefined;
    const spec = name !== undefined && !name.includes('=') ? options[name] : undefined;
    if (spec?.type === 'string' && i + 1 < argv.length && NEGATIVE.test(argv[i + 1])) {
      out.push(`${a}=${argv[i + 1]}`);
      i++;
    } else out.push(a);
  }
  return out;
}

/** parseArgs' error as one line that names the option and says what to do. */
export function describeParseError(e: unknown): string {
  const err = e as { code?: string; message?: string };
  const msg = String(err.message ?? e);
  const quoted = /'(-[^' ]+)/.exec(msg)?.[1];
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option '${quoted ?? msg}'`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/argument missing/.test(msg)) return `${quoted ?? 'an option'} needs a value`;
      if (/does not take an argument/.test(msg)) return `${quoted ?? 'an option'} takes no value`;
      if (/ambiguous/.test(msg)) return `${quoted ?? 'an option'} got a value starting with '-': write it as ${quoted ?? '--option'}=VALUE`;
      return msg.split(/\.\s|\n/)[0];
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${/'([^']*)'/.exec(msg)?.[1] ?? ''}`.trim();
    default:
      return msg.split('\n')[0];
  }
}

/** Options and positionals of a subcommand; a bad option is a one-line UsageError (exit 2). */
export function parseCommandArgs<T extends OptionSpec>(
  argv: readonly string[],
  options: T,
): { values: ReturnType<typeof parseArgs<{ options: T; allowPositionals: true; strict: true }>>['values']; positionals: string[] } {
  try {
    const r = parseArgs({ args: joinNegativeValues(argv, options), options, allowPositionals: true, strict: true });
    return { values: r.values, positionals: r.positionals };
  } catch (e) {
    throw new UsageError(describeParseError(e));
  }
}

/** `--help` or `-h` anywhere before a `--` terminator. */
export function wantsHelp(argv: readonly string[]): boolean {
  for (const a of argv) {
    if (a === '--') return false;
    if (a === '--help' || a === '-h') return true;
  }
  return false;
}

/** node:util parseArgs config form (strict), with the same negative-number and error handling. */
export function parseOptions<T extends ParseArgsConfig & { options: OptionSpec }>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs({ ...config, args: joinNegativeValues(config.args ?? [], config.options) }) as ReturnType<typeof parseArgs<T>>;
  } catch (e) {
    throw new UsageError(describeParseError(e));
  }
}
