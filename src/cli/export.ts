// `mellm export DATASET --format llamafactory --out DIR`: the instruction dataset for LLaMA-Factory.
import { exportLlamaFactory, parseProtocol, parseSplitSpec } from '../core/export/llamafactory';
import { DatasetError } from '../core/dataset/types';
import { MediaError } from '../core/mediaError';
import type { Device } from '../core/native';
import { UsageError, UserError, type CliCommand, type CliIO } from './types';
import { parseOptions } from './args';
import { BATCH_EXIT_HELP, EXIT } from './exitCodes';
import { presetLang } from '../core/reasoning/prompts';
import { PROMPT_USAGE, parsePromptPreset } from './promptOptions';

const DEVICES = ['auto', 'cpu', 'cuda'];

export const exportCommand: CliCommand = {
  name: ['export'],
  usage:
    `export DATASET --format llamafactory --out DIR ${PROMPT_USAGE} [--lang zh|en] [--no-face grey|skip] [--mer-ratio R] [--split train=0.8,val=0.1,test=0.1] [--protocol casme2|casme3a|dfme] [--jobs N] [--device auto|cpu|cuda] [--json]`,
  summary: "build the MEU/MER instruction dataset (MMC-Maps + the FGMU prompt, main.py's by default + grounded answers) for LLaMA-Factory",
  help: BATCH_EXIT_HELP,
  async run(argv: string[], io: CliIO): Promise<number> {
    const parsed = parseOptions({
        args: argv,
        allowPositionals: true,
        options: {
          format: { type: 'string' },
          out: { type: 'string' },
          lang: { type: 'string' },
          prompt: { type: 'string' },
          'no-face': { type: 'string' },
          'mer-ratio': { type: 'string', default: '0' },
          split: { type: 'string', default: 'train' },
          protocol: { type: 'string' },
          jobs: { type: 'string' },
          device: { type: 'string', default: 'auto' },
          json: { type: 'boolean', default: false },
        },
      });
    const v = parsed.values;
    if (parsed.positionals.length !== 1) throw new UsageError('expected one DATASET folder');
    if (v.format !== 'llamafactory') throw new UsageError(`--format must be llamafactory${v.format ? `, got '${v.format}'` : ' (it is required)'}`);
    if (!v.out) throw new UsageError('--out DIR is required');
    if (v.lang !== undefined && v.lang !== 'zh' && v.lang !== 'en') throw new UsageError(`--lang must be zh or en, got '${v.lang}'`);
    // The samples' prompt: --prompt, else (as before presets) --lang en's English one, else main.py's.
    const prompt = parsePromptPreset(v.prompt, v.lang as 'zh' | 'en' | undefined);
    // The answers are written in the prompt's language unless --lang says otherwise.
    const lang = (v.lang as 'zh' | 'en' | undefined) ?? presetLang(prompt);
    const noFace = v['no-face'] ?? 'grey';
    if (noFace !== 'grey' && noFace !== 'skip') throw new UsageError(`--no-face must be grey or skip, got '${noFace}'`);
    const merRatio = Number(v['mer-ratio']);
    if (!Number.isFinite(merRatio) || merRatio < 0 || merRatio > 1) throw new UsageError(`--mer-ratio must be a number from 0 to 1, got '${v['mer-ratio']}'`);
    if (!DEVICES.includes(v.device!)) throw new UsageError(`--device must be auto, cpu or cuda, got '${v.device}'`);
    const jobs = v.jobs === undefined ? undefined : Number(v.jobs);
    if (jobs !== undefined && (!Number.isInteger(jobs) || jobs < 1)) throw new UsageError(`--jobs must be a positive integer, got '${v.jobs}'`);
    let split, protocol;
    try {
      split = parseSplitSpec(v.split!);
      protocol = parseProtocol(v.protocol);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    let last = 0;
    try {
      const report = await exportLlamaFactory(parsed.positionals[0], {
        out: v.out,
        lang,
        prompt,
        noFace,
        merRatio,
        split,
        protocol,
        jobs,
        device: v.device as Device,
        signal: io.signal,
        onProgress: (done, total) => {
          const now = Date.now();
          if (now - last > 500 || done === total) {
            last = now;
            io.stderr(`export: ${done}/${total} clips\n`);
          }
        },
      });
      if (v.json) io.stdout(JSON.stringify(report, null, 2) + '\n');
      else {
        for (const [name, s] of Object.entries(report.splits)) {
          io.stdout(`${name}: ${s.meu} MEU + ${s.mer} MER samples, ${s.subjects.length} subject(s) -> ${s.file}\n`);
        }
        for (const f of report.failures) io.stdout(`failed: ${f.clip}: ${f.message}\n`);
        if (report.noFace.length > 0) io.stdout(`${report.noFace.length} clip(s) without a face exported with the plain grey onset (preprocess.py's result): ${report.noFace.slice(0, 5).join(', ')}${report.noFace.length > 5 ? ', ...' : ''}\n`);
        io.stdout(`prompt ${report.prompt.preset}: MEU SHA-256 ${report.prompt.meuSha256} (${report.prompt.meuBytes} bytes)\n`);
        io.stdout(`${report.excluded.length} clip(s) excluded; dataset_info.json and export-report.json written in ${v.out}\n`);
      }
      if (report.failures.length === 0) return EXIT.ok;
      const exported = Object.values(report.splits).reduce((n, s) => n + s.meu, 0);
      return exported === 0 ? EXIT.allFailed : EXIT.someFailed;
    } catch (e) {
      if (e instanceof DatasetError || e instanceof MediaError) throw new UserError(e.message);
      throw e;
    }
  },
};
