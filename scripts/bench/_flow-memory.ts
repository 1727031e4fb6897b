// Helper of scripts/bench/flow.ts (not a bench module): one flow on raw grey frames in a fresh process
// holding nothing but Node, the addon and the two frames; prints the peak RSS before and after the flow.
// flow.ts bundles this file with esbuild and runs it with plain node (no tsx in the measured process).
// Usage: node flow-memory.cjs ONSET.gray APEX.gray WIDTH HEIGHT
import * as fs from 'node:fs';
import { computeFlow, nativeInfo, type GreyImage } from '../../src/core/native';

function peakRssMb(): { mb: number; how: string } {
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (m) return { mb: Number(m[1]) / 1024, how: 'VmHWM from /proc/self/status' };
  } catch {
    // not Linux: fall through
  }
  return { mb: process.resourceUsage().maxRSS / 1024, how: 'process.resourceUsage().maxRSS' };
}

async function main(argv: string[]): Promise<void> {
  const [a, b, w, h] = argv;
  const width = Number(w);
  const height = Number(h);
  const onset: GreyImage = { width, height, data: new Uint8Array(fs.readFileSync(a)) };
  const apex: GreyImage = { width, height, data: new Uint8Array(fs.readFileSync(b)) };
  nativeInfo(); // loads the addon before the baseline
  const before = peakRssMb();
  const flow = await computeFlow(onset, apex, {}, { device: 'cpu' });
  const after = peakRssMb();
  if (flow.u.length !== width * height) throw new Error('flow has the wrong size');
  process.stdout.write(`${JSON.stringify({ before: before.mb, after: after.mb, how: after.how })}\n`);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`flow memory: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
