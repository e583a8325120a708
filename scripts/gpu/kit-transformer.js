#!/usr/bin/env node
/**
 * The kit's wasm engine on the bench's transformer workload (src/bench/workloads/transformer.ts), on whatever
 * machine runs it: one policy-gradient update and one KV-cache sampling pass (medians), the GEMM throughput,
 * and the machine (CPU model, cores, Node). Sizes: the bench's spec, and optionally a larger batch.
 * Usage: node scripts/gpu/kit-transformer.js <out.json> [overrides-json ...]   (build first: npx tsc)
 */
'use strict';
const fs = require('fs');
const os = require('os');
const out = process.argv[2];
if (!out) {
  console.error('usage: node scripts/gpu/kit-transformer.js <out.json> [overrides-json ...]');
  process.exit(2);
}
const { transformerSpec } = require('../../dist/bench/workloads/transformer');
const { benchTransformerPg, benchGemm } = require('../../dist/nn/bench');
const variants = [{}, ...process.argv.slice(3).map((s) => JSON.parse(s))];
const result = {
  node: process.version,
  cpu: os.cpus()[0]?.model,
  cores: os.cpus().length,
  runs: [],
  gemm: {},
};
for (const o of variants) {
  const spec = transformerSpec(5, o);
  const t0 = Date.now();
  const r = benchTransformerPg(spec);
  result.runs.push({
    overrides: o,
    sequences: spec.prompts * spec.group,
    promptLen: spec.promptLen,
    responseLen: spec.responseLen,
    backend: r.backend,
    updateMs: r.updateMs,
    sampleMs: r.sampleMs,
    loss0: r.loss0,
    loss1: r.loss1,
    gradNorm0: r.gradNorm0,
    meanSampledLogp: r.meanSampledLogp,
    wallMs: Date.now() - t0,
  });
  console.log(JSON.stringify(result.runs[result.runs.length - 1]));
}
for (const p of ['mul-add', 'fma']) {
  const g = benchGemm(6016, 256, 64, p);
  if (g) result.gemm[p] = g;
}
fs.writeFileSync(out, JSON.stringify(result, null, 1));
console.log(JSON.stringify(result.gemm));
