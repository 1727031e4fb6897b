#!/usr/bin/env node
// Decides at configure time whether the native addon gets its CUDA backend (read by native/cuda.gypi).
// MELLM_CUDA=1 asks for it (and fails the build if nvcc is missing), MELLM_CUDA=0 turns it off,
// unset: built when nvcc is found. `--home` prints the CUDA toolkit folder.
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

function findNvcc() {
  const candidates = [];
  if (process.env.CUDA_HOME) candidates.push(path.join(process.env.CUDA_HOME, 'bin', 'nvcc'));
  if (process.env.CUDA_PATH) candidates.push(path.join(process.env.CUDA_PATH, 'bin', 'nvcc'));
  try {
    const onPath = execFileSync('sh', ['-c', 'command -v nvcc'], { encoding: 'utf8' }).trim();
    if (onPath) candidates.push(fs.realpathSync(onPath));
  } catch {
    // not on PATH
  }
  candidates.push('/usr/local/cuda/bin/nvcc');
  return candidates.find((c) => fs.existsSync(c));
}

const want = process.env.MELLM_CUDA;
const nvcc = want === '0' ? undefined : findNvcc();
if (want === '1' && !nvcc) {
  process.stderr.write('MELLM_CUDA=1 but nvcc was not found: install the CUDA toolkit or set CUDA_HOME\n');
  process.exit(1);
}
// nvcc may be a wrapper script: ask it where its toolkit is (its TOP), which holds lib64/ and bin/.
function toolkitHome(nvccPath) {
  const r = spawnSync(nvccPath, ['--dryrun', '-x', 'cu', '-c', '/dev/null', '-o', '/dev/null'], { encoding: 'utf8' });
  const m = /TOP=(.+)/.exec(`${r.stdout || ''}\n${r.stderr || ''}`);
  return m ? path.resolve(m[1].trim()) : path.dirname(path.dirname(nvccPath));
}
const home = nvcc ? toolkitHome(nvcc) : '';
process.stdout.write(process.argv.includes('--home') ? home : nvcc ? '1' : '0');
