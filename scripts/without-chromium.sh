#!/usr/bin/env bash
# Runs a command as on a fresh machine without Chromium: /usr/bin/chromium is hidden by an overlay
# whiteout in a private mount namespace (root, util-linux unshare), so only this command stops seeing it.
# Example: sudo scripts/without-chromium.sh npm test
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: $0 COMMAND [ARGS...]" >&2; exit 2; }
d=$(mktemp -d /tmp/mellm-no-chromium.XXXXXX)
mkdir -p "$d/upper" "$d/work"
trap 'rm -rf "$d"' EXIT
unshare -m bash -c '
  d=$1; shift
  mount --make-rprivate /
  mknod "$d/upper/chromium" c 0 0
  mount -t overlay overlay -o "lowerdir=/usr/bin,upperdir=$d/upper,workdir=$d/work" /usr/bin
  exec "$@"' _ "$d" "$@"
