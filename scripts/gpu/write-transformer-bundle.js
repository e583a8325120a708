#!/usr/bin/env node
/**
 * Writes the bench's transformer bundle (src/bench/workloads/transformer.ts: same weights, prompts, responses and
 * per-token weights the kit's bench uses; an optional JSON of overrides, e.g. '{"prompts":64,"group":16}', resizes
 * the batch as transformerSpec allows) into a folder, so the PyTorch reference can be run on another machine
 * (e.g. `python3 bench/reference/transformer.py <dir> --device cuda`).
 * Usage: node scripts/gpu/write-transformer-bundle.js <dir> [overrides-json]
 */
'use strict';
const fs = require('fs');
const path = require('path');
const out = process.argv[2];
if (!out) {
  console.error('usage: node scripts/gpu/write-transformer-bundle.js <output-dir>  (build first: npm run build)');
  process.exit(2);
}
const { transformerSpec, writeTransformerBundle } = require('../../dist/bench/workloads/transformer');
const overrides = process.argv[3] ? JSON.parse(process.argv[3]) : {};
const dir = writeTransformerBundle(transformerSpec(5, overrides));
fs.mkdirSync(out, { recursive: true });
for (const f of fs.readdirSync(dir)) fs.copyFileSync(path.join(dir, f), path.join(out, f));
fs.rmSync(dir, { recursive: true, force: true });
console.log(out);
