// The stop script a remote job gets (sent through the prefix, run by the target's shell) must end the job's
// whole process group, not only its leader. dash's `kill` refused `kill -TERM -- -PGID` ("Illegal number"),
// so only the leader died and its children (vLLM, the trainer) ran on; `kill -s TERM --` works in dash and bash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { jobPidFile, stopJobScript } from '../../src/core/train/launch';

/** Live (not zombie) processes of a process group. */
function members(pgid: number): number {
  const ps = spawnSync('ps', ['-e', '-o', 'pgid=,stat='], { encoding: 'utf8' }).stdout;
  return ps.split('\n').map((l) => l.trim().split(/\s+/)).filter(([g, st]) => Number(g) === pgid && st !== undefined && !st.startsWith('Z')).length;
}

async function until(ok: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 20))) if (ok()) return true;
  return ok();
}

for (const shell of ['/bin/sh', '/bin/bash'].filter((s) => fs.existsSync(s))) {
  test(`stopJobScript ends the job's whole process group (${shell} -> ${fs.realpathSync(shell)})`, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mellm-stop-'));
    // A job as commandLine starts it: its leader records $$, and it has children of its own.
    const job = spawn('/bin/sh', ['-c', `echo $$ > ${jobPidFile('j1')}; sleep 60 & sleep 60; wait`], { cwd: dir, detached: true, stdio: 'ignore' });
    const pgid = job.pid!;
    try {
      assert.ok(await until(() => fs.existsSync(path.join(dir, jobPidFile('j1'))) && members(pgid) === 3, 5000), `the job started (${members(pgid)} processes)`);
      const r = spawnSync(shell, ['-c', stopJobScript({ remotePrefix: [], workdir: dir }, 'j1')], { encoding: 'utf8', timeout: 5000 });
      assert.equal(r.status, 0, r.stderr);
      assert.ok(await until(() => members(pgid) === 0, 3000), `${members(pgid)} processes of the job still run after the stop script`);
      assert.equal(fs.existsSync(path.join(dir, jobPidFile('j1'))), false, 'the pid file is removed');
    } finally {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // already gone
      }
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}
