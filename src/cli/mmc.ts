// `mellm mmc ONSET APEX --out MAP.png [--flow-out FLOW.flo] [--flow-in FLOW.flo] [--nose X,Y | --no-compensation]
// [--no-face grey|uncompensated] [--json]`: the MMC-Map of a pair (DESIGN.md section 2), as preprocess.py of the
// authors' repo (zyzhangUstc/mellmv1-base-on-Qwen2.5vl-7B-, b7daa0f) makes it.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { writeFlo } from '../core/flo';
import { writeFileAtomic } from '../core/atomicWrite';
import { computeMmc, mmcPng, NO_FACE_POLICIES, type NoFacePolicy, type NosePoint } from '../core/mmc';
import { locateNoseTip } from '../core/face/nose';
import { COMMON_OPTIONS, checkWritable, ms, parseDevice, parsePair, parseThreads, requireOut, userErrors, commandTimings } from './pairOptions';
import { UsageError, type CliCommand, type CliIO } from './types';

const USAGE =
  'mmc ONSET APEX --out MAP.png [--flow-out FLOW.flo] [--flow-in FLOW.flo] [--nose X,Y | --no-compensation] [--no-face grey|uncompensated] [--json] [--device auto|cpu|cuda] [--threads N]';

const OPTIONS = {
  ...COMMON_OPTIONS,
  'flow-out': { type: 'string' },
  'flow-in': { type: 'string' },
  nose: { type: 'string' },
  'no-compensation': { type: 'boolean' },
  'no-face': { type: 'string' },
} as const;

/** --no-face: what the map is when the face model finds no face (default grey, the authors' result). */
export function parseNoFace(value: unknown): NoFacePolicy | undefined {
  if (value === undefined) return undefined;
  if (NO_FACE_POLICIES.includes(value as NoFacePolicy)) return value as NoFacePolicy;
  throw new UsageError(`--no-face must be ${NO_FACE_POLICIES.join(' or ')}, got '${String(value)}'`);
}

/** "X,Y" in onset pixels (decimals allowed: the window is centred on int(X), int(Y), as preprocess.py). */
export function parseNose(value: string): NosePoint {
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$/.exec(value);
  if (!m) throw new UsageError(`--nose expects X,Y in onset pixels (e.g. --nose 140,200), got '${value}'`);
  return { x: Number(m[1]), y: Number(m[2]) };
}

export const mmcCommand: CliCommand = {
  name: ['mmc'],
  usage: USAGE,
  summary:
    "MMC-Map of an onset/apex pair as the authors' preprocess.py makes it: TV-L1 flow (or --flow-in), head motion (mean flow of the 11x11 window at int(nose)) removed, 30-degree direction colours over the grey onset; no face: the plain grey onset (--no-face uncompensated: the flow without compensation).",
  help: [
    '--nose X,Y            nose tip in onset pixels (a negative value is read as a number, e.g. --nose -5,10); default: found by the face model',
    '--no-compensation     keep the head motion',
    '--no-face grey|uncompensated   the map when no face is found: the plain grey onset (the authors\' result) or the uncompensated flow',
    '--flow-in / --flow-out FLOW.flo   render from a given flow / also write the computed one',
  ].join('\n'),
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
    const noFace = parseNoFace(values['no-face']);
    const device = parseDevice(values.device);
    const threads = parseThreads(values.threads);
    if (flowOut && path.resolve(flowOut) === path.resolve(out)) throw new UsageError('--out and --flow-out are the same file');
    await checkWritable(out, '--out');
    if (flowOut) await checkWritable(flowOut, '--flow-out');

    const r = await userErrors(() =>
      // No --nose: the face model finds the nose tip on the onset frame (none found: the grey onset, or with
      // --no-face uncompensated the map without compensation; a warning either way).
      computeMmc({ onset, apex, nose, locateNose: locateNoseTip, noFace, sensitivity: true, flowIn, device, threads, signal: io.signal }),
    );
    for (const w of r.warnings) io.stderr(`mellm mmc: warning: ${w}\n`);

    const tw = performance.now();
    const written: string[] = [];
    try {
      if (flowOut) {
        await userErrors(() => writeFlo(flowOut, r.flow));
        written.push(flowOut);
      }
      await userErrors(async () => writeFileAtomic(out, await mmcPng(r)));
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
          output: r.output,
          noFace: r.noFace,
          nose: r.nose,
          nosePixel: r.nosePixel,
          noseWindow: r.noseWindow,
          head: { u: r.head.u, v: r.head.v },
          // Share of pixels that change when the window moves by one pixel (left, right, up, down).
          noseSensitivity: r.noseSensitivity ?? null,
          timingsMs: rounded,
          warnings: r.warnings,
        }) + '\n',
      );
    } else {
      const sens = r.noseSensitivity ? `; a 1 px move of the window changes ${(100 * r.noseSensitivity.mean).toFixed(1)}% of the pixels (up to ${(100 * r.noseSensitivity.max).toFixed(1)}%)` : '';
      const comp =
        r.output === 'grey-onset'
          ? 'no face: the plain grey onset, as the authors\' preprocess.py'
          : r.nosePixel
            ? `nose ${r.nose!.x},${r.nose!.y} (pixel ${r.nosePixel.x},${r.nosePixel.y}), head motion (${r.head.u.toFixed(3)}, ${r.head.v.toFixed(3)}) px removed${sens}`
            : 'no head-motion compensation';
      const extra = flowOut ? ` and ${flowOut}` : '';
      io.stdout(`wrote ${out}${extra} (${r.width}x${r.height}, ${comp}) in ${ms(timings.total)} ms\n`);
    }
    return 0;
  },
};
