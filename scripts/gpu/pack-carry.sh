#!/usr/bin/env bash
# Packs what scripts/gpu/device-run.sh needs on a GPU machine without network into .gpucarry/ (git-ignored through
# .git/info/exclude): this machine's Node binary (xz), the `webgpu` npm package (Dawn for Node; its linux-x64
# dawn.node only, xz), and the transformer bench bundles (the bench's batch and an 8x larger one). Run from the
# repository root after `npx tsc -p tsconfig.json`; about 30 MB. Carry .gpucarry, dist and .gl (Vulkan/EGL loader
# .debs, see docs/gpu.md) to the machine and run `bash scripts/gpu/device-run.sh` there.
set -euo pipefail
WEBGPU_VERSION=${WEBGPU_VERSION:-0.6.2}
rm -rf .gpucarry && mkdir -p .gpucarry/node_modules/webgpu/dist/linux-x64 .gpucarry/bundles
grep -qx '/.gpucarry/' .git/info/exclude 2>/dev/null || echo /.gpucarry/ >>.git/info/exclude
xz -T0 -6 -c "$(readlink -f "$(command -v node)")" >.gpucarry/node.xz
tmp=$(mktemp -d)
(cd "$tmp" && npm pack --silent "webgpu@$WEBGPU_VERSION" >/dev/null && tar xzf webgpu-*.tgz)
cp "$tmp"/package/{index.js,package.json,types.d.ts} .gpucarry/node_modules/webgpu/
xz -T0 -6 -c "$tmp/package/dist/linux-x64/dawn.node" >.gpucarry/node_modules/webgpu/dist/linux-x64/dawn.node.xz
rm -rf "$tmp"
node scripts/gpu/write-transformer-bundle.js .gpucarry/bundles/small >/dev/null
node scripts/gpu/write-transformer-bundle.js .gpucarry/bundles/big '{"prompts":64,"group":16}' >/dev/null
du -sh --apparent-size .gpucarry
