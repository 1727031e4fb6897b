// The batch entry point on the CPU backend (one pair per core): same flow and map as pair by pair,
// results in input order across sizes, and cancellation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadGrey } from '../../src/core/image';
import { CancelledError, computeBatch, computeFlow, renderMmcNative, type GreyImage } from '../../src/core/native';

const FIX = join(__dirname, '..', 'fixtures', 'faces');

async function pairs(): Promise<{ name: string; onset: GreyImage; apex: GreyImage; nose: { x: number; y: number } }[]> {
  return Promise.all(
    readdirSync(FIX)
      .sort()
      .map(async (name) => ({
        name,
        onset: await loadGrey(join(FIX, name, 'onset.png')),
        apex: await loadGrey(join(FIX, name, 'apex.png')),
        nose: (JSON.parse(readFileSync(join(FIX, name, 'meta.json'), 'utf8')) as { nose: { x: number; y: number } }).nose,
      })),
  );
}

test('a CPU batch (mixed sizes, some rendered) equals pair-by-pair results, in input order', async () => {
  const ps = await pairs();
  const batch = await computeBatch(
    ps.map((p, i) => ({ onset: p.onset, apex: p.apex, render: i % 2 === 0 ? { nose: p.nose } : undefined })),
    {},
    { device: 'cpu' },
  );
  for (let i = 0; i < ps.length; i++) {
    const p = ps[i];
    const flow = await computeFlow(p.onset, p.apex, {}, { device: 'cpu' });
    assert.equal(batch[i].flow.width, p.onset.width, p.name);
    assert.deepEqual(batch[i].flow.u, flow.u, `${p.name} u`);
    assert.deepEqual(batch[i].flow.v, flow.v, `${p.name} v`);
    if (i % 2 === 0) {
      const map = await renderMmcNative(p.onset, flow, { nose: p.nose, device: 'cpu' });
      assert.deepEqual(batch[i].map!.rgb, map.rgb, `${p.name} map`);
      assert.deepEqual(batch[i].map!.head, map.head);
    } else {
      assert.equal(batch[i].map, undefined);
    }
  }
});

test('an aborted batch rejects with CancelledError', async () => {
  const ps = await pairs();
  const big = ps.find((p) => p.onset.width >= 280)!;
  const ac = new AbortController();
  const run = computeBatch(Array.from({ length: 4 }, () => ({ onset: big.onset, apex: big.apex })), {}, { device: 'cpu', signal: ac.signal });
  setTimeout(() => ac.abort(), 30);
  await assert.rejects(run, CancelledError);
});
