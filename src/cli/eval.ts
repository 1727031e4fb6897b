// `mellm eval RUN_DIR [RUN_DIR...] [--json] [--report OUT_DIR]`: scores benchmark runs as the paper does
// and prints them side by side with the paper's Table II rows; optionally writes the Markdown + HTML report.
import { compareRuns } from '../core/bench/compare';
import { evaluateRun, evaluationJson, type RunEvaluation } from '../core/bench/evaluate';
import { runNotes, sourceLabel, writeReport } from '../core/bench/report';
import { UsageError, UserError, type CliCommand, type CliIO } from './types';
import { parseOptions } from './args';

const f4 = (x: number | null): string => (x === null ? '   —  ' : x.toFixed(4));

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function textReport(runs: readonly RunEvaluation[]): string {
  const out: string[] = [];
  const nameW = Math.max(8, ...runs.map((r) => r.name.length), ...runs.flatMap((r) => r.paper?.rows.map((p) => p.model.length + 8) ?? []));
  out.push(`${pad('run', nameW)}  protocol  clips       UF1     UAR     ACC     unparsed failed`);
  for (const r of runs) {
    const m = r.metrics;
    out.push(
      `${pad(r.name, nameW)}  ${pad(r.config.protocol, 8)}  ${pad(`${r.clips}/${r.expectedClips}`, 10)}  ${f4(m.uf1)}  ${f4(m.uar)}  ${f4(m.acc)}  ${pad(String(m.unparsed), 8)} ${m.failed}`,
    );
  }
  const shown = new Set<string>();
  for (const r of runs) {
    if (!r.paper || shown.has(r.paper.dataset)) continue;
    shown.add(r.paper.dataset);
    out.push('', `paper Table II, ${r.paper.dataset} (${r.paper.classes} classes):`);
    for (const p of r.paper.rows) out.push(`${pad(`  ${p.model}`, nameW)}  ${pad('', 8)}  ${pad('', 10)}  ${f4(p.uf1)}  ${f4(p.uar)}  ${f4(p.acc)}`);
  }
  for (const g of compareRuns(runs)) {
    out.push('', `side by side (${g.protocol}, same clips): all ${g.runs.length} runs name the same emotion on ${g.allSame} of ${g.commonToAll} clips`);
    for (const p of g.pairs) {
      out.push(`  ${runs[p.a].name} vs ${runs[p.b].name}: ${p.common} clips, same emotion ${p.same}, both right ${p.bothRight}, only ${runs[p.a].name} right ${p.onlyA}, only ${runs[p.b].name} right ${p.onlyB}, both wrong ${p.bothWrong}`);
    }
  }
  for (const r of runs) {
    const m = r.metrics;
    out.push('', `== ${r.name} — ${sourceLabel(r.config.source)}; task ${r.config.task}; input ${r.config.input}; prompt sha256 ${r.config.promptSha256.slice(0, 12)}…`);
    out.push(`   parse-failure rate ${(100 * m.parseFailureRate).toFixed(1)}%`);
    out.push(`   ${pad('class', 11)} ${pad('N', 5)} precision recall  F1`);
    for (const c of m.perClass) out.push(`   ${pad(c.label, 11)} ${pad(String(c.support), 5)} ${f4(c.precision)}    ${f4(c.recall)}  ${f4(c.f1)}`);
    const colW = Math.max(6, ...m.confusion.cols.map((c) => c.length)) + 1;
    out.push(`   confusion (rows truth, columns predicted):`);
    out.push(`   ${pad('', 11)}${m.confusion.cols.map((c) => pad(c, colW)).join('')}`.trimEnd());
    m.confusion.rows.forEach((row, i) => out.push(`   ${pad(row, 11)}${m.confusion.counts[i].map((n) => pad(String(n), colW)).join('')}`.trimEnd()));
    if (m.au) {
      for (const a of [m.au.ignored, m.au.respected]) {
        out.push(`   AUs (laterality ${a.laterality}, ${a.clips} clips): micro P ${f4(a.micro.precision)} R ${f4(a.micro.recall)} F1 ${f4(a.micro.f1)}, macro F1 ${f4(a.macroF1)}`);
      }
    }
    for (const n of runNotes(r)) out.push(`   note: ${n}`);
  }
  return out.join('\n') + '\n';
}

export const evalCommand: CliCommand = {
  name: ['eval'],
  usage: 'eval RUN_DIR [RUN_DIR...] [--json] [--report OUT_DIR]',
  summary: "Score benchmark runs (ACC, UF1, UAR as the paper; per class; confusion; AUs) beside the paper's Table II.",
  async run(argv: string[], io: CliIO): Promise<number> {
    const parsed = parseOptions({ args: argv, allowPositionals: true, options: { json: { type: 'boolean' }, report: { type: 'string' } } });
    const dirs = parsed.positionals;
    if (dirs.length === 0) throw new UsageError('give at least one RUN_DIR (the --out directory of a `mellm bench` run)');
    const runs: RunEvaluation[] = [];
    for (const d of dirs) {
      try {
        runs.push(evaluateRun(d));
      } catch (e) {
        throw new UserError((e as Error).message);
      }
    }
    let report: { markdown: string; html: string } | undefined;
    if (parsed.values.report !== undefined) {
      try {
        report = await writeReport(parsed.values.report, runs);
      } catch (e) {
        throw new UserError(`cannot write the report into ${parsed.values.report}: ${(e as Error).message}`);
      }
    }
    if (parsed.values.json) {
      const sideBySide = compareRuns(runs).map((g) => ({ ...g, runs: g.runs.map((i) => runs[i].dir), pairs: g.pairs.map((p) => ({ ...p, a: runs[p.a].dir, b: runs[p.b].dir })) }));
      io.stdout(JSON.stringify({ runs: runs.map(evaluationJson), sideBySide, ...(report ? { report } : {}) }, null, 2) + '\n');
    } else {
      io.stdout(textReport(runs));
      if (report) io.stdout(`\nreport: ${report.html}\n        ${report.markdown}\n`);
    }
    return 0;
  },
};
