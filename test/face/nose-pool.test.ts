// The nose pool: face detection on worker threads gives the main thread's answers, runs several frames
// at once within its size, reports a bad frame as that frame's error, and lets idle workers go.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadImage, type LoadedImage } from '../../src/core/image';
import { detectFace } from '../../src/core/face';
import { locateNoseTip } from '../../src/core/face/nose';
import { createNosePool } from '../../src/core/face/pool';

const ROOT = join(__dirname, '..', '..');
const FACES = ['s3right_280x340', 's1left_128x156', 's3mid_128x156', 's5top_128x156'].map((n) =>
  join(ROOT, 'test', 'fixtures', 'faces', n, 'onset.png'),
);

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return cond();
}

test('pool answers equal the main thread locator on the face fixtures, two workers at most', async () => {
  const imgs = await Promise.all(FACES.map(loadImage));
  const pool = createNosePool({ size: 2 });
  try {
    let most = 0;
    const watch = setInterval(() => (most = Math.max(most, pool.running())), 2);
    // Each face three times, all posted at once.
    const pooled = await Promise.all([...imgs, ...imgs, ...imgs].map((img) => pool.locate(img)));
    clearInterval(watch);
    assert.ok(most <= 2 && pool.running() <= 2, `${most} workers ran`);
    for (let i = 0; i < imgs.length; i++) {
      const main = await locateNoseTip(imgs[i]);
      assert.ok(main, `${FACES[i]}: no face on the main thread`);
      for (const k of [i, i + imgs.length, i + 2 * imgs.length]) {
        const p = pooled[k];
        assert.ok(p, `${FACES[i]}: no face in the pool`);
        // One intra-op thread in a worker, two on the main thread: the same nets, so the same point up to rounding.
        assert.ok(Math.hypot(p.x - main.x, p.y - main.y) < 1e-3, `${FACES[i]}: pool (${p.x}, ${p.y}) vs main (${main.x}, ${main.y})`);
      }
    }
    // The whole face too: the 68 points as detectFace gives them on this thread.
    const whole = await pool.detect(imgs[0]);
    const here = await detectFace(imgs[0]);
    assert.ok(whole && here);
    assert.equal(whole.points.length, 68);
    const worst = Math.max(...whole.points.map((p, k) => Math.hypot(p[0] - here.points[k][0], p[1] - here.points[k][1])));
    assert.ok(worst < 1e-3, `landmarks differ by up to ${worst} px`);
    assert.deepEqual(Object.keys(whole.regions).sort(), Object.keys(here.regions).sort());
    // The caller's frames are untouched (the pool posts copies).
    assert.equal(imgs[0].data.length, imgs[0].width * imgs[0].height * imgs[0].channels);
  } finally {
    await pool.close();
  }
});

test('no face is null; a malformed frame rejects that frame only; idle workers stop', async () => {
  const pool = createNosePool({ size: 1, idleMs: 50 });
  try {
    const flat: LoadedImage = { width: 200, height: 240, channels: 3, data: new Uint8Array(200 * 240 * 3).fill(128) };
    const short: LoadedImage = { width: 200, height: 240, channels: 3, data: new Uint8Array(10) };
    const face = await loadImage(FACES[0]);
    const [a, b, c] = await Promise.allSettled([pool.locate(flat), pool.locate(short), pool.locate(face)]);
    assert.deepEqual(a, { status: 'fulfilled', value: null });
    assert.equal(b.status, 'rejected');
    assert.match(String((b as PromiseRejectedResult).reason), /image data too short/);
    assert.equal(c.status, 'fulfilled');
    assert.ok((c as PromiseFulfilledResult<unknown>).value);
    assert.ok(await until(() => pool.running() === 0, 3000), 'the idle worker did not stop');
    // A new frame starts a worker again.
    assert.ok(await pool.locate(face));
  } finally {
    await pool.close();
  }
});

test('an aborted frame resolves null; close rejects what is still queued', async () => {
  const pool = createNosePool({ size: 1 });
  const face = await loadImage(FACES[1]);
  const ac = new AbortController();
  ac.abort();
  assert.equal(await pool.locate(face, ac.signal), null);
  const first = pool.locate(face);
  const queued = pool.locate(face);
  const closing = pool.close();
  await assert.rejects(queued, /closed/);
  await assert.rejects(first, /closed/);
  await closing;
  await assert.rejects(pool.locate(face), /closed/);
});
