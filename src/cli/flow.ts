// `mellm flow ONSET APEX --out FLOW.flo [--json]`: TV-L1 optical flow (OpenCV DualTVL1 defaults) to a .flo file.
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { writeFlo } from '../core/flo';
import { computePairFlow } from '../core/mmc';
import { COMMON_OPTIONS, checkWritable, ms, parseDevice, parsePair, parseThreads, requireOut, userErrors, commandTimings } from './pairOptions';
import type { CliCommand, CliIO } from './types';

const USAGE = 'flow ONSET APEX --out FLOW.flo [--json] [--device auto|cpu|cuda] [--threads N]';

export const flowCommand: CliCommand = {
  name: ['flow'],
  usage: USAGE,
  summary: 'TV-L1 optical flow onset -> apex (OpenCV DualTVL1 defaults) written as a Middlebury .flo file.',
  async run(argv: string[], io: CliIO): Promise<number> {
    const t0 = performance.now();
    const { values, onset, apex } = parsePair(argv, COMMON_OPTIONS, USAGE);
    const out = requireOut(values.out, '--out', '.flo');
    const device = parseDevice(values.device);
    const threads = parseThreads(values.threads);
    await checkWritable(out, '--out');
    const r = await userErrors(() => computePairFlow({ onset, apex, device, threads, signal: io.signal }));
    const tw = performance.now();
    await userErrors(() => writeFlo(out, r.flow));
    const { timings, rounded } = commandTimings(r.timingsMs, t0, tw, performance.now());
    if (values.json) {
      io.stdout(
        JSON.stringify({
          command: 'flow',
          onset,
          apex,
          outputs: { flow: path.resolve(out) },
          width: r.width,
          height: r.height,
          timingsMs: rounded,
        }) + '\n',
      );
    } else {
      io.stdout(`wrote ${out} (${r.width}x${r.height} flow) in ${ms(timings.total)} ms (flow ${ms(timings.flow)} ms)\n`);
    }
    return 0;
  },
};
