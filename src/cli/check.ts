// `mellm check ANSWER.txt ONSET APEX [--json] [--flow-in FLOW.flo] [--device auto|cpu|cuda] [--threads N]`:
// compare every region claim of a saved answer (colour / direction / intensity / AU) with the motion
// measured in that region of the pair: supported, contradicted or not checkable, with the measured values.
import { readFile } from 'node:fs/promises';
import { FaceModelError } from '../core/face';
import { checkClaims, type ClaimCheckReport, type ClaimResult } from '../core/reasoning/claimCheck';
import { measurePairMotion } from '../core/reasoning/pairMotion';
import { ms, parseDevice, parseThreads, userErrors } from './pairOptions';
import { UsageError, UserError, type CliCommand, type CliIO } from './types';
import { parseCommandArgs } from './args';

const USAGE = 'check ANSWER.txt ONSET APEX [--json] [--flow-in FLOW.flo] [--device auto|cpu|cuda] [--threads N]';

async function readAnswer(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new UserError(`cannot read answer file ${file}: ${why}; give the path of a saved model answer (text/Markdown).`);
  }
}

const r2 = (x: number) => Math.round(x * 100) / 100;
const r4 = (x: number) => Math.round(x * 1e4) / 1e4;

/** Stable JSON shape of one checked claim. */
export function claimJson(c: ClaimResult): Record<string, unknown> {
  return {
    verdict: c.verdict,
    reason: c.reason,
    span: c.span,
    text: c.text,
    regions: c.regions,
    side: c.side,
    directions: c.directions,
    colours: c.colours,
    intensity: c.intensity,
    noMotion: c.noMotion,
    aus: c.aus,
    ausInferred: c.ausInferred,
    ausNotInferred: c.ausNotInferred,
    directionMatch: c.directionMatch,
    intensityMatch: c.intensityMatch,
    measured: c.measured.map((m) => ({ region: m.region, direction: m.direction, colour: m.colour, intensity: m.intensity, magnitudePx: r2(m.magnitude), normalised: r4(m.normalised), angleDeg: r2(m.angle) })),
  };
}

function formatReport(r: ClaimCheckReport): string {
  const mark = { supported: '✓ supported   ', contradicted: '✗ contradicted', 'not-checkable': '? not checkable' } as const;
  const lines = r.claims.map((c) => `${mark[c.verdict]}  [${c.span[0]}-${c.span[1]}] ${c.text.replace(/\s+/g, ' ')}\n      ${c.reason}`);
  lines.push(`${r.claims.length} claims: ${r.supported} supported, ${r.contradicted} contradicted, ${r.notCheckable} not checkable`);
  return lines.join('\n') + '\n';
}

export const checkCommand: CliCommand = {
  name: ['check'],
  usage: USAGE,
  summary: "Check a saved answer's region claims (colour, direction, intensity, AU) against the motion measured in the pair: supported / contradicted / not checkable.",
  async run(argv: string[], io: CliIO): Promise<number> {
    const parsed = parseCommandArgs(argv, { json: { type: 'boolean' }, 'flow-in': { type: 'string' }, device: { type: 'string' }, threads: { type: 'string' } });
    if (parsed.positionals.length !== 3) {
      throw new UsageError(`expected ANSWER.txt ONSET APEX, got ${parsed.positionals.length} argument(s) (usage: mellm ${USAGE})`);
    }
    const [answerFile, onset, apex] = parsed.positionals;
    const device = parseDevice(parsed.values.device);
    const threads = parseThreads(parsed.values.threads);
    const flowIn = parsed.values['flow-in'];
    if (flowIn === '') throw new UsageError('--flow-in needs a .flo file');
    const answer = await readAnswer(answerFile);
    const pm = await userErrors(async () => {
      try {
        return await measurePairMotion({ onset, apex, flowIn, device, threads, signal: io.signal });
      } catch (e) {
        if (e instanceof FaceModelError) throw new UserError(e.message);
        throw e;
      }
    });
    for (const w of pm.warnings) io.stderr(`mellm check: warning: ${w}\n`);
    const report = checkClaims(answer, pm.motion);
    if (parsed.values.json) {
      io.stdout(
        JSON.stringify({
          command: 'check',
          answer: answerFile,
          onset,
          apex,
          face: pm.face ? { box: pm.face.box, interOcular: r2(pm.face.interOcular), nose: pm.face.nose } : null,
          head: { u: r4(pm.mmc.head.u), v: r4(pm.mmc.head.v) },
          background: pm.motion ? r4(pm.motion.background) : null,
          summary: { claims: report.claims.length, supported: report.supported, contradicted: report.contradicted, notCheckable: report.notCheckable },
          claims: report.claims.map(claimJson),
          timingsMs: Object.fromEntries(Object.entries(pm.timingsMs).map(([k, v]) => [k, ms(v)])),
          warnings: pm.warnings,
        }) + '\n',
      );
    } else {
      io.stdout(formatReport(report));
    }
    return 0;
  },
};
