// Dev script: prints the landmark table on the labelled face set (docs/face-set.md): nose-tip error per crop
// for each candidate, the summary on the whole set and on its two halves (faces at even / odd positions in
// labels.json: the even half chose the model, the odd half is held out), and the 20-px shift stability.
//   node --import tsx scripts/face-set-table.ts
import { CANDIDATES, scoreCrops, scoreShifts, type CropScore } from '../test/face/faceSetEval';
import { loadLabels } from '../test/face/faceSet';

function summary(label: string, rows: CropScore[]): void {
  const found = rows.filter((r) => r.errors);
  const parts = CANDIDATES.map((k) => {
    const e = found.map((r) => (r.errors as Record<string, number>)[k]);
    const mean = e.reduce((a, b) => a + b, 0) / Math.max(1, e.length);
    return `${k}: mean ${mean.toFixed(1)} max ${Math.max(...e).toFixed(1)} <=5% ${e.filter((x) => x <= 5).length}/${e.length}`;
  });
  process.stdout.write(`${label} (${found.length} of ${rows.length} crops with a face): ${parts.join(' | ')}\n`);
}

async function main(): Promise<void> {
  const order = new Map(loadLabels().faces.map((f, i) => [f.id, i]));
  const rows = await scoreCrops();
  process.stdout.write(`| crop | variant | iod px | label unc. % | ${CANDIDATES.join(' | ')} |\n|---|---|---|---|${CANDIDATES.map(() => '---|').join('')}\n`);
  for (const r of rows) {
    const cells = CANDIDATES.map((k) => (r.errors ? r.errors[k].toFixed(1) : 'no face'));
    process.stdout.write(`| ${r.id} | ${r.variant} | ${r.iod.toFixed(0)} | ${r.uncertainty.toFixed(1)} | ${cells.join(' | ')} |\n`);
  }
  summary('all', rows);
  summary('even half (model choice)', rows.filter((r) => (order.get(r.id) as number) % 2 === 0));
  summary('odd half (held out)', rows.filter((r) => (order.get(r.id) as number) % 2 === 1));
  for (const v of ['photo', 's160', 'casme'] as const) summary(`variant ${v}`, rows.filter((r) => r.variant === v));
  const shifts = await scoreShifts();
  for (const k of CANDIDATES) {
    const m = shifts.filter((s) => s.moved).map((s) => (s.moved as Record<string, number>)[k]);
    const sorted = [...m].sort((a, b) => a - b);
    process.stdout.write(
      `shift 20 px, ${k}: ${m.filter((x) => x <= 1).length}/${m.length} faces within 1 px, median ${sorted[Math.floor(sorted.length / 2)].toFixed(2)} px, max ${Math.max(...m).toFixed(2)} px (${shifts.length - m.length} faces lost by the detector in a shifted window)\n`,
    );
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`face-set-table: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
