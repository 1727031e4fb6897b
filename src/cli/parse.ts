// `mellm parse ANSWER.txt [--json]`: the AUs, the emotion and the sections of a saved model answer
// ('-' reads stdin). An answer without a recognisable emotion prints 'unparsed' with the reason; one that
// concludes there is no micro-expression prints 'none', one that leaves the class open 'undetermined'.
import { readFile } from 'node:fs/promises';
import { EMOTION_ZH } from '../core/emotions';
import { auName } from '../core/facs';
import { parseAnswer, type ParsedAnswer } from '../core/reasoning/parse';
import { UsageError, UserError, type CliCommand, type CliIO } from './types';
import { parseOptions } from './args';

/** Stable JSON shape of a parse (also used by `mellm analyze --json`). */
export function parsedJson(p: ParsedAnswer): Record<string, unknown> {
  return {
    status: p.status,
    emotion: p.emotion,
    emotionText: p.emotionText ?? null,
    emotionFrom: p.emotionFrom,
    alternatives: p.alternatives,
    candidates: p.candidates,
    reason: p.reason ?? null,
    aus: p.aus.map((a) => ({ au: a.au, side: a.side ?? null, intensity: a.intensity ?? null, code: a.code, raw: a.raw, name: { en: auName(a.au, 'en'), zh: auName(a.au, 'zh') } })),
    ausFrom: p.ausFrom,
    sections: p.sections.map((s) => ({ kind: s.kind, title: s.title, start: s.start, bodyStart: s.bodyStart, end: s.end })),
  };
}

/** Human-readable summary, a few lines. */
export function formatParsed(p: ParsedAnswer): string {
  const lines: string[] = [];
  if (p.status === 'parsed' && p.emotion) {
    const alt = p.alternatives.length ? `; also mentioned: ${p.alternatives.join(', ')}` : '';
    lines.push(`emotion: ${p.emotion} (${EMOTION_ZH[p.emotion]}), read from the ${p.emotionFrom}${alt}`);
  } else if (p.status === 'none') {
    lines.push(`emotion: none — the answer concludes that no micro-expression was found ("${p.emotionText ?? ''}")`);
  } else if (p.status === 'undetermined') {
    lines.push(`emotion: undetermined — ${p.candidates.length ? `left open between ${p.candidates.join(', ')}` : 'the answer names no single class'}`);
  } else {
    lines.push(`emotion: unparsed — ${p.reason ?? 'no emotion class found'}`);
  }
  if (p.aus.length) {
    const aus = p.aus.map((a) => `${a.side ? `${a.side} ` : ''}AU${a.au}${a.intensity ?? ''} ${auName(a.au, 'en')}`).join(', ');
    lines.push(`AUs: ${aus} (from the ${p.ausFrom})`);
  } else lines.push('AUs: none found');
  lines.push(`sections: ${p.sections.map((s) => s.kind).join(', ') || 'none'}`);
  return lines.join('\n') + '\n';
}

async function readAnswer(path: string): Promise<string> {
  if (path === '-') {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new UserError(`cannot read answer file ${path}: ${why}; give the path of a saved model answer (text/Markdown) or '-' for stdin.`);
  }
}

export const parseCommand: CliCommand = {
  name: ['parse'],
  usage: 'parse ANSWER.txt [--json]',
  summary: 'Read the AUs and the emotion (from the conclusion section) out of a saved model answer; "-" reads stdin.',
  async run(argv: string[], io: CliIO): Promise<number> {
    const args = parseOptions({ args: argv, allowPositionals: true, options: { json: { type: 'boolean' } } });
    if (args.positionals.length !== 1) throw new UsageError('expected exactly one ANSWER file (or - for stdin)');
    const file = args.positionals[0];
    const parsed = parseAnswer(await readAnswer(file));
    if (args.values.json) io.stdout(JSON.stringify({ file, ...parsedJson(parsed) }, null, 2) + '\n');
    else io.stdout(formatParsed(parsed));
    return 0;
  },
};
