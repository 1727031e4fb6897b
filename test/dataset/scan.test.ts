import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { scanDataset } from '../../src/core/dataset/scan';
import { DatasetError, type Clip, type ScanResult } from '../../src/core/dataset/types';
import { range, tmpDir, touchFrames, writeCsv, writeXlsx } from './helpers';

function clip(res: ScanResult, id: string): Clip {
  const c = res.clips.find((x) => x.id === id);
  assert.ok(c, `clip ${id} in ${res.clips.map((x) => x.id).join(', ')}`);
  return c;
}

test('CASME II: odd coding sheet (notes above the header, renamed columns, merged subject cells, "/" apex, empty rows)', async () => {
  const root = tmpDir('casme2');
  const raw = path.join(root, 'CASME2-RAW');
  touchFrames(path.join(raw, 'sub01', 'EP02_01f'), range(40, 60).map((n) => `img${n}.jpg`));
  // Cropped frames beside the raw ones: the raw img{N} family wins.
  touchFrames(path.join(raw, 'sub01', 'EP02_01f'), range(40, 60).map((n) => `reg_img${n}.jpg`));
  touchFrames(path.join(raw, 'sub01', 'EP03_02'), range(1, 30).map((n) => `img${String(n).padStart(3, '0')}.jpg`));
  touchFrames(path.join(raw, 'sub02', 'EP01_11f'), range(10, 20).filter((n) => n !== 12).map((n) => `img${n}.jpg`));
  touchFrames(path.join(raw, 'sub02', 'EP05_03'), range(100, 110).map((n) => `img${n}.jpg`));
  touchFrames(path.join(raw, 'sub02', 'EP06_01'), range(1, 5).map((n) => `img${n}.jpg`));
  await writeXlsx(path.join(root, 'CASME2-coding-20140508.xlsx'), [
    { name: 'ReadMe', rows: [['This workbook holds the CASME II codes']] },
    {
      name: 'Sheet1',
      rows: [
        ['CASME II coding, release 2014-05-08'],
        ['Note: frame numbers refer to CASME2-RAW'],
        [],
        ['Subject', 'Filename', 'Onset Frame', 'Apex_frame', 'OffsetFrame', 'Action Units', 'Estimated  Emotion'],
        [1, 'EP02_01f', 46, 59, 60, '12', 'happiness'],
        [null, 'EP03_02', 2, '/', 25, 'L1+R2', 'Surprise'],
        [],
        ['02', 'EP01_11f', 12, 15, 19, 'AU4 + AU7', 'disgust'],
        [null, 'EP05_03', 101, 170, 110, '?', 'others'],
        [null, 'EP09_09', 1, 2, 3, '4', 'fear'],
        [null, 'EP06_01', 'x1', 2, 3, '4', 'fear'],
        [],
        ['Total: 5 clips'],
      ],
      merges: ['A8:A11'],
    },
  ]);
  const res = await scanDataset(root);
  assert.equal(res.kind, 'casme2');
  assert.equal(res.dataset, 'casme2');
  assert.equal(res.annotation?.sheet, 'Sheet1');
  assert.equal(res.annotation?.headerRow, 4);
  assert.equal(res.annotation?.columns.apex, 'Apex_frame');
  assert.equal(res.annotation?.columns.emotion, 'Estimated  Emotion');
  assert.deepEqual(res.clips.map((c) => c.id), ['casme2/sub01/EP02_01f', 'casme2/sub01/EP03_02', 'casme2/sub02/EP01_11f']);

  const a = clip(res, 'casme2/sub01/EP02_01f');
  assert.equal(a.subject, 'sub01');
  assert.equal(a.clip, 'EP02_01f');
  assert.equal(a.dir, path.join(raw, 'sub01', 'EP02_01f'));
  assert.equal(a.frameCount, 21);
  assert.deepEqual(a.onset, { frame: 46, file: path.join(raw, 'sub01', 'EP02_01f', 'img46.jpg') });
  assert.deepEqual(a.apex, { frame: 59, file: path.join(raw, 'sub01', 'EP02_01f', 'img59.jpg') });
  assert.equal(a.offset, 60);
  assert.equal(a.emotion, 'happiness');
  assert.deepEqual(a.aus, [{ au: 12, side: 'both' }]);
  assert.deepEqual(a.source, { file: path.join(root, 'CASME2-coding-20140508.xlsx'), sheet: 'Sheet1', row: 5 });
  assert.deepEqual(a.warnings, []);

  // Row 6 leaves the subject blank: it repeats the subject above.
  const b = clip(res, 'casme2/sub01/EP03_02');
  assert.equal(b.onset.file, path.join(raw, 'sub01', 'EP03_02', 'img002.jpg'), 'zero-padded frame names');
  assert.equal(b.apex, null, '"/" means no apex');
  assert.match(b.warnings.join('\n'), /no apex frame annotated/);
  assert.deepEqual(b.aus, [{ au: 1, side: 'L' }, { au: 2, side: 'R' }]);
  assert.equal(b.emotion, 'surprise');

  // Onset 12 is missing: the nearest frame within 2 is used, with a warning.
  const c = clip(res, 'casme2/sub02/EP01_11f');
  assert.equal(c.onset.frame, 11);
  assert.match(c.warnings.join('\n'), /onset frame 12 is missing .* using frame 11/);
  assert.deepEqual(c.aus, [{ au: 4, side: 'both' }, { au: 7, side: 'both' }]);

  const errs = Object.fromEntries(res.errors.map((e) => [e.id, e.message]));
  assert.match(errs['casme2/sub02/EP05_03'], /row 9: apex frame 170 not found .*frames 100\.\.110/);
  assert.match(errs['casme2/sub02/EP09_09'], /clip folder 'EP09_09' not found/);
  assert.match(errs['casme2/sub02/EP06_01'], /onset frame 'x1' is not a frame number/);
  assert.equal(res.errors.length, 3);

  // Protocol: 5 classes; 'others' is out, errors are out with their reason.
  assert.deepEqual(res.protocol?.included, ['casme2/sub01/EP02_01f', 'casme2/sub01/EP03_02', 'casme2/sub02/EP01_11f']);
  assert.deepEqual(res.protocol?.classes, ['happiness', 'sadness', 'fear', 'surprise', 'disgust']);
  const ex = res.protocol?.excluded.find((e) => e.id === 'casme2/sub02/EP05_03');
  assert.match(ex?.reason ?? '', /^unusable: /);
});

test('merged cells: a subject cell merged over several rows applies to each row', async () => {
  const root = tmpDir('merged');
  touchFrames(path.join(root, 'sub03', 'EP01_01'), range(1, 9).map((n) => `img${n}.jpg`));
  touchFrames(path.join(root, 'sub03', 'EP01_02'), range(1, 9).map((n) => `img${n}.jpg`));
  await writeXlsx(path.join(root, 'coding.xlsx'), [
    {
      name: 'codes',
      rows: [
        ['Subject', 'Filename', 'OnsetFrame', 'ApexFrame', 'OffsetFrame', 'Action Units', 'Estimated Emotion'],
        [3, 'EP01_01', 1, 5, 9, '4', 'Sadness'],
        [null, 'EP01_02', 2, 6, 9, '4', 'repression'],
      ],
      merges: ['A2:A3'],
    },
  ]);
  const res = await scanDataset(root);
  assert.deepEqual(res.clips.map((c) => c.id), ['casme2/sub03/EP01_01', 'casme2/sub03/EP01_02']);
  assert.equal(res.clips[1].emotion, 'repression');
  assert.deepEqual(res.protocol?.excluded, [
    { id: 'casme2/sub03/EP01_02', emotion: 'repression', reason: "'repression' is not one of the casme2 classes (happiness, sadness, fear, surprise, disgust)" },
  ]);
});

test('a sheet without an apex column: the error names the column, file, sheet and header row', async () => {
  const root = tmpDir('nocol');
  touchFrames(path.join(root, 'sub01', 'EP01'), range(1, 5).map((n) => `img${n}.jpg`));
  await writeXlsx(path.join(root, 'coding.xlsx'), [
    { name: 'S', rows: [['notes'], ['Subject', 'Filename', 'Onset', 'Offset', 'Emotion'], [1, 'EP01', 1, 5, 'happiness']] },
  ]);
  await assert.rejects(scanDataset(root), (e: unknown) => {
    assert.ok(e instanceof DatasetError);
    assert.match(e.message, /^missing column 'ApexFrame' in .*coding\.xlsx \(sheet 'S'\), header row 2: name a column one of 'ApexFrame', 'apex'/);
    return true;
  });
});

test('SAMM: notes above the header, 3-digit subject folders, zero-padded frame numbers, objective classes', async () => {
  const root = tmpDir('samm');
  touchFrames(path.join(root, 'SAMM', '006', '006_1_2'), range(5560, 5600).map((n) => `006_${String(n).padStart(5, '0')}.jpg`));
  touchFrames(path.join(root, 'SAMM', '011', '011_2_3'), range(800, 820).map((n) => `011_${String(n).padStart(5, '0')}.jpg`));
  await writeXlsx(path.join(root, 'SAMM_Micro_FACS_Codes_v2.xlsx'), [
    {
      name: 'FACS_Movement_Only',
      rows: [
        ['SAMM micro-movement FACS codes'],
        ['Coded by two certified FACS coders'],
        ['Inducement code refers to the stimulus'],
        [],
        ['Subject', 'Filename', 'Inducement Code', 'Onset Frame', 'Apex Frame', 'Offset Frame', 'Duration', 'Type', 'Action Units', 'Notes', 'Estimated Emotion', 'Objective Classes'],
        ['006', '006_1_2', 1, 5562, 5588, 5599, 37, 'Micro - 1/2', 'R14A+AU12', '', 'Contempt', 4],
        [11, '011_2_3', 2, 801, 810, 819, 18, 'Micro - 1/2', '4+7', '', 'Anger', 1],
      ],
    },
  ]);
  const res = await scanDataset(root);
  assert.equal(res.kind, 'samm');
  assert.equal(res.annotation?.headerRow, 5);
  assert.equal(res.protocol, undefined);
  assert.deepEqual(res.clips.map((c) => c.id), ['samm/006/006_1_2', 'samm/011/011_2_3']);
  const a = res.clips[0];
  assert.deepEqual(a.onset, { frame: 5562, file: path.join(root, 'SAMM', '006', '006_1_2', '006_05562.jpg') });
  assert.deepEqual(a.apex, { frame: 5588, file: path.join(root, 'SAMM', '006', '006_1_2', '006_05588.jpg') });
  assert.deepEqual(a.aus, [{ au: 14, side: 'R', intensity: 'A' }, { au: 12, side: 'both' }]);
  assert.equal(a.emotion, 'contempt');
  assert.equal(a.objectiveClass, '4');
  assert.equal(res.clips[1].subject, '011');
  assert.equal(res.clips[1].emotion, 'anger');
});

test('CAS(ME)^3 part A: spNO.N subjects, frames in a color sub-folder, 6-class protocol', async () => {
  const root = tmpDir('casme3');
  const base = path.join(root, 'part_A', 'data');
  touchFrames(path.join(base, 'spNO.1', 'a', 'color'), range(0, 40).map((n) => `${n}.jpg`));
  touchFrames(path.join(base, 'spNO.1', 'a', 'depth'), range(0, 40).map((n) => `${n}.png`));
  touchFrames(path.join(base, 'spNO.2', 'b'), range(0, 20).map((n) => `${n}.jpg`));
  touchFrames(path.join(base, 'spNO.2', 'c'), range(0, 20).map((n) => `${n}.jpg`));
  await writeXlsx(path.join(root, 'part_A', 'annotation', 'cas(me)3_part_A_ME_label_JpgIndex_v2.xlsx'), [
    {
      name: 'label',
      rows: [
        ['Subject', 'Filename', 'Onset', 'Apex', 'Offset', 'AU', 'Objective class', 'emotion'],
        ['spNO.1', 'a', 3, 17, 30, 'L12', 'I', 'happy'],
        ['spNO.2', 'b', 1, 9, 19, 'AU6+AU12', 'I', 'anger'],
        ['spNO.2', 'c', 1, 9, 19, 'AU4', 'II', 'others'],
      ],
    },
  ]);
  const res = await scanDataset(root);
  assert.equal(res.kind, 'casme3a');
  assert.deepEqual(res.clips.map((c) => c.id), ['casme3a/spNO.1/a', 'casme3a/spNO.2/b', 'casme3a/spNO.2/c']);
  assert.equal(res.clips[0].onset.file, path.join(base, 'spNO.1', 'a', 'color', '3.jpg'));
  assert.equal(res.clips[0].emotion, 'happiness');
  assert.equal(res.clips[1].apex?.file, path.join(base, 'spNO.2', 'b', '9.jpg'));
  assert.equal(res.protocol?.protocol, 'casme3a');
  assert.deepEqual(res.protocol?.included, ['casme3a/spNO.1/a', 'casme3a/spNO.2/b']);
  assert.deepEqual(res.protocol?.excluded.map((e) => e.id), ['casme3a/spNO.2/c']);
});

test('mapping file (DFME-like CSV with TestA/TestB split, renamed columns, padded subject folders)', async () => {
  const root = tmpDir('dfme');
  touchFrames(path.join(root, 'frames', 'sub001', 'clip_0001'), range(1, 30).map((n) => `frame${String(n).padStart(4, '0')}.png`));
  touchFrames(path.join(root, 'frames', 'sub001', 'clip_0002'), range(1, 30).map((n) => `frame${String(n).padStart(4, '0')}.png`));
  touchFrames(path.join(root, 'frames', 'sub002', 'clip_0003'), range(1, 30).map((n) => `frame${String(n).padStart(4, '0')}.png`));
  writeCsv(path.join(root, 'labels', 'dfme.csv'), [
    ['DFME labels exported 2024'],
    ['Participant', 'Video', 'Start', 'Peak', 'End', 'FACS', 'Class', 'Partition'],
    [1, 'clip_0001', 2, 12, 25, 'AU1+AU2', 'Contempt', 'TestA'],
    [1, 'clip_0002', 3, '', 25, '4', 'Fear', 'TestB'],
    [2, 'clip_0003', 1, 10, 25, '', 'negative', 'TestA'],
    ['', '', '', '', '', '', '', ''],
  ]);
  fs.writeFileSync(
    path.join(root, 'mellm-dataset.json'),
    JSON.stringify({
      name: 'dfme',
      protocol: 'dfme',
      annotations: 'labels/dfme.csv',
      columns: { subject: 'Participant', clip: 'Video', onset: 'Start', apex: 'Peak', emotion: 'Class', split: 'Partition' },
      frames: 'frames/sub{subject:03}/{clip}/frame{frame}.png',
    }),
  );
  const res = await scanDataset(root);
  assert.equal(res.kind, 'mapped');
  assert.equal(res.annotation?.headerRow, 2);
  assert.deepEqual(res.clips.map((c) => [c.id, c.split, c.emotion]), [
    ['dfme/1/clip_0001', 'TestA', 'contempt'],
    ['dfme/1/clip_0002', 'TestB', 'fear'],
    ['dfme/2/clip_0003', 'TestA', 'negative'],
  ]);
  assert.equal(res.clips[0].onset.file, path.join(root, 'frames', 'sub001', 'clip_0001', 'frame0002.png'));
  assert.equal(res.clips[0].apex?.frame, 12);
  assert.equal(res.clips[0].offset, 25);
  assert.deepEqual(res.clips[0].aus, [{ au: 1, side: 'both' }, { au: 2, side: 'both' }]);
  assert.equal(res.clips[1].apex, null);
  assert.deepEqual(res.protocol?.included, ['dfme/1/clip_0001', 'dfme/1/clip_0002']);
  assert.deepEqual(res.protocol?.excluded.map((e) => e.id), ['dfme/2/clip_0003']);
});

test('mapping file mistakes are named precisely', async () => {
  const root = tmpDir('badmap');
  writeCsv(path.join(root, 'l.csv'), [['Video', 'Start'], ['c', 1]]);
  const write = (o: object): void => fs.writeFileSync(path.join(root, 'mellm-dataset.json'), JSON.stringify(o));
  write({ annotations: 'l.csv', frames: '{clip}/x.png' });
  await assert.rejects(scanDataset(root), /mellm-dataset\.json: 'frames' must be a path pattern containing \{frame\}/);
  write({ annotations: 'l.csv', frames: '{clip}/{frame}.png', colums: {} });
  await assert.rejects(scanDataset(root), /unknown key 'colums'/);
  write({ annotations: 'l.csv', frames: '{clip}/{frame}.png', columns: { onset: 'Onset Frame' } });
  await assert.rejects(scanDataset(root), /missing column 'Onset Frame' in .*l\.csv, header row 1/);
  fs.writeFileSync(path.join(root, 'mellm-dataset.json'), '{ "annotations": ');
  await assert.rejects(scanDataset(root), /cannot read .*mellm-dataset\.json/);
});

test('generic folders: onset/apex pairs, frame sequences, a lone image, a symlink loop', async () => {
  const root = tmpDir('generic');
  touchFrames(path.join(root, 'p1', 'clipA'), ['apex.png', 'onset.png']);
  touchFrames(path.join(root, 'p1', 'clipB'), ['frame_2.jpg', 'frame_10.jpg', 'frame_1.jpg']);
  touchFrames(path.join(root, 'p2', 'lonely'), ['only.jpg']);
  fs.symlinkSync(path.join(root, 'p1'), path.join(root, 'p1', 'clipA', 'loop'));
  fs.symlinkSync(path.join(root, 'missing'), path.join(root, 'dangling'));
  const res = await scanDataset(root);
  assert.equal(res.kind, 'generic-frames');
  const ds = path.basename(root);
  assert.deepEqual(res.clips.map((c) => c.id), [`${ds}/p1/clipA`, `${ds}/p1/clipB`]);
  const a = res.clips[0];
  assert.equal(a.onset.file, path.join(root, 'p1', 'clipA', 'onset.png'));
  assert.equal(a.apex?.file, path.join(root, 'p1', 'clipA', 'apex.png'));
  const b = res.clips[1];
  assert.equal(b.frameCount, 3);
  assert.deepEqual(b.onset, { frame: 1, file: path.join(root, 'p1', 'clipB', 'frame_1.jpg') });
  assert.equal(b.apex, null);
  assert.deepEqual(res.errors.map((e) => e.id), [`${ds}/p2/lonely`]);
  assert.match(res.errors[0].message, /holds one image/);
  assert.match(res.warnings.join('\n'), /symlink loop/);
  assert.match(res.warnings.join('\n'), /dangling: broken symlink/);
});

test('generic: a folder holding just an onset and an apex image', async () => {
  const root = tmpDir('pair');
  touchFrames(root, ['001.jpg', '002.jpg']);
  const res = await scanDataset(root);
  assert.equal(res.kind, 'generic-pair');
  assert.equal(res.clips.length, 1);
  assert.equal(res.clips[0].id, `${path.basename(root)}/-/${path.basename(root)}`);
  assert.equal(res.clips[0].onset.file, path.join(root, '001.jpg'));
  assert.equal(res.clips[0].apex?.file, path.join(root, '002.jpg'));
});

test('mapping file with an .xlsx: named sheet and header row hint; apex column absent -> every apex spotted', async () => {
  const root = tmpDir('mapxlsx');
  touchFrames(path.join(root, 'TestB', 'P07', 'v1'), range(0, 12).map((n) => `${String(n).padStart(6, '0')}.jpg`));
  await writeXlsx(path.join(root, 'labels.xlsx'), [
    { name: 'TestA', rows: [['Subject', 'Clip', 'Onset'], ['P01', 'v9', 0]] },
    { name: 'TestB', rows: [['DFME test set B'], ['Subject', 'Clip', 'Onset', 'Label'], ['P07', 'v1', 2, 'Disgust']] },
  ]);
  fs.writeFileSync(
    path.join(root, 'mellm-dataset.json'),
    JSON.stringify({ annotations: 'labels.xlsx', sheet: 'TestB', headerRow: 2, frames: 'TestB/{subject}/{clip}/{frame:6}.jpg', protocol: 'dfme' }),
  );
  const res = await scanDataset(root);
  assert.equal(res.dataset, path.basename(root));
  assert.deepEqual(res.annotation && { sheet: res.annotation.sheet, headerRow: res.annotation.headerRow }, { sheet: 'TestB', headerRow: 2 });
  assert.equal(res.clips.length, 1);
  const c = res.clips[0];
  assert.equal(c.id, `${path.basename(root)}/P07/v1`);
  assert.deepEqual(c.onset, { frame: 2, file: path.join(root, 'TestB', 'P07', 'v1', '000002.jpg') });
  assert.equal(c.apex, null);
  assert.equal(c.frameCount, 13);
  assert.equal(c.emotion, 'disgust');
  assert.deepEqual(res.protocol?.included, [c.id]);
  fs.writeFileSync(path.join(root, 'mellm-dataset.json'), JSON.stringify({ annotations: 'labels.xlsx', sheet: 'TestC', frames: '{clip}/{frame}.jpg' }));
  await assert.rejects(scanDataset(root), /mellm-dataset\.json: sheet 'TestC' not found in .*labels\.xlsx/);
});

test('a corrupt workbook is reported, and a CSV beside it is used', async () => {
  const root = tmpDir('corrupt');
  touchFrames(path.join(root, 'sub01', 'EP01'), range(1, 5).map((n) => `img${n}.jpg`));
  fs.writeFileSync(path.join(root, 'broken.xlsx'), 'PK\u0003\u0004 not really a zip');
  writeCsv(path.join(root, 'coding.csv'), [
    ['Subject', 'Filename', 'OnsetFrame', 'ApexFrame', 'Estimated Emotion'],
    ['sub01', 'EP01', 1, 3, 'Fear'],
  ]);
  const res = await scanDataset(root);
  assert.equal(res.kind, 'casme2');
  assert.equal(res.annotation?.file, path.join(root, 'coding.csv'));
  assert.equal(res.clips[0].emotion, 'fear');
  assert.match(res.warnings.join('\n'), /cannot read .*broken\.xlsx as an \.xlsx workbook/);
});
