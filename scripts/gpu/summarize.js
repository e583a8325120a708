#!/usr/bin/env node
/**
 * Markdown tables of one GPU-machine run (the folder scripts/gpu/device-run.sh filled: machine.txt, torch.jsonl,
 * kit.json, webgpu.json, engines.json when present). Usage: node scripts/gpu/summarize.js bench/gpu/<run-folder>
 */
'use strict';
const fs = require('fs');
const path = require('path');
const dir = process.argv[2];
if (!dir) {
  console.error('usage: node scripts/gpu/summarize.js <run-folder>');
  process.exit(2);
}
const read = (f) => (fs.existsSync(path.join(dir, f)) ? fs.readFileSync(path.join(dir, f), 'utf8') : null);
const ms = (x) => (x == null ? '—' : x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0));
const lines = [];
const machine = read('machine.txt');
if (machine) {
  const gpu = machine.split('\n')[1] ?? '';
  const cpu = (machine.match(/Model name:\s*(.*)/) ?? [])[1];
  const cores = (machine.match(/^CPU\(s\):\s*(\d+)/m) ?? [])[1];
  const torch = (machine.match(/^torch (\S+) cuda (\S+)/m) ?? []).slice(1);
  lines.push(
    `Machine: ${gpu.trim()} (name, driver, memory); CPU ${cpu} × ${cores}; PyTorch ${torch[0]} (CUDA ${torch[1]}).`,
    '',
  );
}
const sizes = { small: '128 sequences (16 prompts × 8)', big: '1,024 sequences (64 prompts × 16)' };
const rows = [];
const torchRuns = (read('torch.jsonl') ?? '')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l));
const kit = JSON.parse(read('kit.json') ?? 'null');
for (const [i, b] of ['small', 'big'].entries()) {
  const k = kit?.runs?.[i];
  if (k) rows.push([sizes[b], `kit wasm engine (${k.backend}), 1 core`, ms(k.updateMs), ms(k.sampleMs), k.loss1]);
  for (const t of torchRuns.filter((r) => r.bundle === b && r.run)) {
    const r = t.run;
    const who =
      r.device === 'cpu' ? `PyTorch CPU, ${r.threads} thread${r.threads > 1 ? 's' : ''}` : `PyTorch ${r.device}`;
    rows.push([sizes[b], who, ms(r.updateMs), ms(r.sampleMs), r.loss1]);
  }
}
const engines = JSON.parse(read('engines.json') ?? 'null');
for (const e of engines?.engines ?? []) {
  const t = e.timings;
  if (!t?.updateMs) continue;
  const label = e.id === 'wasm' ? 'kit wasm engine, 1 core (scripts/gpu/engines.js)' : `tfjs ${e.backend} (${e.id})`;
  rows.push([sizes.small, label, ms(t.updateMs), ms(t.sampleMs), '—']);
}
if (rows.length) {
  lines.push(
    '| batch (prompt 16 + response 32, 4 layers, d 64) | engine | update ms | sampling ms | loss after 1 step |',
  );
  lines.push('|---|---|---:|---:|---:|');
  for (const r of rows) lines.push(`| ${r.map((x) => (typeof x === 'number' ? x.toPrecision(7) : x)).join(' | ')} |`);
  lines.push('');
}
const wg = JSON.parse(read('webgpu.json') ?? 'null');
if (wg) {
  const a = wg.adapters?.[0];
  const found = wg.ok ? `adapter ${a?.vendor} ${a?.device} (${a?.description})` : `failed: ${wg.error?.split('\n')[0]}`;
  lines.push(`WebGPU (Dawn, npm \`webgpu\`): ${found}.`);
  for (const m of wg.matmul ?? [])
    lines.push(
      `- WGSL tiled float32 matmul ${m.n}³: ${ms(m.ms)} ms, ${(m.gflops / 1000).toFixed(2)} TFLOP/s ` +
        `(max rel. error vs CPU ${m.maxRelErrVsCpu.toExponential(1)})`,
    );
  lines.push('');
}
if (engines?.engines?.length) {
  lines.push('');
  lines.push('Cross-check against the kit engine on the bench spec (src/nn/tfjs/cross-check.ts), and GEMM throughput:');
  lines.push('');
  lines.push('| engine | max \\|Δ log p\\| | gradient norm, rel. Δ | GEMM 1024³ GFLOP/s | GEMM 4096³ GFLOP/s |');
  lines.push('|---|---:|---:|---:|---:|');
  for (const e of engines.engines) {
    if (!e.timings) continue;
    const c = e.crossCheck;
    const g = (n) => e.gemm?.find((x) => x.n === n)?.gflops;
    const f = (x) => (x == null ? '—' : x.toFixed(1));
    lines.push(
      `| ${e.id} | ${c ? c.logpMaxAbs.toExponential(1) : '— (reference)'} | ` +
        `${c ? c.gradNorm.relDiff.toExponential(1) : '—'} | ${f(g(1024))} | ${f(g(4096))} |`,
    );
  }
  for (const f of engines.failedToLoad ?? [])
    lines.push(`- not loaded: ${f.id ?? f.engine}: ${(f.error ?? '').split(';')[0]}`);
  lines.push('');
}
process.stdout.write(lines.join('\n'));
