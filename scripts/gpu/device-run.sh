#!/usr/bin/env bash
# The GPU-machine measurements of [gpu] (docs/gpu.md), run from the repository root on a machine with an NVIDIA GPU,
# PyTorch, and no network. Everything else travels in .gpucarry/ (made by scripts/gpu/pack-carry.sh) and .gl/
# (Vulkan/EGL loader .debs). Writes JSON and logs under $OUT (default /tmp/gpu-out). STEPS (default
# "webgpu torch kit engines") picks the measurements; ENGINES_BUDGET (s, default 240) bounds scripts/gpu/engines.js.
set -u
STEPS=${STEPS:-webgpu torch kit engines}
want() { case " $STEPS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
OUT=${OUT:-/tmp/gpu-out}
mkdir -p "$OUT"
log() { echo "== $*" | tee -a "$OUT/steps.log"; }
if ls .gl/*.deb >/dev/null 2>&1; then for f in .gl/*.deb; do dpkg -x "$f" /; done; ldconfig; fi
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
[ -f "$icd" ] && export VK_DRIVER_FILES=$icd
egl=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
[ -f "$egl" ] && export __EGL_VENDOR_LIBRARY_FILENAMES=$egl
{
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv
  lscpu | grep -E 'Model name|^CPU\(s\)|Flags' | cut -c1-400
  python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, torch.__config__.parallel_info().splitlines()[0:4])'
  ldconfig -p | grep -E 'libvulkan|libEGL' | head
} >"$OUT/machine.txt" 2>&1
NODE=/tmp/nodebin/node
mkdir -p /tmp/nodebin && xz -dc .gpucarry/node.xz >"$NODE" && chmod +x "$NODE"
dn=.gpucarry/node_modules/webgpu/dist/linux-x64/dawn.node
[ -f "$dn.xz" ] && [ ! -f "$dn" ] && xz -dk "$dn.xz"
[ -e node_modules ] || ln -s .gpucarry/node_modules node_modules
export RLMINI_WEBGPU_MODULE=$PWD/.gpucarry/node_modules/webgpu/index.js
export RLMINI_EXTRA_MODULES=$PWD/.gpucarry/node_modules
"$NODE" --version >>"$OUT/machine.txt"

if want webgpu; then
log "webgpu probe"
timeout 120 "$NODE" scripts/gpu/webgpu-probe.mjs "$OUT/webgpu.json" 1024 4096 >>"$OUT/steps.log" 2>&1
fi

if want torch; then
log "PyTorch reference (bench/reference/transformer.py) on the bench bundle and a 8x larger batch"
for run in "small cpu 1" "small cpu 16" "small cuda 1" "big cpu 16" "big cuda 1"; do
  set -- $run
  r=$( (unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE; cd bench/reference &&
    timeout 150 python3 transformer.py "../../.gpucarry/bundles/$1" --device "$2" --threads "$3" 2>>"$OUT/steps.log" | tail -1))
  echo "{\"bundle\":\"$1\",\"run\":${r:-null}}" >>"$OUT/torch.jsonl"
  echo "$run: $r" >>"$OUT/steps.log"
done
fi

if want kit; then
log "kit wasm engine on this CPU"
timeout 200 "$NODE" scripts/gpu/kit-transformer.js "$OUT/kit.json" '{"prompts":64,"group":16}' >>"$OUT/steps.log" 2>&1
fi

if want engines && [ -f scripts/gpu/engines.js ] && [ -d dist/nn/tfjs ]; then
  log "tfjs engines (scripts/gpu/engines.js)"
  b=${ENGINES_BUDGET:-240}
  timeout $((b + 30)) "$NODE" scripts/gpu/engines.js "$OUT/engines.json" --budget "$b" >>"$OUT/steps.log" 2>&1
fi
log done
