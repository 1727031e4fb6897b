// The clip report folder: every file written (report.md last, listed first), the .flo readable back, claim
// verdicts and the AU/emotion agreement in report.md, model text unable to restyle the report.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agreement, writeClipReport, type ClipReportInput } from '../../src/core/export/clipReport';
import { decodeFlo } from '../../src/core/flo';

const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);

function input(): ClipReportInput {
  const text = 'Lip corner | moves `up` and **right**\n```\ninjected fence\n```\nConclusion: happiness';
  return {
    title: 'sA / c01',
    clipId: 'ds5/sA/c01',
    onsetPath: '/d/sA/c01/img1.png',
    apexPath: '/d/sA/c01/img2.png',
    onset: { mime: 'image/png', bytes: png },
    apex: { mime: 'image/jpeg', bytes: new Uint8Array([0xff, 0xd8, 0xff, 9]) },
    mapPng: png,
    flowOnlyPng: png,
    flow: { width: 3, height: 2, u: new Float32Array([0, 1, 2, 3, 4, 5]), v: new Float32Array([-1, -2, -3, -4, -5, -6]) },
    head: { u: 0.5, v: -0.25 },
    nose: { x: 1, y: 1 },
    groundTruth: { emotion: 'happiness', aus: [{ au: 6 }, { au: 12 }] },
    warnings: ['apex spotted automatically'],
    lanes: [
      {
        label: 'MELLM @ http://gpu1:8000 (mellm)',
        text,
        result: {
          aus: [{ au: 12 }, { au: 4 }],
          emotion: 'happiness',
          emotionLabel: '开心',
          claims: [
            { start: 0, end: text.indexOf('\n'), status: 'supported', region: 'lipCornerR', note: 'moves up-right 1.2 px' },
            { start: 0, end: 10, status: 'contradicted', region: 'innerBrowL', note: 'still' },
          ],
          auRegions: {},
          auChecks: [{ au: 12, verdict: 'supported', why: 'inferred', measured: [] }],
        },
      },
      { label: 'Built-in FACS reasoner', text: 'no claims', result: { aus: [], emotion: 'unparsed', claims: [], auRegions: {} } },
    ],
    generatedAt: '2026-12-01T00:00:00.000Z',
  };
}

test('clip report: the folder holds frames, map, flow colours, .flo and report.md (written last, listed first)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mellm-report-'));
  try {
    const files = await writeClipReport(join(dir, 'c01'), input());
    assert.deepEqual(files.map((f) => f.slice(dir.length + 5)), ['report.md', 'onset.png', 'apex.jpg', 'mmc-map.png', 'flow-colours.png', 'flow.flo']);
    assert.deepEqual(readdirSync(join(dir, 'c01')).sort(), ['apex.jpg', 'flow-colours.png', 'flow.flo', 'mmc-map.png', 'onset.png', 'report.md'], 'no temp file left');
    const flo = decodeFlo(readFileSync(join(dir, 'c01', 'flow.flo')));
    assert.deepEqual([flo.width, flo.height, [...flo.u], [...flo.v]], [3, 2, [0, 1, 2, 3, 4, 5], [-1, -2, -3, -4, -5, -6]]);
    const md = readFileSync(files[0], 'utf8');
    assert.match(md, /\| !\[onset\]\(onset\.png\) \| !\[apex\]\(apex\.jpg\) \| !\[MMC-Map\]\(mmc-map\.png\) \|/);
    assert.match(md, /Head motion subtracted: u 0\.500 px, v -0\.250 px \(11 x 11 window at the nose tip 1, 1\)/);
    assert.match(md, /\| MELLM @ http:\/\/gpu1:8000 \(mellm\) \| AU12 \+ AU4 \| happiness \| ✓ matches the annotation \| 1\/2 of the annotated AUs; missed AU6; not annotated AU4 \| 1 \/ 1 \/ 0 \/ 0 \|/);
    assert.match(md, /\| Built-in FACS reasoner \| — \| unparsed \| unparsed \(counts as wrong\) \|/);
    assert.match(md, /- Emotion: \*\*开心\*\* \(happiness\)/);
    assert.match(md, /AUs against the measured motion: AU12 ✓ supported/);
    // The claim's text is escaped in its table cell: its pipe and backticks cannot break the row.
    assert.match(md, /\| Lip corner \\\| moves \\`up\\` and \\\*\\\*right\\\*\\\* \| lipCornerR \| ✓ supported \| moves up-right 1\.2 px \|/);
    assert.match(md, /\| innerBrowL \| ✗ contradicted \| still \|/);
    // The answer verbatim inside a fence longer than any fence in it.
    assert.match(md, /````text\nLip corner/);
    assert.match(md, /No region claim could be checked in this answer\./);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('clip report: agreement with the annotation, and without one', () => {
  const r = { aus: [{ au: 6 }, { au: 12 }], emotion: 'surprise', claims: [], auRegions: {} };
  assert.deepEqual(agreement(r, { emotion: 'happiness', aus: [{ au: 6 }, { au: 12 }] }), { emotion: '✗ annotation: happiness', aus: '2/2 of the annotated AUs' });
  assert.deepEqual(agreement(r, undefined), { emotion: '—', aus: '—' });
});

test('clip report: a folder that cannot be made is an error naming the path', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mellm-report-'));
  try {
    // A file where the folder should go.
    writeFileSync(join(dir, 'taken'), 'x');
    await assert.rejects(writeClipReport(join(dir, 'taken', 'c01'), input()), (e: Error) => e.message.includes(join(dir, 'taken')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
