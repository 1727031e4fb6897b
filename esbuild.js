// Bundles the extension host, the CLI and the webview. Native and heavy runtime packages stay external
// (they are installed as dependencies and loaded from node_modules at run time).
const esbuild = require('esbuild');
const fs = require('node:fs');
const path = require('node:path');

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
// tsx: only named by the face pool when it runs from sources (a dev dependency, never bundled).
const external = ['vscode', 'sharp', 'onnxruntime-node', 'exceljs', '@jimp/js-bmp', 'openai', 'tsx'];

const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
};

const targets = [
  { entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', platform: 'node', format: 'cjs', target: 'node20', external },
  {
    entryPoints: ['src/cli.ts'],
    outfile: 'dist/cli.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external,
    banner: { js: '#!/usr/bin/env node' },
  },
  // Face detection's worker thread (src/core/face/pool.ts looks for it beside the bundle).
  { entryPoints: ['src/core/face/noseWorker.ts'], outfile: 'dist/noseWorker.js', platform: 'node', format: 'cjs', target: 'node20', external },
  // The panel runs in the webview's browser sandbox: no Node modules.
  { entryPoints: ['webview/main.ts'], outfile: 'dist/webview.js', platform: 'browser', format: 'iife', target: 'es2022' },
].filter((t) => fs.existsSync(path.join(__dirname, t.entryPoints[0])));

// The panel's icons: VS Code's codicon font and its stylesheet, served from dist/ (a webview resource root)
// so the CSP's font-src/style-src (the webview origin only) allow them.
function copyCodicons() {
  const from = path.join(__dirname, 'node_modules', '@vscode', 'codicons', 'dist');
  if (!fs.existsSync(from)) return;
  const to = path.join(__dirname, 'dist', 'codicons');
  fs.mkdirSync(to, { recursive: true });
  for (const f of ['codicon.css', 'codicon.ttf']) fs.copyFileSync(path.join(from, f), path.join(to, f));
}

async function main() {
  copyCodicons();
  if (watch) {
    for (const t of targets) await (await esbuild.context({ ...common, ...t })).watch();
    console.log('[esbuild] watching');
    return;
  }
  await Promise.all(targets.map((t) => esbuild.build({ ...common, ...t })));
  if (fs.existsSync('dist/cli.js')) fs.chmodSync('dist/cli.js', 0o755);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
