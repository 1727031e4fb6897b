// Fuzz target: hostile values for every setting and task property that reaches a command line
// (mellm.jobs.cli, jobs.remotePrefix, jobs.workdir, serve.*, train.*, apiKeyEnv, endpoints/model, the task's
// dataset/out/protocol and overrides). Each is refused with a JobDefinitionError/RangeError line naming it,
// or planned; a planned job's command line, stop script are then actually run by sh
// in a temp folder (real mkdir/base64/cat, the job's own programs absent), and no payload may have run:
// the PWNED marker never appears. The payloads write it with shell builtins, so an escape would show.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { JobDefinitionError, resolveJob, type JobSettings, type MellmTaskDefinition } from '../../../src/core/train/jobs';
import { commandLine, stopJobScript } from '../../../src/core/train/launch';
import { CommandLineError, splitCommandLine } from '../../../src/core/train/shellWords';
import type { FuzzContext } from '../../support/fuzzChild';

const PAYLOADS = [
  'X"; echo > PWNED; echo "',
  "X'; echo > PWNED; echo '",
  '$(echo > PWNED)',
  '`echo > PWNED`',
  'a\necho > PWNED',
  'a\recho > PWNED',
  ';echo>PWNED',
  '|echo>PWNED',
  '&&echo>PWNED',
  '||echo>PWNED',
  '>PWNED',
  '* ? [a-z]',
  '-rf',
  '--help',
  '-oProxyCommand=echo>PWNED',
  "'",
  '"',
  '\\',
  'a\u0000echo>PWNED',
  '${IFS}echo${IFS}>PWNED',
  '~/x; echo > PWNED',
  'A'.repeat(10_000),
  '',
  ' ',
];

const value = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...PAYLOADS) }, { weight: 1, arbitrary: fc.tuple(fc.string({ maxLength: 8 }), fc.constantFrom(...PAYLOADS), fc.string({ maxLength: 8 })).map((p) => p.join('')) });

const SERVE_STRINGS = ['modelDir', 'servedName', 'host', 'dtype', 'apiKeyEnv', 'generationConfig'];
const TRAIN_STRINGS = ['baseModel', 'dataset', 'datasetDir', 'outputDir', 'template', 'lrScheduler', 'deepspeed'];
const WHERE = ['jobs.cli', 'jobs.remotePrefix', 'jobs.workdir', 'serve', 'train', 'train.extra', 'endpoints', 'task', 'override'] as const;

const caseArb = fc.record({
  job: fc.constantFrom('export', 'train', 'merge', 'serve', 'benchmark') as fc.Arbitrary<MellmTaskDefinition['job']>,
  where: fc.constantFrom(...WHERE),
  key: fc.nat(),
  v: value,
});

export async function run(ctx: FuzzContext) {
  const bin = path.join(ctx.tmp, 'bin');
  fs.mkdirSync(bin);
  for (const tool of ['mkdir', 'base64', 'cat', 'rm']) {
    const real = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
    fs.symlinkSync(real, path.join(bin, tool));
  }
  ctx.baseline();
  let n = 0;
  await fc.assert(
    fc.asyncProperty(caseArb, async (c) => {
      const i = n++;
      ctx.beat(`setting #${i} ${c.where}`);
      const dir = path.join(ctx.tmp, `c${i}`);
      fs.mkdirSync(dir);
      const s: JobSettings = { remotePrefix: '', workdir: 'w', train: {}, serve: {}, endpoints: ['http://127.0.0.1:8000'], model: 'mellm', concurrency: 2 };
      const def: MellmTaskDefinition = { type: 'mellm', job: c.job, dataset: 'data/set', out: 'out' };
      let mellm = ['mellm'];
      const safe = c.v.replace(/\.\./g, '_').replace(/^\/+/, '');
      try {
        switch (c.where) {
          case 'jobs.cli':
            mellm = splitCommandLine(`mellm-cli ${c.v}`, 'mellm.jobs.cli');
            break;
          case 'jobs.remotePrefix':
            s.remotePrefix = `ssh ${c.v}`;
            break;
          case 'jobs.workdir':
            s.workdir = `w/${safe}`;
            break;
          case 'serve':
            s.serve = { [SERVE_STRINGS[c.key % SERVE_STRINGS.length]]: c.v };
            break;
          case 'train':
            s.train = { [TRAIN_STRINGS[c.key % TRAIN_STRINGS.length]]: c.v };
            break;
          case 'train.extra':
            s.train = { extra: c.key % 2 ? { [c.v]: 1 } : { lora_target: c.v } };
            break;
          case 'endpoints':
            if (c.key % 2) s.endpoints = [c.v];
            else s.model = c.v;
            break;
          case 'task':
            (def as unknown as Record<string, string>)[['dataset', 'out', 'protocol'][c.key % 3]] = c.v;
            break;
          case 'override':
            def.overrides = { [[...SERVE_STRINGS, ...TRAIN_STRINGS][c.key % 13]]: c.v };
            break;
        }
        const { plan, target } = resolveJob(def, s, { mellm, clientHost: '127.0.0.1' });
        for (const script of [commandLine(plan, target, 'job1'), stopJobScript(target, 'job1')]) {
          if (script.includes('\0')) throw new Error(`case ${i}: a NUL byte reached the command line`);
          const r = spawnSync('/bin/sh', ['-c', script], { cwd: dir, env: { PATH: bin, HOME: dir }, input: script.includes('read -r') ? 'KEY\n' : '', timeout: 5000, encoding: 'utf8' });
          if (r.error && (r.error as NodeJS.ErrnoException).code !== 'EPIPE') throw new Error(`case ${i}: sh did not run: ${r.error.message}`);
        }
        ctx.count(`${c.where} planned and run`);
      } catch (e) {
        if (!(e instanceof JobDefinitionError || e instanceof CommandLineError || e instanceof RangeError || e instanceof TypeError)) throw new Error(`case ${i}: ${(e as Error)?.name}: ${(e as Error)?.message}`);
        if (e instanceof TypeError && !/YAML key/.test(e.message)) throw new Error(`case ${i}: TypeError ${e.message}`);
        ctx.count(`${c.where} refused`);
      }
      const found = (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => path.basename(f).startsWith('PWNED')).join(', ');
      if (found) throw new Error(`case ${i} (${c.where} = ${JSON.stringify(c.v.slice(0, 80))}, job ${c.job}): a payload ran: ${found}`);
      fs.rmSync(dir, { recursive: true, force: true });
    }),
    { seed: ctx.seed, numRuns: Math.round(1000 * ctx.scale), timeout: 10_000, endOnFailure: true, includeErrorInReport: true },
  );
  return [];
}
