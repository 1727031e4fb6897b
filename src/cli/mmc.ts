// `mellm mmc ONSET APEX --out MAP.png [--flow-out FLOW.flo] [--flow-in FLOW.flo] [--nose X,Y | --no-compensation]
// [--json]`: the MMC-Map of a pair (DESIGN.md section 2).
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { writeFlo } from '../core/flo';
import { saveRgbPng } from '../core/image';
import { computeMmc, type NosePoint } from '../core/mmc';
import { locateNoseTip } from '../core/face/nose';
import { COMMON_OPTIONS, checkWritable, ms, parseDevice, parsePair, parseThreads, requireOut, userErrors, commandTimings } from './pairOptions';
import { UsageError, type CliCommand, type CliIO } from './types';

const USAGE =
  'mmc ONSET APEX --out MAP.png [--flow-out FLOW.flo] [--flow-in FLOW.flo] [--nose X,Y | --no-compensation] [--json] [--device auto|cpu|cuda] [--threads N]';

const OPTIONS = {
  ...COMMON_OPTIONS,
  'flow-out': { type: 'string' },
  'flow-in': { type: 'string' },
  nose: { type: 'string' },
  'no-compensation': { type: 'boolean' },
} as const;

/** "X,Y" in onset pixels (decimals allowed; rounded to the nearest pixel by the renderer). */
export function parseNose(value: string): NosePoint {
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$/.exec(value);
  if (!m) throw new UsageError(`--nose expects X,Y in onset pixels (e.g. --nose 140,200), got '${value}'`);
  return { x: Number(m[1]), y: Number(m[2]) };
}

export const mmcCommand: CliCommand = {
  name: ['mmc'],
  usage: USAGE,
  summary:
    'MMC-Map of an onset/apex pair: TV-L1 flow (or --flow-in), head motion removed at the nose tip, 30-degree direction colours over the grey onset.',
  async run(argv: string[], io: CliIO): Promise<number> {
    const t0 = performance.now();
    const { values, onset, apex } = parsePair(argv, OPTIONS, USAGE);
    const out = requireOut(values.out, '--out', '.png');
    const flowOut = values['flow-out'] === undefined ? undefined : requireOut(values['flow-out'], '--flow-out', '.flo');
    const flowIn = values['flow-in'];
    if (flowIn !== undefined && flowIn === '') throw new UsageError('--flow-in needs a .flo file');
    if (values.nose !== undefined && values['no-compensation']) {
      throw new UsageError('--nose and --no-compensation exclude each other: give one');
    }
    const nose = values.nose !== undefined ? parseNose(values.nose) : values['no-compensation'] ? null : undefined;
    const device = parseDevice(values.device);
    const threads = parseThreads(values.threads);
    if (flowOut && path.resolve(flowOut) === path.resolve(out)) throw new UsageError('--out and --flow-out are the same file');
    await checkWritable(out, '--out');
    if (flowOut) await checkWritable(flowOut, '--flow-out');

    const r = await userErrors(() =>
      // No --nose: the face model finds the nose tip on the onset frame (none found: no compensation + warning).
      computeMmc({ onset, apex, nose, locateNose: locateNoseTip, flowIn, device, threads, signal: io.signal }),
    );
    for (const w of r.warnings) io.stderr(`mellm mmc: warning: ${w}\n`);

    const tw = performance.now();
    const written: string[] = [];
    try {
      if (flowOut) {
        await userErrors(() => writeFlo(flowOut, r.flow));
        written.push(flowOut);
      }
      await userErrors(() => saveRgbPng(out, r.map));
    } catch (e) {
      // All or nothing: a map without its flow (or the reverse) would look like a finished run.
      await Promise.all(written.map((f) => fs.rm(f, { force: true })));
      throw e;
    }
    const { timings, rounded } = commandTimings(r.timingsMs, t0, tw, performance.now());
    if (values.json) {
      io.stdout(
        JSON.stringify({
          command: 'mmc',
          onset,
          apex,
          outputs: { map: path.resolve(out), flow: flowOut ? path.resolve(flowOut) : null },
          flowSource: r.flowSource,
          flowIn: flowIn ? path.resolve(flowIn) : null,
          width: r.width,
          height: r.height,
          nose: r.nose,
          head: { u: r.head.u, v: r.head.v },
          timingsMs: rounded,
          warnings: r.warnings,
        }) + '\n',
      );
    } else {
      const comp = r.nose
        ? `nose ${r.nose.x},${r.nose.y}, head motion (${r.head.u.toFixed(3)}, ${r.head.v.toFixed(3)}) px removed`
        : 'no head-motion compensation';
      const extra = flowOut ? ` and ${flowOut}` : '';
      io.stdout(`wrote ${out}${extra} (${r.width}x${r.height}, ${comp}) in ${ms(timings.total)} ms\n`);
    }
    return 0;
  },
};
