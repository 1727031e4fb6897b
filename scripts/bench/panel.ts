// Panel latency: "MELLM: Analyze clip" -> the clip's MMC-Map decoded on screen in the panel, in a real
// VS Code (code-server's VS Code server + headless Chromium; tools outside the repo, see
// test/exthost/vscodeServer.ts). Cold = the map computed (TV-L1 + face + render); cached = the content-hash
// cache hit, into a newly created panel (webview start included) and into the open panel.
// Clip -> next clip: "MELLM: Next clip" in a dataset (ds5) -> the next clip's map on screen and its built-in
// answer finished; uncached (the map computed) and cached (after the batch of MMC-Maps).
// Reference in the same run: the in-process cache read alone (loadClipData on a hit). Target: cached < 500 ms.
// Run alone: node --import tsx scripts/bench/panel.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findTools, ROOT, runSuiteInServer } from '../../test/exthost/vscodeServer';
import { loadClipData } from '../../src/vscode/clipPipeline';

interface Row { bench: string; metric: string; value: number; unit: string; note?: string }
type Run = { panel: 'new' | 'open'; data: number; posted: number; shown: number };
type Next = { clip: string; data: number; shown: number; answered: number };

const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

export async function panel(): Promise<Row[]> {
  const tools = findTools();
  if (typeof tools === 'string') return [{ bench: 'panel', metric: 'skipped', value: 0, unit: '', note: tools }];
  const cache = mkdtempSync(join(tmpdir(), 'mellm-bench-cache-'));
  const pair = [join(ROOT, 'test/fixtures/faces/s3right_280x340/onset.png'), join(ROOT, 'test/fixtures/faces/s3right_280x340/apex.png')] as const;
  await loadClipData(pair[0], pair[1], { cacheDir: cache });
  const hits: number[] = [];
  for (let i = 0; i < 5; i++) hits.push((await loadClipData(pair[0], pair[1], { cacheDir: cache })).ms);
  rmSync(cache, { recursive: true, force: true });
  const { result } = await runSuiteInServer(tools);
  if (!result) throw new Error('the extension-host suite wrote no result');
  // A timing from a step that failed would be no measurement of the product.
  const failed = result.results.filter((r) => !r.ok);
  if (failed.length) throw new Error(`extension-host steps failed: ${failed.map((r) => `${r.name}: ${r.error?.split('\n')[0]}`).join('; ')}`);
  const first = result.results.find((r) => r.name.startsWith('analyze command'))?.detail as { firstMapShownMs: number } | undefined;
  const runs = (result.results.find((r) => r.name.startsWith('cached clip'))?.detail as { runs: Run[] } | undefined)?.runs ?? [];
  const fresh = runs.filter((r) => r.panel === 'new').map((r) => r.shown);
  const open = runs.filter((r) => r.panel === 'open').map((r) => r.shown);
  const loop = result.results.find((r) => r.name.startsWith('dataset loop'))?.detail as { timings: { uncached: Next[]; cached: Next[] } } | undefined;
  const nextRows = (kind: 'uncached' | 'cached'): Row[] => {
    const xs = loop?.timings[kind] ?? [];
    const runs = (f: (x: Next) => number) => `runs ${xs.map((x) => `${x.clip.split('/').pop()} ${f(x)}`).join(', ')}`;
    return [
      { bench: 'panel', metric: `clip -> next clip, map on screen, ${kind}, median`, value: xs.length ? median(xs.map((x) => x.shown)) : NaN, unit: 'ms', note: runs((x) => x.shown) },
      { bench: 'panel', metric: `clip -> next clip, built-in answer done, ${kind}, median`, value: xs.length ? median(xs.map((x) => x.answered)) : NaN, unit: 'ms', note: runs((x) => x.answered) },
    ];
  };
  const note = `VS Code ${result.vscodeVersion} (code-server), 280x340 face pair`;
  return [
    { bench: 'panel', metric: 'cache read in-process (reference), median', value: +median(hits).toFixed(1), unit: 'ms' },
    { bench: 'panel', metric: 'computed map -> on screen (new panel)', value: first?.firstMapShownMs ?? NaN, unit: 'ms', note },
    { bench: 'panel', metric: 'cached map -> on screen, open panel, median', value: median(open), unit: 'ms', note: `runs ${open.join(', ')}; target < 500` },
    { bench: 'panel', metric: 'cached map -> on screen, new panel, median', value: median(fresh), unit: 'ms', note: `runs ${fresh.join(', ')} (webview start included)` },
    { bench: 'panel', metric: 'cached: command -> clip message posted, open panel, median', value: median(runs.filter((r) => r.panel === 'open').map((r) => r.posted)), unit: 'ms' },
    ...nextRows('uncached'),
    ...nextRows('cached'),
  ];
}

if (require.main === module) panel().then((r) => console.table(r));
