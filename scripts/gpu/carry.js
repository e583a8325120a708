#!/usr/bin/env node
// Assembles the smallest node_modules that scripts/gpu/engines.js needs on a machine with no network: the tfjs
// Node bundles (not their browser, ESM and minified copies), the tfjs wasm binaries, the WebGPU backend and
// Dawn's linux-x64 dawn.node (not the other platforms'), and the few runtime dependencies the bundles require.
// Not tfjs-node / tfjs-node-gpu: their install downloads libtensorflow (≈ 300 MB / 1 GB for the GPU build), which
// does not fit a small carry anyway; where they are installed, use that node_modules as it is.
//
// Usage: node scripts/gpu/carry.js <target-dir> [source node_modules …]
//   sources default to the kit's node_modules, then RLMINI_EXTRA_MODULES; the first that holds a package wins.
// Then on the target machine: NODE_PATH=<target-dir>/node_modules node scripts/gpu/engines.js out.json
// (or copy <target-dir>/node_modules into the checkout). Prints what it copied and the size.
'use strict';
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..');
const PLATFORM = `${process.platform}-${process.arch}`;

/** package → files to copy (relative to the package; a trailing / copies a folder; '*.wasm' globs a folder). */
const PACKAGES = {
  '@tensorflow/tfjs': ['package.json', 'dist/tf.node.js'],
  '@tensorflow/tfjs-core': ['package.json', 'dist/tf-core.node.js'],
  '@tensorflow/tfjs-backend-cpu': ['package.json', 'dist/tf-backend-cpu.node.js'],
  '@tensorflow/tfjs-backend-webgl': ['package.json', 'dist/tf-backend-webgl.node.js'],
  '@tensorflow/tfjs-layers': ['package.json', 'dist/tf-layers.node.js'],
  '@tensorflow/tfjs-converter': ['package.json', 'dist/tf-converter.node.js'],
  '@tensorflow/tfjs-data': ['package.json', 'dist/tf-data.node.js'],
  '@tensorflow/tfjs-backend-wasm': ['package.json', 'dist/tf-backend-wasm.node.js', 'dist/*.wasm'],
  '@tensorflow/tfjs-backend-webgpu': ['package.json', 'dist/tf-backend-webgpu.node.js'],
  webgpu: ['package.json', 'index.js', `dist/${PLATFORM === 'darwin-arm64' ? 'darwin-universal' : PLATFORM}/`],
  seedrandom: ['package.json', 'index.js', 'seedrandom.js', 'lib/'],
  long: ['package.json', 'index.js', 'src/', 'dist/'],
  'node-fetch': ['package.json', 'lib/'],
  'whatwg-url': ['package.json', 'lib/'],
  tr46: ['package.json', 'index.js', 'lib/'],
  'webidl-conversions': ['package.json', 'lib/'],
};
function copy(src, dst) {
  const st = fs.statSync(src);
  if (st.isDirectory()) {
    let n = 0;
    for (const e of fs.readdirSync(src)) n += copy(path.join(src, e), path.join(dst, e));
    return n;
  }
  fs.mkdirSync(path.dirname(dst), { recursive: true });
  fs.copyFileSync(src, dst);
  return st.size;
}

function main() {
  const [target, ...srcArgs] = process.argv.slice(2);
  if (!target) {
    console.error('usage: node scripts/gpu/carry.js <target-dir> [source node_modules …]');
    process.exit(2);
  }
  const sources = srcArgs.length
    ? srcArgs
    : [path.join(ROOT, 'node_modules'), ...(process.env.RLMINI_EXTRA_MODULES ?? '').split(':').filter(Boolean)];
  const out = path.join(path.resolve(target), 'node_modules');
  fs.mkdirSync(out, { recursive: true });
  let total = 0;
  const missing = [];
  const find = (pkg) => sources.map((s) => path.join(s, pkg)).find((d) => fs.existsSync(path.join(d, 'package.json')));
  for (const [pkg, files] of Object.entries(PACKAGES)) {
    const dir = find(pkg);
    if (!dir) {
      missing.push(pkg);
      continue;
    }
    let bytes = 0;
    for (const f of files) {
      if (f.includes('*')) {
        const sub = path.dirname(f),
          ext = path.extname(f);
        for (const e of fs.readdirSync(path.join(dir, sub)).filter((x) => x.endsWith(ext)))
          bytes += copy(path.join(dir, sub, e), path.join(out, pkg, sub, e));
      } else if (fs.existsSync(path.join(dir, f))) bytes += copy(path.join(dir, f), path.join(out, pkg, f));
    }
    const version = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version;
    console.log(`${`${pkg}@${version}`.padEnd(42)} ${(bytes / 2 ** 20).toFixed(2).padStart(7)} MiB  (${dir})`);
    total += bytes;
  }
  console.log(`total ${(total / 2 ** 20).toFixed(2)} MiB in ${out}`);
  if (missing.length) console.log(`not found (their engines will not load there): ${missing.join(', ')}`);
}

main();
