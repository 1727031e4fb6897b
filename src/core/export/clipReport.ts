// A clip's report, as a folder a researcher can attach or diff: report.md (frames, map, head motion,
// annotation, each answer with its claim verdicts and the AU/emotion summary against the annotation), the
// onset and apex frames, the MMC-Map, the flow colours and the raw TV-L1 flow as a Middlebury .flo.
// Every file is written temp + rename; the report is written last, so a report.md always has its images.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { writeFileAtomic } from '../atomicWrite';
import { encodeFlo, type FlowField } from '../flo';
import type { AnalysisResult, AuCheck, AuRef, AuVerdict, ClaimStatus } from '../../shared/protocol';

export interface ReportImage {
  mime: 'image/png' | 'image/jpeg';
  bytes: Uint8Array;
}

export interface ReportLane {
  /** "Built-in FACS reasoner", "MELLM @ http://gpu1:8000 (mellm)". */
  label: string;
  text: string;
  result: AnalysisResult;
  incomplete?: boolean;
  /** The prompt the answer was given: its preset name and the SHA-256 of its text. */
  prompt?: { preset: string; sha256: string };
}

export interface ClipReportInput {
  title: string;
  clipId: string;
  onsetPath: string;
  apexPath: string;
  onset: ReportImage;
  apex: ReportImage;
  mapPng: Uint8Array;
  flowOnlyPng?: Uint8Array;
  /** Raw flow onset -> apex (before head-motion compensation); written as flow.flo. */
  flow?: FlowField;
  head: { u: number; v: number };
  nose: { x: number; y: number } | null;
  groundTruth?: { emotion?: string; aus?: AuRef[] };
  warnings: string[];
  lanes: ReportLane[];
  /** ISO time (a parameter so tests get fixed bytes). */
  generatedAt: string;
}

const VERDICT: Record<ClaimStatus, string> = {
  supported: '✓ supported',
  contradicted: '✗ contradicted',
  'not-checkable': '– not checkable',
  // The built-in reasoner writes its text from the measurement: agreeing with it is no evidence.
  measured: '= restates the measurement',
};
const AU_VERDICT: Record<AuVerdict, string> = { ...VERDICT, unconfirmed: '? regions move, AU not confirmed' };
const auCheck = (c: AuCheck) => `${c.side ?? ''}AU${c.au} ${AU_VERDICT[c.verdict]}`;
const fmtAu = (a: AuRef) => `${a.side ?? ''}AU${a.au}`;
/** Markdown-safe one line: model output and file names may hold pipes, backticks, brackets, newlines. */
const cell = (s: string) => s.replace(/\s+/g, ' ').replace(/([\\`*_[\]|<>])/g, '\\$1').trim();
const code = (s: string) => '`' + s.replace(/`/g, "'") + '`';

/** The AU/emotion summary of one answer against the annotation (when there is one). */
export function agreement(r: AnalysisResult, gt?: { emotion?: string; aus?: AuRef[] }): { emotion: string; aus: string } {
  const emotion = !gt?.emotion ? '—' : r.emotion === 'unparsed' ? 'unparsed (counts as wrong)' : r.emotion === gt.emotion ? '✓ matches the annotation' : `✗ annotation: ${gt.emotion}`;
  if (!gt?.aus?.length) return { emotion, aus: '—' };
  const truth = new Set(gt.aus.map((a) => a.au));
  const said = new Set(r.aus.map((a) => a.au));
  const hit = [...said].filter((a) => truth.has(a));
  const missed = [...truth].filter((a) => !said.has(a));
  const extra = [...said].filter((a) => !truth.has(a));
  const parts = [`${hit.length}/${truth.size} of the annotated AUs`];
  if (missed.length) parts.push(`missed ${missed.map((a) => `AU${a}`).join(', ')}`);
  if (extra.length) parts.push(`not annotated ${extra.map((a) => `AU${a}`).join(', ')}`);
  return { emotion, aus: parts.join('; ') };
}

export function renderClipReport(input: ClipReportInput, files: { onset: string; apex: string; map: string; flowOnly?: string; flo?: string }): string {
  const gt = input.groundTruth;
  const out: string[] = [
    `# MELLM report: ${cell(input.title)}`,
    '',
    `Generated ${input.generatedAt} by MELLM Studio.`,
    '',
    `- Clip: ${code(input.clipId)}`,
    `- Onset: ${code(input.onsetPath)}`,
    `- Apex: ${code(input.apexPath)}`,
    `- Head motion subtracted: u ${input.head.u.toFixed(3)} px, v ${input.head.v.toFixed(3)} px${input.nose ? ` (11 x 11 window at the nose tip ${input.nose.x}, ${input.nose.y})` : ' (no face: not compensated)'}`,
    `- Annotation: ${gt?.emotion ?? '—'}${gt?.aus?.length ? `, AUs ${gt.aus.map(fmtAu).join(' + ')}` : ''}`,
    ...input.warnings.map((w) => `- Warning: ${cell(w)}`),
    '',
    '| Onset | Apex | MMC-Map |',
    '|---|---|---|',
    `| ![onset](${files.onset}) | ![apex](${files.apex}) | ![MMC-Map](${files.map}) |`,
    '',
  ];
  if (files.flowOnly || files.flo) {
    const bits = [files.flowOnly ? `flow colours alone: [${files.flowOnly}](${files.flowOnly})` : '', files.flo ? `raw TV-L1 flow onset → apex (Middlebury .flo, before head-motion compensation): [${files.flo}](${files.flo})` : ''];
    out.push(`Also here: ${bits.filter(Boolean).join('; ')}.`, '');
  }
  if (input.lanes.length > 1) {
    out.push('## Summary', '', '| Source | AUs | Emotion | vs annotation (emotion) | vs annotation (AUs) | Claims ✓ / ✗ / – / = |', '|---|---|---|---|---|---|');
    for (const l of input.lanes) {
      const a = agreement(l.result, gt);
      const n = (s: ClaimStatus) => l.result.claims.filter((c) => c.status === s).length;
      out.push(`| ${cell(l.label)} | ${l.result.aus.map(fmtAu).join(' + ') || '—'} | ${cell(l.result.emotion)} | ${a.emotion} | ${a.aus} | ${n('supported')} / ${n('contradicted')} / ${n('not-checkable')} / ${n('measured')} |`);
    }
    out.push('');
  }
  for (const l of input.lanes) {
    const a = agreement(l.result, gt);
    out.push(`## ${cell(l.label)}`, '');
    out.push(`- Emotion: **${cell(l.result.emotionLabel ?? l.result.emotion)}** (${l.result.emotion}) — ${a.emotion}`);
    out.push(`- AUs: ${l.result.aus.map(fmtAu).join(' + ') || '—'} — ${a.aus}`);
    if (l.result.auChecks?.length) out.push(`- AUs against the measured motion: ${l.result.auChecks.map(auCheck).join('; ')}`);
    if (l.prompt) out.push(`- Prompt: \`${cell(l.prompt.preset)}\` (SHA-256 \`${cell(l.prompt.sha256)}\`)`);
    if (l.incomplete) out.push('- The answer was cut before the model finished: scored as far as it went.');
    out.push('');
    if (l.result.claims.length) {
      out.push('| Claim in the answer | Region | Verdict | Measured |', '|---|---|---|---|');
      for (const c of l.result.claims) out.push(`| ${cell(l.text.slice(c.start, c.end))} | ${cell(c.region ?? '—')} | ${VERDICT[c.status]} | ${cell(c.note ?? '')} |`);
      out.push('');
    } else out.push('No region claim could be checked in this answer.', '');
    // The answer verbatim, fenced so its Markdown cannot restyle the report (a longer fence than any inside).
    const fence = '`'.repeat(Math.max(3, ...[...l.text.matchAll(/`+/g)].map((m) => m[0].length + 1)));
    out.push('<details><summary>Answer</summary>', '', fence + 'text', l.text.trim(), fence, '', '</details>', '');
  }
  return out.join('\n');
}

const ext = (m: ReportImage['mime']) => (m === 'image/png' ? 'png' : 'jpg');

/** Writes the report folder `dir` (created). Returns the files written, report.md first. */
export async function writeClipReport(dir: string, input: ClipReportInput): Promise<string[]> {
  await fs.mkdir(dir, { recursive: true });
  const files = {
    onset: `onset.${ext(input.onset.mime)}`,
    apex: `apex.${ext(input.apex.mime)}`,
    map: 'mmc-map.png',
    ...(input.flowOnlyPng ? { flowOnly: 'flow-colours.png' } : {}),
    ...(input.flow ? { flo: 'flow.flo' } : {}),
  };
  const written: string[] = [];
  const put = async (name: string, data: Uint8Array | string) => {
    const p = path.join(dir, name);
    await writeFileAtomic(p, data);
    written.push(p);
  };
  await put(files.onset, input.onset.bytes);
  await put(files.apex, input.apex.bytes);
  await put(files.map, input.mapPng);
  if (input.flowOnlyPng && files.flowOnly) await put(files.flowOnly, input.flowOnlyPng);
  if (input.flow && files.flo) await put(files.flo, encodeFlo(input.flow));
  await put('report.md', renderClipReport(input, files));
  return [written.pop()!, ...written];
}
