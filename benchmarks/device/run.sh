#!/usr/bin/env bash
# The WebGPU benchmark on a lent GPU machine (the device tool): run there as
#   bash benchmarks/device/run.sh
# with carry [".device", ".gl"], after `node benchmarks/device/pack.mjs` and
# the loader download of the device tool's README (.gl/*.deb) here. Writes
# what it measures under $OUT (default benchmarks/results/) and stays
# inside one 10-minute call: each phase has its own time limit.
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
{ nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv; $NODE --version; } > "$OUT/env.txt" 2>&1

phase() { # name, seconds, bench arguments...
  local name=$1 limit=$2; shift 2
  echo "== $name (limit ${limit}s)"
  timeout "$limit" $NODE .device/bench.mjs "$@" > "$OUT/$name.txt" 2> "$OUT/$name.err"
  echo "exit $? after phase $name"; tail -n 30 "$OUT/$name.txt"
}

# 1. GEMM 128..4096 with the default tile, then the register tiles worth trying at 4096
phase gemm 150 --filter gemm
for t in 8x8x8 8x8x16 4x8x16; do phase "gemm4096-tile-$t" 40 --filter "gemm 4096" --tile "$t"; done
# 2. the NAS-Bench-201 and depthwise convolutions, forward and both gradients (quick sampling)
phase conv 200 --quick --filter "n64"
phase depthwise 120 --quick --filter depthwise
# 3. one supernet training step on each backend, both configurations
phase supernet 120 --filter "supernet step"
