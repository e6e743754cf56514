#!/usr/bin/env bash
# The WebGPU benchmark on a lent GPU machine (the device tool), in one call
# of at most ten minutes. Prepare here, then run there (benchmarks/device/README.md):
#   bash benchmarks/device/run.sh
# Writes env.txt, bench.txt (the tables, phase by phase) and bench.err under
# $OUT (default benchmarks/results/): the device tool returns at most 8 files.
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT="${OUT:-benchmarks/results}"
mkdir -p "$OUT"

# Vulkan loader and GL dispatch libraries (the image has the NVIDIA driver, not the loader)
for f in .gl/*.deb; do dpkg -x "$f" /; done
ldconfig
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
[ -f "$icd" ] && export VK_DRIVER_FILES="$icd"

xz -dc .device/node.xz > .device/node && chmod +x .device/node
xz -dc .device/node_modules/webgpu/dist/linux-x64/dawn.node.xz > .device/node_modules/webgpu/dist/linux-x64/dawn.node
NODE=.device/node
{ date -u; nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv; $NODE --version; } > "$OUT/env.txt" 2>&1

phase() { # name, seconds, bench arguments...: each phase has its own time limit, the most useful first
  local name=$1 limit=$2; shift 2
  echo "== $name (limit ${limit}s): $*" | tee -a "$OUT/bench.txt" >> "$OUT/bench.err"
  timeout "$limit" $NODE .device/bench.mjs "$@" >> "$OUT/bench.txt" 2>> "$OUT/bench.err"
  echo "== exit $? after $name" | tee -a "$OUT/bench.txt"
}
phase gemm 120 --filter gemm
phase supernet 90 --filter "supernet step"
phase conv 130 --quick --filter n64
for t in 8x8x8 8x8x16; do phase "gemm 4096, tile $t" 35 --filter "gemm 4096" --tile "$t"; done
phase depthwise 80 --quick --filter "depthwise forward"
cat "$OUT/bench.txt"
