#!/usr/bin/env bash
# The CUDA backend's checks and figures on a GPU machine, in one run (it needs nvcc and a driver, not
# Node.js). Builds native/test/gpu_check_main.cc against the CUDA backend with the addon's flags, runs
# it on prepared pairs, then NVIDIA's compute-sanitizer (memcheck, initcheck) on the small pairs.
# Prepare the pairs here first (docs/gpu.md, "Measuring on a GPU machine"):
#   node --import tsx scripts/device/pairs.ts .device/pairs test/fixtures/faces/* /tmp/bench/s3right_640x480
# usage: scripts/device/check.sh PAIRS_DIR OUT_DIR
set -uo pipefail
PAIRS=${1:?usage: check.sh PAIRS_DIR OUT_DIR}
OUT=${2:?usage: check.sh PAIRS_DIR OUT_DIR}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
BIN=$(mktemp -d)/gpu_check  # the binary stays out of OUT: only results come back from a device run
cd "$(dirname "$0")/../.."
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv
nvcc --version | tail -2
S=native/src
CPUFLAGS="-O3 -ffp-contract=off -fno-math-errno -fno-trapping-math -pthread"
t=$(date +%s)
nvcc -O3 -std=c++17 --fmad=false -gencode arch=compute_90,code=sm_90 -DMELLM_WITH_CUDA -Xcompiler "$CPUFLAGS" -I "$S" \
  "$S/cuda/tvl1_gpu.cu" "$S/cuda/mmc_gpu.cu" "$S/backend.cc" "$S/tvl1_cpu.cc" "$S/tvl1_kernels.cc" "$S/mmc_render.cc" \
  native/test/gpu_check_main.cc -o "$BIN" -lpthread || { echo "build failed"; exit 1; }
echo "built in $(( $(date +%s) - t )) s"
"$BIN" "$PAIRS/pairs.txt" | tee "$OUT/gpu_check.jsonl"
status=${PIPESTATUS[0]}
grep -v -e 280x340 -e 640x480 "$PAIRS/pairs.txt" > "$OUT/small.txt"
sed -i "s#\([^ ]*\.raw\)#$(cd "$PAIRS" && pwd)/\1#g" "$OUT/small.txt"
for tool in memcheck initcheck; do
  echo "compute-sanitizer --tool $tool"
  compute-sanitizer --tool "$tool" --error-exitcode 9 "$BIN" "$OUT/small.txt" --quick > "$OUT/sanitizer-$tool.txt" 2>&1
  rc=$?
  tail -3 "$OUT/sanitizer-$tool.txt"
  echo "compute-sanitizer $tool: exit $rc"
done
exit "$status"
