// Benchmark reports: Markdown, and one self-contained HTML page (inline CSS + inline SVG figures: no
// scripts, no external resources, a CSP that forbids both) that the VS Code side opens in a webview.
// Every string that reaches the page goes through esc(); numbers go through fixed formatters.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FAILED, NONE, OTHER, UNDETERMINED, UNPARSED, type AuMetrics, type EmotionMetrics } from './metrics';
import type { RunEvaluation } from './evaluate';
import { compareRuns, type RunGroup } from './compare';
import { removeStaleTemps, writeFileAtomic } from '../atomicWrite';
import type { BenchInput, SourceConfig } from './runDir';

/** HTML-escapes text for element content and double- or single-quoted attributes. */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** Escapes a Markdown table cell: pipes, backslashes, and line breaks. */
function md(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ').replace(/([*_`<>[\]])/g, '\\$1');
}

const f4 = (x: number | null): string => (x === null || !Number.isFinite(x) ? '—' : x.toFixed(4));
const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

export function sourceLabel(s: SourceConfig): string {
  if (s.kind === 'builtin') return 'built-in reasoner (offline)';
  return `${s.kind === 'region-text' ? 'region text → ' : ''}${s.model} @ ${s.endpoints.join(', ')}`;
}

/** What the model was given, in words. */
export function inputLabel(input: BenchInput): string {
  return input === 'mmc' ? 'MMC-Map' : input === 'regions' ? 'region statistics as text (a prompt per clip; the SHA-256 is its template\'s)' : 'onset + apex frames';
}

/** Plain-language notes about what the numbers include (failures, exclusions, cut answers). */
export function runNotes(e: RunEvaluation): string[] {
  const m = e.metrics;
  const notes: string[] = [];
  if (e.clips < e.expectedClips) {
    notes.push(`Incomplete run: ${e.clips} of ${e.expectedClips} clips have a result; rerun the same 'mellm bench' command to resume.`);
  }
  if (m.failed > 0) notes.push(`${m.failed} clip(s) got no answer after all retries; they count as wrong (column ${FAILED}). Rerunning retries them.`);
  if (m.unparsed > 0) notes.push(`${m.unparsed} answer(s) named no emotion in the conclusion (parse-failure rate ${pct(m.parseFailureRate)}); they count as wrong (column ${UNPARSED}).`);
  if (m.none > 0) notes.push(`${m.none} answer(s) concluded "no micro-expression found" (abstention rate ${pct(m.abstentionRate)}); every clip holds one, so they count as wrong (column ${NONE}).`);
  if (m.undetermined > 0) notes.push(`${m.undetermined} answer(s) left the class open (a tie or no fitting class); they count as wrong (column ${UNDETERMINED}).`);
  if (m.outsideProtocolPredictions > 0) {
    notes.push(`${m.outsideProtocolPredictions} answer(s) named an emotion outside the protocol's classes; they count as wrong (column ${OTHER}) and are no class's false positive.`);
  }
  for (const c of m.classesWithoutSamples) {
    notes.push(`Class '${c.label}' has no ground-truth samples: left out of the UAR and UF1 means (C = ${m.classes.length - m.classesWithoutSamples.length}); it was predicted ${c.falsePositives} time(s), each counted wrong.`);
  }
  if (m.excludedOutsideProtocol > 0) notes.push(`${m.excludedOutsideProtocol} result(s) with a ground truth outside the protocol were not evaluated.`);
  if (e.incomplete > 0) notes.push(`${e.incomplete} answer(s) were cut before the model finished and were scored as far as they went.`);
  if (e.tornBytes > 0) notes.push(`results.jsonl ends with a torn line (${e.tornBytes} bytes, a crash mid-write); it is ignored and cut off on resume.`);
  if (e.badLines.length > 0) notes.push(`Ignored ${e.badLines.length} malformed line(s) in results.jsonl (line ${e.badLines.slice(0, 5).join(', ')}${e.badLines.length > 5 ? ', …' : ''}).`);
  return notes;
}

// ---------------------------------------------------------------- Markdown

function mdAu(a: AuMetrics): string[] {
  const out = [
    `AU scores, laterality ${a.laterality} (${a.clips} clips with AU labels): micro P ${f4(a.micro.precision)} / R ${f4(a.micro.recall)} / F1 ${f4(a.micro.f1)}, macro F1 ${f4(a.macroF1)}`,
    '',
    '| AU | N | Precision | Recall | F1 | TP | FP | FN |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const s of a.perAu) out.push(`| ${md(s.au)} | ${s.support} | ${f4(s.precision)} | ${f4(s.recall)} | ${f4(s.f1)} | ${s.tp} | ${s.fp} | ${s.fn} |`);
  return out;
}

function mdRun(e: RunEvaluation): string[] {
  const m = e.metrics;
  const c = e.config;
  const out: string[] = [
    `## ${md(e.name)}`,
    '',
    `- Run directory: ${md(e.dir)}`,
    `- Dataset: ${md(c.dataset)} — protocol ${md(c.protocol)}, ${m.classes.length} classes (${m.classes.map(md).join(', ')})`,
    `- Source: ${md(sourceLabel(c.source))}; task ${c.task}; input ${inputLabel(c.input)}; prompt ${c.lang}, SHA-256 ${c.promptSha256}`,
    `- Extension ${md(c.extensionVersion)}; created ${md(c.createdAt)}; ${e.clips}/${e.expectedClips} clips${e.latencyMs ? `; clip time p50 ${e.latencyMs.p50} ms, p95 ${e.latencyMs.p95} ms` : ''}`,
    '',
    '| | UF1 | UAR | ACC |',
    '|---|---:|---:|---:|',
    `| **this run** (N = ${m.n}) | **${f4(m.uf1)}** | **${f4(m.uar)}** | **${f4(m.acc)}** |`,
  ];
  if (e.paper) for (const r of e.paper.rows) out.push(`| ${md(r.model)} (paper Table II, ${md(e.paper.dataset)}) | ${f4(r.uf1)} | ${f4(r.uar)} | ${f4(r.acc)} |`);
  out.push('', `Parse-failure rate ${pct(m.parseFailureRate)} (${m.unparsed} unparsed), ${m.failed} failed, ${m.outsideProtocolPredictions} outside the protocol.`, '');
  out.push('| Class | N | Precision | Recall | F1 | TP | FP | FN |', '|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const s of m.perClass) out.push(`| ${md(s.label)} | ${s.support} | ${f4(s.precision)} | ${f4(s.recall)} | ${f4(s.f1)} | ${s.tp} | ${s.fp} | ${s.fn} |`);
  out.push('', 'Confusion matrix (rows: ground truth; columns: predicted):', '');
  out.push(`| truth \\\\ predicted | ${m.confusion.cols.map(md).join(' | ')} |`, `|---|${m.confusion.cols.map(() => '---:').join('|')}|`);
  m.confusion.rows.forEach((r, i) => out.push(`| ${md(r)} | ${m.confusion.counts[i].join(' | ')} |`));
  if (m.au) out.push('', ...mdAu(m.au.ignored), '', ...mdAu(m.au.respected));
  const notes = runNotes(e);
  if (notes.length > 0) out.push('', 'Notes:', '', ...notes.map((n) => `- ${md(n)}`));
  out.push('');
  return out;
}

// ---------------------------------------------------------------- runs side by side

/** Rows of the side-by-side tables of one group (plain strings; each renderer escapes them). */
function sideBySide(runs: readonly RunEvaluation[], g: RunGroup): { title: string; head: string[]; rows: string[][]; pairHead: string[]; pairRows: string[][]; all: string } {
  const rs = g.runs.map((i) => runs[i]);
  const head = ['', ...rs.map((r) => `${r.name} — ${sourceLabel(r.config.source)}`)];
  const rows: string[][] = [
    ['UF1', ...rs.map((r) => f4(r.metrics.uf1))],
    ['UAR', ...rs.map((r) => f4(r.metrics.uar))],
    ['ACC', ...rs.map((r) => f4(r.metrics.acc))],
    ['unparsed / failed', ...rs.map((r) => `${r.metrics.unparsed} / ${r.metrics.failed}`)],
  ];
  for (const c of rs[0].metrics.classes) {
    rows.push([`F1 ${c} (N = ${rs[0].metrics.perClass.find((s) => s.label === c)?.support ?? 0})`, ...rs.map((r) => f4(r.metrics.perClass.find((s) => s.label === c)?.f1 ?? null))]);
  }
  const pairHead = ['Runs', 'Clips in both', 'Same emotion', 'Both right', 'Only the first right', 'Only the second right', 'Both wrong'];
  const pairRows = g.pairs.map((p) => [
    `${runs[p.a].name} · ${runs[p.b].name}`,
    String(p.common),
    p.common ? `${p.same} (${pct(p.same / p.common)})` : '0',
    String(p.bothRight),
    String(p.onlyA),
    String(p.onlyB),
    String(p.bothWrong),
  ]);
  const all = `All ${rs.length} runs name the same emotion on ${g.allSame} of the ${g.commonToAll} clips they all answered${g.commonToAll ? ` (${pct(g.allSame / g.commonToAll)})` : ''}.`;
  return { title: `Side by side: ${g.protocol} on ${g.dataset}`, head, rows, pairHead, pairRows, all };
}

function mdSideBySide(runs: readonly RunEvaluation[]): string[] {
  const out: string[] = [];
  for (const g of compareRuns(runs)) {
    const t = sideBySide(runs, g);
    out.push(`## ${md(t.title)}`, '', `| ${t.head.map(md).join(' | ')} |`, `|---|${t.head.slice(1).map(() => '---:').join('|')}|`);
    for (const r of t.rows) out.push(`| ${r.map(md).join(' | ')} |`);
    out.push('', 'Clip by clip (unparsed and failed answers agree with nothing):', '', `| ${t.pairHead.join(' | ')} |`, `|---|${t.pairHead.slice(1).map(() => '---:').join('|')}|`);
    for (const r of t.pairRows) out.push(`| ${r.map(md).join(' | ')} |`);
    out.push('', md(t.all), '');
  }
  return out;
}

function htmlSideBySide(runs: readonly RunEvaluation[]): string {
  return compareRuns(runs)
    .map((g) => {
      const t = sideBySide(runs, g);
      return [
        `<section class="side-by-side" data-runs="${g.runs.length}">`,
        `<h2>${esc(t.title)}</h2>`,
        htmlTable(t.head, t.rows),
        '<p>Clip by clip (unparsed and failed answers agree with nothing):</p>',
        htmlTable(t.pairHead, t.pairRows),
        `<p>${esc(t.all)}</p>`,
        '</section>',
      ].join('\n');
    })
    .join('\n');
}

export function renderMarkdown(runs: readonly RunEvaluation[], generatedAt = new Date().toISOString()): string {
  const out: string[] = ['# MELLM Studio benchmark report', '', `Generated ${generatedAt}. Metrics as in the paper (IV-C): ACC, UF1 (mean per-class F1), UAR (mean per-class recall) over the protocol's classes; unparsed and failed answers count as wrong.`, ''];
  out.push('| Run | Protocol | Source | Task | Input | Clips | UF1 | UAR | ACC | Unparsed | Failed |', '|---|---|---|---|---|---:|---:|---:|---:|---:|---:|');
  for (const e of runs) {
    const m = e.metrics;
    out.push(
      `| ${md(e.name)} | ${md(e.config.protocol)} | ${md(sourceLabel(e.config.source))} | ${e.config.task} | ${e.config.input} | ${e.clips}/${e.expectedClips} | ${f4(m.uf1)} | ${f4(m.uar)} | ${f4(m.acc)} | ${m.unparsed} | ${m.failed} |`,
    );
  }
  out.push('');
  out.push(...mdSideBySide(runs));
  for (const e of runs) out.push(...mdRun(e));
  return out.join('\n');
}

// ---------------------------------------------------------------- HTML + SVG

/** Sequential blue scale (0 -> near white, 1 -> dark blue), as an sRGB hex colour. */
export function heatColour(v: number): string {
  const stops: Array<[number, number, number]> = [
    [247, 251, 255],
    [198, 219, 239],
    [107, 174, 214],
    [33, 113, 181],
    [8, 48, 107],
  ];
  const x = Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const t = x - i;
  const c = stops[i].map((a, k) => Math.round(a + (stops[i + 1][k] - a) * t));
  return `#${c.map((n) => n.toString(16).padStart(2, '0')).join('')}`;
}

const CHAR_W = 7; // approximate width of one 12 px sans-serif character, for layout only

/** Confusion-matrix heat map: cell colour = share of the row (the class's ground-truth samples). */
export function confusionSvg(m: EmotionMetrics, runIndex: number): string {
  const cw = 64;
  const ch = 38;
  const left = 16 + CHAR_W * Math.max(...m.confusion.rows.map((r) => r.length), 12);
  const top = 24 + Math.round(0.75 * CHAR_W * Math.max(...m.confusion.cols.map((c) => c.length)));
  const width = left + cw * m.confusion.cols.length + 10;
  const height = top + ch * m.confusion.rows.length + 30;
  const parts: string[] = [
    `<svg class="confusion" data-run="${runIndex}" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="Confusion matrix heat map">`,
  ];
  m.confusion.cols.forEach((c, j) => {
    const x = left + j * cw + cw / 2;
    parts.push(`<text class="col-label" x="${x}" y="${top - 8}" transform="rotate(-40 ${x} ${top - 8})" font-size="12">${esc(c)}</text>`);
  });
  m.confusion.rows.forEach((r, i) => {
    const total = m.confusion.counts[i].reduce((s, x) => s + x, 0);
    const y = top + i * ch;
    parts.push(`<text class="row-label" x="${left - 8}" y="${y + ch / 2 + 4}" text-anchor="end" font-size="12">${esc(r)}</text>`);
    m.confusion.counts[i].forEach((n, j) => {
      const frac = total === 0 ? 0 : n / total;
      const fill = heatColour(frac);
      const ink = frac > 0.5 ? '#ffffff' : '#111111';
      const x = left + j * cw;
      const diag = i === j ? ' diag' : '';
      parts.push(
        `<rect class="cell${diag}" data-row="${i}" data-col="${j}" data-count="${n}" data-frac="${frac.toFixed(4)}" x="${x}" y="${y}" width="${cw - 2}" height="${ch - 2}" fill="${fill}"><title>${esc(`${r} → ${m.confusion.cols[j]}: ${n} of ${total} (${pct(frac)})`)}</title></rect>`,
        `<text x="${x + (cw - 2) / 2}" y="${y + ch / 2 + 4}" text-anchor="middle" font-size="12" fill="${ink}">${n}</text>`,
      );
    });
  });
  parts.push(
    `<text x="${left}" y="${height - 8}" font-size="11" class="axis-note">rows: ground truth · columns: predicted · colour: share of the row</text>`,
    '</svg>',
  );
  return parts.join('');
}

const BAR_COLOURS: Record<string, string> = { precision: '#4e79a7', recall: '#f28e2b', f1: '#59a14f' };

/** Per-class precision / recall / F1 bars on a 0..1 axis. */
export function classBarsSvg(m: EmotionMetrics, runIndex: number): string {
  const bw = 14;
  const group = bw * 3 + 18;
  const left = 40;
  const top = 28;
  const plotH = 180;
  const width = left + group * m.perClass.length + 20;
  const height = top + plotH + 70;
  const parts: string[] = [
    `<svg class="class-bars" data-run="${runIndex}" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="Per-class precision, recall and F1">`,
  ];
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {
    const y = top + plotH * (1 - t);
    parts.push(`<line x1="${left}" x2="${width - 10}" y1="${y}" y2="${y}" stroke="#999999" stroke-width="${t === 0 ? 1 : 0.4}"/>`, `<text x="${left - 6}" y="${y + 4}" text-anchor="end" font-size="10">${t.toFixed(2)}</text>`);
  }
  let lx = left;
  for (const k of ['precision', 'recall', 'f1']) {
    parts.push(`<rect x="${lx}" y="6" width="10" height="10" fill="${BAR_COLOURS[k]}"/><text x="${lx + 14}" y="15" font-size="11">${k === 'f1' ? 'F1' : k}</text>`);
    lx += 80;
  }
  m.perClass.forEach((c, i) => {
    const gx = left + 10 + i * group;
    const vals: Array<[string, number | null]> = [
      ['precision', c.precision],
      ['recall', c.recall],
      ['f1', c.f1],
    ];
    vals.forEach(([k, v], j) => {
      const h = v === null ? 0 : Math.max(0, Math.min(1, v)) * plotH;
      parts.push(
        `<rect class="bar" data-metric="${k}" data-class="${esc(c.label)}" data-value="${v === null ? '' : v.toFixed(4)}" x="${gx + j * bw}" y="${top + plotH - h}" width="${bw - 2}" height="${h}" fill="${BAR_COLOURS[k]}"><title>${esc(`${c.label} ${k}: ${f4(v)}`)}</title></rect>`,
      );
    });
    const lxC = gx + (bw * 3) / 2;
    const ly = top + plotH + 14;
    parts.push(`<text x="${lxC}" y="${ly}" text-anchor="end" font-size="11" transform="rotate(-30 ${lxC} ${ly})">${esc(c.support === 0 ? `${c.label} (N=0)` : c.label)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

/** UF1 / UAR / ACC of the runs beside the paper's Table II rows for the first run's protocol. */
export function comparisonSvg(runs: readonly RunEvaluation[]): string {
  const series: Array<{ label: string; uf1: number; uar: number; acc: number; paper: boolean }> = runs.map((e) => ({
    label: e.name,
    uf1: e.metrics.uf1,
    uar: e.metrics.uar,
    acc: e.metrics.acc,
    paper: false,
  }));
  const paper = runs.find((e) => e.paper)?.paper;
  if (paper) for (const r of paper.rows) series.push({ label: `${r.model} (paper, ${paper.dataset})`, uf1: r.uf1, uar: r.uar, acc: r.acc, paper: true });
  const palette = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
  const bw = 12;
  const group = bw * series.length + 24;
  const left = 40;
  const top = 16;
  const plotH = 160;
  const legendRows = series.length;
  const width = Math.max(left + group * 3 + 20, 360);
  const height = top + plotH + 30 + legendRows * 16 + 10;
  const parts: string[] = [
    `<svg class="comparison" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="UF1, UAR and ACC beside the paper">`,
  ];
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {
    const y = top + plotH * (1 - t);
    parts.push(`<line x1="${left}" x2="${width - 10}" y1="${y}" y2="${y}" stroke="#999999" stroke-width="${t === 0 ? 1 : 0.4}"/>`, `<text x="${left - 6}" y="${y + 4}" text-anchor="end" font-size="10">${t.toFixed(2)}</text>`);
  }
  (['uf1', 'uar', 'acc'] as const).forEach((k, g) => {
    const gx = left + 12 + g * group;
    series.forEach((s, j) => {
      const h = Math.max(0, Math.min(1, s[k])) * plotH;
      const colour = palette[j % palette.length];
      parts.push(
        `<rect class="cmp-bar" data-metric="${k}" data-series="${j}" data-value="${s[k].toFixed(4)}" x="${gx + j * bw}" y="${top + plotH - h}" width="${bw - 2}" height="${h}" fill="${colour}"${s.paper ? ' fill-opacity="0.55" stroke="#333333" stroke-dasharray="2 2"' : ''}><title>${esc(`${s.label} ${k.toUpperCase()}: ${f4(s[k])}`)}</title></rect>`,
      );
    });
    parts.push(`<text x="${gx + (bw * series.length) / 2}" y="${top + plotH + 16}" text-anchor="middle" font-size="12">${k.toUpperCase()}</text>`);
  });
  series.forEach((s, j) => {
    const y = top + plotH + 30 + j * 16;
    parts.push(`<rect x="${left}" y="${y}" width="10" height="10" fill="${palette[j % palette.length]}"${s.paper ? ' fill-opacity="0.55"' : ''}/><text x="${left + 16}" y="${y + 9}" font-size="11">${esc(s.label)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

function htmlTable(head: string[], rows: string[][], numericFrom = 1): string {
  const th = head.map((h, i) => `<th${i >= numericFrom ? ' class="num"' : ''}>${esc(h)}</th>`).join('');
  const trs = rows.map((r) => `<tr>${r.map((c, i) => `<td${i >= numericFrom ? ' class="num"' : ''}>${esc(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${trs}\n</tbody></table>`;
}

function htmlAu(a: AuMetrics): string {
  return (
    `<p>AU scores, laterality ${esc(a.laterality)} (${a.clips} clips with AU labels): micro precision ${f4(a.micro.precision)}, recall ${f4(a.micro.recall)}, F1 ${f4(a.micro.f1)}; macro F1 ${f4(a.macroF1)}.</p>` +
    htmlTable(
      ['AU', 'N', 'Precision', 'Recall', 'F1', 'TP', 'FP', 'FN'],
      a.perAu.map((s) => [s.au, String(s.support), f4(s.precision), f4(s.recall), f4(s.f1), String(s.tp), String(s.fp), String(s.fn)]),
    )
  );
}

function htmlRun(e: RunEvaluation, i: number): string {
  const m = e.metrics;
  const c = e.config;
  const headline: string[][] = [[`this run (N = ${m.n})`, f4(m.uf1), f4(m.uar), f4(m.acc)]];
  if (e.paper) for (const r of e.paper.rows) headline.push([`${r.model} (paper Table II, ${e.paper.dataset})`, f4(r.uf1), f4(r.uar), f4(r.acc)]);
  const notes = runNotes(e);
  return [
    `<section class="run" id="run-${i}">`,
    `<h2>${esc(e.name)}</h2>`,
    '<dl>',
    `<dt>Run directory</dt><dd>${esc(e.dir)}</dd>`,
    `<dt>Dataset</dt><dd>${esc(c.dataset)} — protocol ${esc(c.protocol)}, ${m.classes.length} classes (${esc(m.classes.join(', '))})</dd>`,
    `<dt>Source</dt><dd>${esc(sourceLabel(c.source))}</dd>`,
    `<dt>Task / input</dt><dd>${esc(c.task)} / ${inputLabel(c.input)}; prompt ${esc(c.lang)}, SHA-256 <code>${esc(c.promptSha256)}</code></dd>`,
    `<dt>Clips</dt><dd>${e.clips} of ${e.expectedClips}${e.latencyMs ? `; clip time p50 ${e.latencyMs.p50} ms, p95 ${e.latencyMs.p95} ms` : ''}</dd>`,
    `<dt>Extension</dt><dd>${esc(c.extensionVersion)}; run created ${esc(c.createdAt)}</dd>`,
    '</dl>',
    htmlTable(['', 'UF1', 'UAR', 'ACC'], headline),
    `<p>Parse-failure rate ${pct(m.parseFailureRate)} (${m.unparsed} unparsed); ${m.failed} failed; ${m.outsideProtocolPredictions} outside the protocol.</p>`,
    notes.length > 0 ? `<ul class="notes">${notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : '',
    '<div class="figs">',
    `<figure><figcaption>Confusion matrix</figcaption>${confusionSvg(m, i)}</figure>`,
    `<figure><figcaption>Per-class precision, recall, F1</figcaption>${classBarsSvg(m, i)}</figure>`,
    '</div>',
    htmlTable(
      ['Class', 'N', 'Precision', 'Recall', 'F1', 'TP', 'FP', 'FN'],
      m.perClass.map((s) => [s.label, String(s.support), f4(s.precision), f4(s.recall), f4(s.f1), String(s.tp), String(s.fp), String(s.fn)]),
    ),
    m.au ? `<h3>Action units</h3>${htmlAu(m.au.ignored)}${htmlAu(m.au.respected)}` : '',
    '</section>',
  ].join('\n');
}

const CSS = `
body{font-family:var(--vscode-font-family,system-ui,-apple-system,"Segoe UI",sans-serif);color:var(--vscode-foreground,#1e1e1e);background:var(--vscode-editor-background,#ffffff);margin:1.5rem;line-height:1.4}
h1{font-size:1.4rem}h2{font-size:1.2rem;border-bottom:1px solid #8884;padding-bottom:.2rem;margin-top:2rem}
table{border-collapse:collapse;margin:.6rem 0}th,td{border:1px solid #8886;padding:.2rem .5rem;text-align:left}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.15rem .8rem}dt{font-weight:600}dd{margin:0;word-break:break-all}
.figs{display:flex;flex-wrap:wrap;gap:1.5rem;align-items:flex-start}
figure{margin:0;background:#ffffff;color:#111111;padding:.5rem;border-radius:4px}figure text{fill:#111111}
figcaption{font-weight:600;margin-bottom:.3rem}.side-by-side td:first-child{white-space:nowrap}.notes li{margin:.15rem 0}code{word-break:break-all}
`;

/** The whole report as one HTML document: no scripts, no external resources. */
export function renderHtml(runs: readonly RunEvaluation[], generatedAt = new Date().toISOString()): string {
  const summary = htmlTable(
    ['Run', 'Protocol', 'Source', 'Task', 'Input', 'Clips', 'UF1', 'UAR', 'ACC', 'Unparsed', 'Failed'],
    runs.map((e) => [
      e.name,
      e.config.protocol,
      sourceLabel(e.config.source),
      e.config.task,
      e.config.input,
      `${e.clips}/${e.expectedClips}`,
      f4(e.metrics.uf1),
      f4(e.metrics.uar),
      f4(e.metrics.acc),
      String(e.metrics.unparsed),
      String(e.metrics.failed),
    ]),
    5,
  );
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(`MELLM benchmark: ${runs.map((r) => r.name).join(', ')}`)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    '<h1>MELLM Studio benchmark report</h1>',
    `<p>Generated ${esc(generatedAt)}. ACC, UF1 (mean per-class F1) and UAR (mean per-class recall) over the protocol's classes, as in the paper (IV-C); unparsed and failed answers count as wrong.</p>`,
    summary,
    `<figure><figcaption>UF1 / UAR / ACC beside the paper (Table II)</figcaption>${comparisonSvg(runs)}</figure>`,
    htmlSideBySide(runs),
    ...runs.map((e, i) => htmlRun(e, i)),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** Writes OUT_DIR/report.md and OUT_DIR/report.html (each via temp file + rename). Returns their paths. */
export async function writeReport(
  outDir: string,
  runs: readonly RunEvaluation[],
  generatedAt = new Date().toISOString(),
): Promise<{ markdown: string; html: string }> {
  fs.mkdirSync(outDir, { recursive: true });
  const markdown = path.join(outDir, 'report.md');
  const html = path.join(outDir, 'report.html');
  await removeStaleTemps(path.dirname(markdown), 0);
  await writeFileAtomic(markdown, renderMarkdown(runs, generatedAt));
  await writeFileAtomic(html, renderHtml(runs, generatedAt));
  return { markdown, html };
}
