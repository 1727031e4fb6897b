// Extension-host test suite (plain CommonJS so any runner can load it as-is): @vscode/test-electron on a
// machine with a desktop VS Code, or code-server's VS Code server here (test/exthost/exthost.test.ts).
// It activates the extension, checks the commands, analyses a fixture clip twice (computed, then cached)
// and checks the panel: map on screen, the built-in reasoner's streamed answer, parsed result.
// Results go to $MELLM_EXTHOST_OUT (JSON) when set, else <workspace>/exthost-result.json.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vscode = require('vscode');

const EXT_ID = 'mellm-studio.mellm-studio';
const COMMANDS = [
  'mellm.analyzeClip', 'mellm.computeDatasetMaps', 'mellm.openDataset', 'mellm.openClip', 'mellm.setApiKey', 'mellm.setRegionTextApiKey', 'mellm.showLog', 'mellm.openSample',
  'mellm.nextClip', 'mellm.previousClip', 'mellm.compare', 'mellm.exportReport', 'mellm.datasetReport',
];

async function waitFor(what, fn, timeoutMs = 60000) {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function run() {
  const ws = vscode.workspace.workspaceFolders && vscode.workspace.workspaceFolders[0];
  assert.ok(ws, 'the suite needs a workspace folder holding clip1/onset.png and clip1/apex.png');
  const outFile = process.env.MELLM_EXTHOST_OUT || path.join(ws.uri.fsPath, 'exthost-result.json');
  const results = [];
  const step = async (name, fn) => {
    const t0 = Date.now();
    try {
      const detail = await fn();
      results.push({ name, ok: true, ms: Date.now() - t0, detail });
      console.log(`ok - ${name}`);
    } catch (e) {
      results.push({ name, ok: false, ms: Date.now() - t0, error: String((e && e.stack) || e) });
      console.log(`not ok - ${name}: ${e}`);
    }
  };

  let api;
  await step('activates', async () => {
    const ext = vscode.extensions.getExtension(EXT_ID);
    assert.ok(ext, `${EXT_ID} is installed`);
    api = await ext.activate();
    assert.ok(ext.isActive);
    assert.equal(typeof api.panel, 'function');
  });

  await step('registers every command', async () => {
    const all = await vscode.commands.getCommands(true);
    const missing = COMMANDS.filter((c) => !all.includes(c));
    assert.deepEqual(missing, []);
  });

  const clip = vscode.Uri.file(path.join(ws.uri.fsPath, 'clip1'));
  await step('analyze command: panel with the map and a streamed built-in answer', async () => {
    const t0 = Date.now();
    const panel = await vscode.commands.executeCommand('mellm.analyzeClip', clip);
    assert.ok(panel, 'the command returned the panel');
    assert.equal(api.panel(), panel);
    assert.ok(panel.panel.visible, 'the panel is visible');
    await waitFor('map on screen', () => {
      if (panel.snapshot.error) throw new Error(panel.snapshot.error);
      return panel.snapshot.mapShownMs !== undefined;
    }).catch((e) => {
      throw new Error(`${e.message}; panel snapshot ${JSON.stringify(panel.snapshot)}`);
    });
    await panel.waitForLane('a', 60000);
    const a = panel.snapshot.lanes.a;
    assert.ok(a && a.text, 'lane a has an answer');
    assert.match(a.text, /AU\s?\d+/, 'the answer names AUs');
    assert.match(a.label, /Built-in/);
    return { firstMapShownMs: Math.round(panel.snapshot.mapShownMs), cached: panel.snapshot.mapCached, totalMs: Date.now() - t0, answerChars: a.text.length };
  });

  await step('cached clip: second open is a cache hit and its map reaches the screen', async () => {
    // Timings are recorded for scripts/bench/panel.ts (tests assert behaviour, the bench reports speed):
    // two opens into a freshly created panel (webview start included), then three into the open panel.
    const runs = [];
    for (let i = 0; i < 5; i++) {
      if (i < 2 && api.panel()) api.panel().panel.dispose();
      const panel = await vscode.commands.executeCommand('mellm.analyzeClip', clip);
      await waitFor('map on screen', () => panel.snapshot.mapShownMs !== undefined, 30000);
      assert.equal(panel.snapshot.mapCached, true, 'a re-opened clip is a cache hit');
      const sn = panel.snapshot;
      runs.push({ panel: i < 2 ? 'new' : 'open', data: +sn.dataReadyMs.toFixed(1), posted: +sn.postedMs.toFixed(1), shown: +sn.mapShownMs.toFixed(1) });
      await panel.waitForLane('a', 60000);
    }
    return { runs };
  });

  const ds5 = path.join(ws.uri.fsPath, 'ds5');
  await step('explorer submenu keys: clip folders and dataset folders, never the root or a folder without frames', async () => {
    await api.frameFolders.ready;
    const f = await waitFor('ds5 indexed', () => {
      const x = api.frameFolders.folders();
      return x.clips.length >= 6 ? x : null;
    }, 10000);
    const rel = (xs) => xs.map((x) => path.relative(ws.uri.fsPath, x) || '.');
    assert.deepEqual(rel(f.clips), ['clip1', 'ds5/sA/c01', 'ds5/sA/c02', 'ds5/sA/c03', 'ds5/sB/c04', 'ds5/sB/c05']);
    assert.deepEqual(rel(f.datasets), ['ds5', 'ds5/sA', 'ds5/sB']);
    // A clip folder created now (the watcher) gets the submenu too; deleting it takes it away.
    const late = path.join(ws.uri.fsPath, 'late', 'clipL');
    fs.mkdirSync(late, { recursive: true });
    for (const f2 of ['onset.png', 'apex.png']) fs.copyFileSync(path.join(ws.uri.fsPath, 'clip1', f2), path.join(late, f2));
    await waitFor('late clip indexed', () => api.frameFolders.folders().clips.includes(late), 15000);
    fs.rmSync(path.join(ws.uri.fsPath, 'late'), { recursive: true });
    await waitFor('late clip gone', () => !api.frameFolders.folders().clips.includes(late), 15000);
    return { clips: f.clips.length, datasets: f.datasets.length };
  });

  await step('open dataset: the view is revealed and focused, with every clip (the first too) and readable labels', async () => {
    const n = await vscode.commands.executeCommand('mellm.openDataset', vscode.Uri.file(ds5));
    assert.equal(n, 5);
    await waitFor('dataset view visible', () => api.treeView.visible, 10000);
    const ids = api.tree.getChildren();
    assert.deepEqual(ids, ['ds5/sA/c01', 'ds5/sA/c02', 'ds5/sA/c03', 'ds5/sB/c04', 'ds5/sB/c05']);
    await waitFor('first clip selected', () => api.treeView.selection[0] === 'ds5/sA/c01', 10000);
    const first = api.tree.getTreeItem(ids[0]);
    assert.equal(first.label, 'sA / c01');
    assert.match(first.description, /AU 6\+12/);
    assert.match(first.description, /happiness/i);
    return { visible: api.treeView.visible, selected: api.treeView.selection[0], label: first.label, description: first.description };
  });

  await step('dataset loop: open a clip, next (uncached), batch counts the panel\'s maps as cached, next (cached), "analysed" kept', async () => {
    const timings = { uncached: [], cached: [] };
    const next = async (kind) => {
      const t0 = Date.now();
      const panel = await vscode.commands.executeCommand('mellm.nextClip');
      const p = api.panel();
      await waitFor('map on screen', () => {
        if (p.snapshot.error) throw new Error(p.snapshot.error);
        return p.snapshot.mapShownMs !== undefined;
      }, 60000);
      assert.equal(p.snapshot.mapShownClip, p.snapshot.clipId, 'the map on screen is the new clip\'s');
      assert.equal(p.snapshot.mapCached, kind === 'cached', `${p.snapshot.clipId} ${kind}`);
      const row = { clip: p.snapshot.clipId, data: +p.snapshot.dataReadyMs.toFixed(1), shown: +p.snapshot.mapShownMs.toFixed(1) };
      await p.waitForLane('a', 60000);
      // The built-in answer of the new clip finished (for scripts/bench/panel.ts's clip -> next clip).
      row.answered = Date.now() - t0;
      timings[kind].push(row);
      return panel;
    };
    const panel = await vscode.commands.executeCommand('mellm.openClip', ds5, 0);
    await waitFor('map on screen', () => panel.snapshot.mapShownMs !== undefined, 60000);
    await panel.waitForLane('a', 60000);
    await next('uncached');
    assert.equal(api.panel().snapshot.clipId, 'ds5/sA/c02');
    await waitFor('tree follows the panel', () => api.treeView.selection[0] === 'ds5/sA/c02', 10000);
    for (const id of ['ds5/sA/c01', 'ds5/sA/c02']) await waitFor(`${id} analysed`, () => api.tree.statusOf(id)?.state === 'analysed', 10000);
    const summary = await vscode.commands.executeCommand('mellm.computeDatasetMaps', vscode.Uri.file(ds5));
    assert.equal(summary.failed, 0);
    assert.equal(summary.cached, 2, 'the two clips computed in the panel are cache hits for the batch');
    assert.equal(summary.computed, 3);
    assert.equal(api.tree.statusOf('ds5/sA/c01').state, 'analysed', 'the batch\'s "map ready" does not hide "analysed"');
    assert.equal(api.tree.statusOf('ds5/sB/c04').state, 'map-ready');
    assert.match(api.tree.getTreeItem('ds5/sA/c01').description, /✓/);
    await next('cached');
    await next('cached');
    await next('cached');
    assert.equal(api.panel().snapshot.clipId, 'ds5/sB/c05');
    await vscode.commands.executeCommand('mellm.previousClip');
    await waitFor('previous clip', () => api.panel().snapshot.clipId === 'ds5/sB/c04', 10000);
    await api.panel().waitForLane('a', 60000);
    return { summary: { computed: summary.computed, cached: summary.cached }, timings };
  });

  await step('dataset: open the workspace as a dataset, batch MMC-Maps (all cache hits now), open a clip from it', async () => {
    const n = await vscode.commands.executeCommand('mellm.openDataset', ws.uri);
    assert.equal(n, 6, 'the workspace is a generic dataset: clip1 and ds5\'s five clip folders');
    const item = api.tree.getTreeItem(api.tree.getChildren()[0]);
    assert.equal(item.label, 'clip1', 'a generic clip folder is named by itself, not "-/clip1"');
    assert.match(item.description, /not annotated/);
    assert.doesNotMatch(item.description, /—/);
    const summary = await vscode.commands.executeCommand('mellm.computeDatasetMaps', ws.uri);
    assert.ok(summary, 'the batch returned a summary');
    assert.equal(summary.failed, 0);
    assert.equal(summary.total, 6);
    assert.equal(summary.cached, 6, 'every map was computed before, in the panel or by the ds5 batch (same cache)');
    assert.ok(fs.existsSync(summary.manifest), 'manifest written');
    const panel = await vscode.commands.executeCommand('mellm.openClip', ws.uri.fsPath, 0);
    await waitFor('map on screen', () => panel.snapshot.mapShownMs !== undefined, 30000);
    assert.equal(panel.snapshot.mapCached, true, 'the batch warmed the panel cache');
    await panel.waitForLane('a', 60000);
    return { computed: summary.computed, cached: summary.cached, clipId: panel.snapshot.clipId };
  });

  await step('server: status bar reachable, compare lane streams a vLLM-style answer from the local server', async () => {
    // A local OpenAI-compatible server replaying a recorded vLLM stream (test/fixtures/answers/streams).
    const http = require('node:http');
    const sse = fs.readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'answers', 'streams', 'vllm-mellm-disgust.sse'), 'utf8');
    let chats = 0;
    const server = http.createServer((req, res) => {
      if (req.url === '/v1/models') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ object: 'list', data: [{ id: 'mellm', object: 'model' }] }));
      }
      if (req.url === '/v1/chat/completions') {
        chats++;
        req.resume();
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        return res.end(sse);
      }
      res.writeHead(404).end();
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${server.address().port}`;
    const cfg = vscode.workspace.getConfiguration('mellm');
    try {
      await cfg.update('endpoints', [url], vscode.ConfigurationTarget.Global);
      await cfg.update('defaultReasoner', 'server', vscode.ConfigurationTarget.Global);
      await api.status.refresh();
      assert.equal(api.status.state, 'reachable');
      const panel = api.panel();
      await panel.analyze('b', { kind: 'server' });
      await panel.waitForLane('b', 30000);
      const b = panel.snapshot.lanes.b;
      assert.ok(b && b.text, 'lane b has the server answer');
      assert.match(b.label, /127\.0\.0\.1/);
      assert.match(b.text, /厌恶/);
      assert.equal(chats, 1);
      // Two quick Analyze messages: the first is replaced before it streams; one answer in the lane, not two interleaved.
      const first = panel.analyze('b', { kind: 'server' });
      const second = panel.analyze('b', { kind: 'server' });
      await Promise.all([first, second]);
      await panel.waitForLane('b', 30000);
      assert.equal(chats, 2, 'one request for the two quick clicks');
      assert.equal(panel.snapshot.lanes.b.text, b.text, 'the lane holds one whole answer');
      // Neither the webview nor a workspace's settings can send the request (and the key) elsewhere.
      let evilHits = 0;
      const evil = http.createServer((req, res) => {
        evilHits++;
        res.writeHead(500).end();
      });
      await new Promise((r) => evil.listen(0, '127.0.0.1', r));
      const evilUrl = `http://127.0.0.1:${evil.address().port}`;
      const wsSettings = path.join(ws.uri.fsPath, '.vscode', 'settings.json');
      fs.mkdirSync(path.dirname(wsSettings), { recursive: true });
      try {
        await panel.analyze('b', { kind: 'server', endpoint: evilUrl });
        fs.writeFileSync(wsSettings, JSON.stringify({ 'mellm.endpoints': [evilUrl], 'mellm.jobs.cli': 'touch PWNED', 'mellm.jobs.remotePrefix': 'sh -c' }));
        await new Promise((r) => setTimeout(r, 1500)); // the configuration reloads the file
        await panel.analyze('b', { kind: 'server' });
        await panel.waitForLane('b', 30000);
        await api.status.refresh();
      } finally {
        fs.rmSync(wsSettings, { force: true });
        evil.close();
      }
      assert.equal(evilHits, 0, 'nothing was sent to an endpoint outside the user settings');
      assert.equal(chats, 3, 'the workspace setting did not redirect the request');
      return { label: b.label, chars: b.text.length, status: api.status.state, evilHits };
    } finally {
      await cfg.update('endpoints', undefined, vscode.ConfigurationTarget.Global);
      await cfg.update('defaultReasoner', undefined, vscode.ConfigurationTarget.Global);
      server.close();
    }
  });

  await step('server down: the lane fails with Retry / Use built-in reasoner / Open settings, the status bar says so at once, the built-in answer comes', async () => {
    const net = require('node:net');
    // A port nobody listens on: connection refused.
    const port = await new Promise((r) => {
      const srv = net.createServer().listen(0, '127.0.0.1', () => {
        const p = srv.address().port;
        srv.close(() => r(p));
      });
    });
    const cfg = vscode.workspace.getConfiguration('mellm');
    try {
      await cfg.update('endpoints', [`http://127.0.0.1:${port}`], vscode.ConfigurationTarget.Global);
      await cfg.update('defaultReasoner', 'server', vscode.ConfigurationTarget.Global);
      // Wait for the configuration-triggered check to settle, then make the item claim the server was fine
      // (as a check 2 minutes ago would have): the failed request must replace it at once.
      await waitFor('status settled', () => api.status.state !== 'checking', 20000);
      api.status.set('reachable', '$(check) MELLM: mellm', 'a check a while ago');
      const panel = api.panel();
      await panel.analyze('a', { kind: 'server' });
      await panel.waitForLane('a', 60000);
      const a = panel.snapshot.lanes.a;
      assert.ok(a.error, 'lane a failed');
      assert.match(a.error, new RegExp(`127\\.0\\.0\\.1:${port}`), 'the error names the endpoint');
      assert.deepEqual(a.actions, ['retry', 'useBuiltin', 'openSettings']);
      assert.equal(api.status.state, 'unreachable');
      // The panel's button, as the webview posts it (validated by the host like any message).
      panel.onMessage({ type: 'laneAction', clipId: panel.snapshot.clipId, lane: 'a', action: 'useBuiltin' });
      await waitFor('built-in answer', () => panel.snapshot.lanes.a && panel.snapshot.lanes.a.text, 60000);
      assert.match(panel.snapshot.lanes.a.label, /Built-in/);
      assert.match(panel.snapshot.lanes.a.text, /AU\s?\d+/);
      return { error: a.error, actions: a.actions, status: api.status.state };
    } finally {
      await cfg.update('endpoints', undefined, vscode.ConfigurationTarget.Global);
      await cfg.update('defaultReasoner', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  await step('region-text lane: the clip\'s region statistics as text to its own server, the thinking left out', async () => {
    const http = require('node:http');
    const streams = path.join(__dirname, '..', '..', 'fixtures', 'answers', 'streams');
    const sse = fs.readFileSync(path.join(streams, 'vllm-qwen3-regiontext.sse'), 'utf8');
    const answer = fs.readFileSync(path.join(streams, 'vllm-qwen3-regiontext.txt'), 'utf8');
    const bodies = [];
    const server = http.createServer((req, res) => {
      if (req.url !== '/v1/chat/completions') return res.writeHead(404).end();
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        bodies.push({ body: JSON.parse(body), auth: req.headers.authorization || '' });
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(sse);
      });
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${server.address().port}`;
    const cfg = vscode.workspace.getConfiguration('mellm');
    try {
      await cfg.update('regionText.endpoints', [url], vscode.ConfigurationTarget.Global);
      await cfg.update('regionText.model', 'Qwen/Qwen3-8B', vscode.ConfigurationTarget.Global);
      const panel = api.panel();
      await panel.analyze('c', { kind: 'region-text' });
      await panel.waitForLane('c', 60000);
      const c = panel.snapshot.lanes.c;
      assert.ok(c && c.text, 'lane c has the answer');
      assert.equal(c.text, answer, 'the answer without the thinking deltas');
      assert.match(c.label, /^Region text @ http:\/\/127\.0\.0\.1:\d+ \(Qwen\/Qwen3-8B\)$/);
      assert.equal(bodies.length, 1);
      const msg = bodies[0].body.messages;
      assert.equal(msg.length, 1);
      assert.equal(typeof msg[0].content, 'string', 'text only, no image part');
      assert.equal(msg[0].content.split('\n').filter((l) => l.startsWith('{')).length, 20, 'one line per region');
      assert.equal(bodies[0].body.model, 'Qwen/Qwen3-8B');
      assert.equal(bodies[0].auth, 'Bearer EMPTY', 'no region-text key stored: the MELLM key is not sent instead');
      return { label: c.label, promptChars: msg[0].content.length, answerChars: c.text.length };
    } finally {
      await cfg.update('regionText.endpoints', undefined, vscode.ConfigurationTarget.Global);
      await cfg.update('regionText.model', undefined, vscode.ConfigurationTarget.Global);
      server.close();
    }
  });

  await step('export writes the report folder: frames, map, flow colours, .flo and report.md with claim verdicts', async () => {
    const files = await vscode.commands.executeCommand('mellm.exportReport');
    const names = files.map((f) => path.basename(f));
    assert.deepEqual(names.slice().sort(), ['apex.png', 'flow-colours.png', 'flow.flo', 'mmc-map.png', 'onset.png', 'report.md']);
    assert.equal(names[0], 'report.md');
    for (const f of files) assert.ok(fs.statSync(f).size > 100, f);
    const md = fs.readFileSync(files[0], 'utf8');
    assert.match(md, /# MELLM report/);
    assert.match(md, /!\[MMC-Map\]\(mmc-map\.png\)/);
    assert.match(md, /\| Claim in the answer \| Region \| Verdict \| Measured \|/);
    assert.match(md, /(✓ supported|✗ contradicted|– not checkable)/);
    const flo = fs.readFileSync(files[names.indexOf('flow.flo')]);
    assert.equal(flo.readFloatLE(0), 202021.25);
    const w = flo.readInt32LE(4);
    const h = flo.readInt32LE(8);
    assert.equal(flo.length, 12 + w * h * 8);
    return { files: files.map((f) => path.relative(ws.uri.fsPath, f)), flo: `${w}x${h}` };
  });

  await step('mellm tasks: provided jobs, and an export job from tasks.json runs the CLI through its pseudoterminal', async () => {
    const out = path.join(ws.uri.fsPath, 'export-out');
    fs.mkdirSync(path.join(ws.uri.fsPath, '.vscode'), { recursive: true });
    const def = { type: 'mellm', job: 'export', dataset: ws.uri.fsPath, out, label: 'mellm export test' };
    fs.writeFileSync(path.join(ws.uri.fsPath, '.vscode', 'tasks.json'), JSON.stringify({ version: '2.0.0', tasks: [def] }));
    let all = [];
    await waitFor('the tasks.json task', async () => {
      all = await vscode.tasks.fetchTasks({ type: 'mellm' });
      return all.some((t) => t.name === def.label);
    }, 30000);
    const provided = all.filter((t) => t.name !== def.label).map((t) => `${t.definition.job}${t.definition.dataset ? ' ' + path.basename(t.definition.dataset) : ''}`).sort();
    // The open dataset (the workspace, from the dataset step) gets its export and benchmark tasks.
    assert.deepEqual(provided, [`benchmark ${path.basename(ws.uri.fsPath)}`, `export ${path.basename(ws.uri.fsPath)}`, 'merge', 'serve', 'train']);
    for (const t of all.filter((x) => x.name !== def.label)) assert.ok(t.detail && t.detail.length > 20, `${t.name} has detail text`);
    const task = all.find((t) => t.name === def.label);
    const ended = new Promise((resolve) => {
      const sub = vscode.tasks.onDidEndTask((e) => {
        if (e.execution.task.name === def.label) {
          sub.dispose();
          resolve();
        }
      });
    });
    await vscode.tasks.executeTask(task);
    await Promise.race([ended, new Promise((_, reject) => setTimeout(() => reject(new Error('export task did not end in 120 s')), 120000))]);
    const report = JSON.parse(fs.readFileSync(path.join(out, 'export-report.json'), 'utf8'));
    assert.equal(report.kind, 'generic-pair');
    assert.ok(report.excluded.some((x) => /no emotion label/.test(x.reason)), 'the unannotated clip is excluded with its reason');
    return { provided, excluded: report.excluded.length };
  });

  await step('dataset report: the provided benchmark of ds5 (built-in), then confusion matrix and per-class scores via mellm eval\'s code', async () => {
    await vscode.commands.executeCommand('mellm.openDataset', vscode.Uri.file(ds5));
    const all = await vscode.tasks.fetchTasks({ type: 'mellm' });
    const task = all.find((t) => t.definition.job === 'benchmark' && t.definition.dataset === ds5);
    assert.ok(task, 'a benchmark task for the open dataset');
    const ended = new Promise((resolve) => {
      const sub = vscode.tasks.onDidEndTaskProcess((e) => {
        if (e.execution.task.definition.job === 'benchmark') {
          sub.dispose();
          resolve(e.exitCode);
        }
      });
    });
    await vscode.tasks.executeTask(task);
    const code = await Promise.race([ended, new Promise((_, reject) => setTimeout(() => reject(new Error('benchmark task did not end in 180 s')), 180000))]);
    assert.equal(code, 0, 'benchmark exit code');
    const report = await vscode.commands.executeCommand('mellm.datasetReport', [task.definition.out]);
    assert.ok(report && fs.existsSync(report.html) && fs.existsSync(report.markdown));
    const md = fs.readFileSync(report.markdown, 'utf8');
    assert.match(md, /confusion/i);
    for (const c of ['happiness', 'surprise', 'disgust']) assert.match(md, new RegExp(c));
    assert.match(fs.readFileSync(report.html, 'utf8'), /<svg/);
    return { out: path.relative(ws.uri.fsPath, task.definition.out), report: path.relative(ws.uri.fsPath, report.html) };
  });

  fs.writeFileSync(outFile, JSON.stringify({ vscodeVersion: vscode.version, results }, null, 2));
  const failed = results.filter((r) => !r.ok);
  if (failed.length) throw new Error(`${failed.length} extension-host test(s) failed: ${failed.map((f) => f.name).join('; ')}`);
}

module.exports = { run };
