#!/usr/bin/env bash
# Packs what scripts/gpu/device-run.sh needs on a GPU machine without network into .gpucarry/ (git-ignored through
# .git/info/exclude): this machine's Node binary (xz), a minimal node_modules for the tfjs engines
# (scripts/gpu/carry.js: tfjs Node bundles, the WebGPU backend, Dawn's linux-x64 dawn.node, xz), and the transformer
# bench bundles (the bench's batch and an 8x larger one). Run from the
# repository root after `npm run build`; about 40 MB. Carry .gpucarry, dist and .gl (Vulkan/EGL loader
# .debs, see docs/gpu.md) to the machine and run `bash scripts/gpu/device-run.sh` there.
set -euo pipefail
WEBGPU_VERSION=${WEBGPU_VERSION:-0.6.2}
rm -rf .gpucarry && mkdir -p .gpucarry/bundles
grep -qx '/.gpucarry/' .git/info/exclude 2>/dev/null || echo /.gpucarry/ >>.git/info/exclude
xz -T0 -6 -c "$(readlink -f "$(command -v node)")" >.gpucarry/node.xz
tmp=$(mktemp -d)
npm install --no-save --no-audit --no-fund --prefix "$tmp" "webgpu@$WEBGPU_VERSION" @tensorflow/tfjs-backend-webgpu@4.22.0 >/dev/null
rm -rf "$tmp/node_modules/@tensorflow/tfjs-core" "$tmp/node_modules/@tensorflow/tfjs-backend-cpu" # one tfjs copy only
node scripts/gpu/carry.js .gpucarry node_modules "$tmp/node_modules" # tfjs Node bundles, Dawn for linux-x64
rm -rf "$tmp"
xz -T0 -6 .gpucarry/node_modules/webgpu/dist/linux-x64/dawn.node # device-run.sh unpacks it there
node scripts/gpu/write-transformer-bundle.js .gpucarry/bundles/small >/dev/null
node scripts/gpu/write-transformer-bundle.js .gpucarry/bundles/big '{"prompts":64,"group":16}' >/dev/null
du -sh --apparent-size .gpucarry
