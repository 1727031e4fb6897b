// The index behind the Explorer's MELLM submenu: which folders hold frames (clip folders) and which hold
// clip folders (datasets), never a workspace root; kept right by watcher-style events without a re-walk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contextValues, FrameIndex } from '../../src/vscode/frameIndex';

function tree(root: string, files: string[]): void {
  for (const f of files) {
    mkdirSync(join(root, f, '..'), { recursive: true });
    writeFileSync(join(root, f), 'x');
  }
}

test('frame index: clip folders hold >= 2 frames, dataset folders hold clip folders, the root is neither', async () => {
  const ws = mkdtempSync(join(tmpdir(), 'mellm-frames-'));
  try {
    tree(ws, [
      'clip1/onset.png', 'clip1/apex.png',
      'CASME2/sub01/EP02_01f/img1.jpg', 'CASME2/sub01/EP02_01f/img2.jpg', 'CASME2/sub01/EP02_01f/img3.jpg',
      'CASME2/sub02/EP01_11f/img1.jpg', 'CASME2/sub02/EP01_11f/img2.jpg', 'CASME2/CASME2-coding.xlsx',
      'single/only.png', 'docs/readme.md', 'src/a.ts',
      '.git/objects/x.png', '.git/objects/y.png', 'node_modules/pkg/a.png', 'node_modules/pkg/b.png',
      'mellm-reports/c.onset.png', 'mellm-reports/c.apex.png',
    ]);
    const idx = new FrameIndex();
    await idx.addRoot(ws);
    const f = idx.folders();
    assert.deepEqual(f.clips, [join(ws, 'CASME2/sub01/EP02_01f'), join(ws, 'CASME2/sub02/EP01_11f'), join(ws, 'clip1')]);
    assert.deepEqual(f.datasets, [join(ws, 'CASME2'), join(ws, 'CASME2/sub01'), join(ws, 'CASME2/sub02')]);
    const keys = contextValues(f);
    assert.equal(ws in keys.frames, false, 'never the workspace root');
    assert.equal(join(ws, 'docs') in keys.frames, false);
    assert.equal(join(ws, 'single') in keys.frames, false, 'one image is not a clip');
    assert.equal(join(ws, 'clip1') in keys.clips, true);
    assert.equal(join(ws, 'CASME2') in keys.datasets, true);

    // Watcher events: a folder moved in (reported alone), an image added, a folder deleted.
    tree(ws, ['moved/s1/c1/a.bmp', 'moved/s1/c1/b.bmp']);
    await idx.created(join(ws, 'moved'));
    assert.ok(idx.folders().clips.includes(join(ws, 'moved/s1/c1')));
    assert.ok(idx.folders().datasets.includes(join(ws, 'moved')));
    writeFileSync(join(ws, 'single/second.webp'), 'x');
    await idx.created(join(ws, 'single/second.webp'));
    assert.ok(idx.folders().clips.includes(join(ws, 'single')));
    rmSync(join(ws, 'CASME2'), { recursive: true });
    await idx.deleted(join(ws, 'CASME2'));
    assert.deepEqual(idx.folders().datasets, [join(ws, 'moved'), join(ws, 'moved/s1')]);
    rmSync(join(ws, 'clip1/apex.png'));
    await idx.deleted(join(ws, 'clip1/apex.png'));
    assert.equal(idx.folders().clips.includes(join(ws, 'clip1')), false, 'one frame left: no longer a clip');
    await idx.created(join(ws, 'node_modules/pkg/c.png'));
    assert.equal(idx.folders().clips.some((c) => c.includes('node_modules')), false);
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
});

test('frame index: the walk is bounded (depth, folder count) and says when it stopped early', async () => {
  const ws = mkdtempSync(join(tmpdir(), 'mellm-frames-'));
  try {
    tree(ws, ['a/b/c/d/e/f.png', 'a/b/c/d/e/g.png', ...Array.from({ length: 30 }, (_, i) => `many/d${i}/x.png`)]);
    const shallow = new FrameIndex({ maxDepth: 3, maxDirs: 1000 });
    await shallow.addRoot(ws);
    assert.deepEqual(shallow.folders().clips, [], 'frames 5 levels down are beyond maxDepth 3');
    const few = new FrameIndex({ maxDepth: 8, maxDirs: 10 });
    await few.addRoot(ws);
    assert.equal(few.truncated, true);
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
});
