#!/usr/bin/env node
// Device probe: for each neural engine that loads here (the kit's wasm engine; tfjs cpu, wasm, webgpu through
// Dawn for Node; tfjs-node-gpu and tfjs-node when installed), on the benchmark's transformer spec
// (src/bench/workloads/transformer.ts: vocab 16, context 64, 4 blocks × d 64, 4 heads; 16 prompts × 8 samples,
// prompt 16 + response 32 tokens):
//   (a) the cross-check against the kit's wasm TransformerLm (same weights, same batch: log-probs, loss, every
//       gradient block, one clipped Adam step, sampling in distribution; src/nn/tfjs/cross-check.ts),
//   (b) the median time of one policy-gradient update (forward, backward, clip, Adam; for tfjs also the one-pass
//       `accumulate` variant) and of one KV-cache sampling pass, after a warm-up,
//   (c) float32 GEMM throughput (1024³ and 4096³ where it fits the time budget),
//   (d) machine facts (Node, CPU, GPU via nvidia-smi, the WebGPU adapter) and every engine that failed to load,
//       with its error.
// Each engine runs in its own child process (a native crash or a hang costs that engine only; tfjs-node and
// tfjs-node-gpu cannot share a process), under a per-engine and a global time limit (default 280 s in all).
//
// Usage: node scripts/gpu/engines.js <out.json> [--engines wasm,tfjs-cpu,...] [--budget <s>] [--quick]
//   --quick: a 2-block spec with 4 × 4 sequences and small GEMMs (a smoke run of the script itself).
// Extra packages installed apart: RLMINI_EXTRA_MODULES=<dir>/node_modules (see docs/gpu.md). Needs dist/
// (npm run build).
'use strict';
const { spawn, execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..');
const DIST = path.join(ROOT, 'dist');
const ALL = ['wasm', 'tensorflow-gpu', 'tfjs-webgpu', 'tensorflow', 'tfjs-wasm', 'tfjs-cpu'];
/** Shares of the time budget (an engine that fails to load returns at once and leaves its share to the rest). */
const WEIGHT = { wasm: 1, 'tensorflow-gpu': 3, 'tfjs-webgpu': 2, tensorflow: 1.5, 'tfjs-wasm': 1.5, 'tfjs-cpu': 1 };

function parseArgs(argv) {
  const o = { out: null, engines: ALL, budget: 280, quick: false, child: null, childOut: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--engines') o.engines = argv[++i].split(',').filter(Boolean);
    else if (a === '--budget') o.budget = Number(argv[++i]);
    else if (a === '--quick') o.quick = true;
    else if (a === '--child') {
      o.child = argv[++i];
      o.childOut = argv[++i];
    } else if (!o.out) o.out = a;
    else throw new Error(`engines.js: unexpected argument ${a}`);
  }
  return o;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// ---- child: one engine ---------------------------------------------------------------------------------------

async function runEngine(id, quick, deadline, save) {
  const { loadEngine } = require(path.join(DIST, 'nn/engine'));
  const { transformerSpec } = require(path.join(DIST, 'bench/workloads/transformer'));
  const { transformerFromSpec, benchGemm } = require(path.join(DIST, 'nn/bench'));
  const { TfjsTransformerLm } = require(path.join(DIST, 'nn/tfjs/transformer-lm'));
  const { crossCheckTransformer, benchBatch } = require(path.join(DIST, 'nn/tfjs/cross-check'));
  const { Adam } = require(path.join(DIST, 'nn/adam'));
  const { Rng } = require(path.join(DIST, 'core/rng'));
  const out = { id, ok: false };
  const t0 = performance.now();
  const engine = await loadEngine(id);
  out.loadMs = performance.now() - t0;
  save(out);
  out.backend = engine.backend;
  out.packages = engine.packages;
  out.sync = engine.sync;
  if (engine.adapter) out.adapter = engine.adapter;
  const left = () => deadline - Date.now();
  const spec = quick
    ? transformerSpec(5, { layers: 2, prompts: 4, group: 4, promptLen: 6, responseLen: 10, reps: 2 })
    : transformerSpec(5);
  const reps = quick ? 2 : 5;
  out.spec = {
    vocab: spec.vocab,
    context: spec.context,
    layers: spec.layers,
    dModel: spec.dModel,
    heads: spec.heads,
    mlp: spec.mlp,
    N: spec.prompts * spec.group,
    promptLen: spec.promptLen,
    responseLen: spec.responseLen,
  };
  const batch = benchBatch(spec);
  const { seq, N, T, P, w, L } = batch;
  const kit = transformerFromSpec(spec);
  const initial = kit.snapshot();
  const cfg = kit.config;
  const model = engine.tf ? new TfjsTransformerLm(engine.tf, cfg) : kit;
  if (engine.tf) out.tfjsEngine = model.engine;
  // (a) cross-check (tfjs-cpu, ~50× slower than the rest: on the 2-block quick spec, to leave time for (b), (c))
  if (engine.tf) {
    try {
      const t = performance.now();
      const small = id === 'tfjs-cpu' && !quick;
      const cspec = small
        ? transformerSpec(5, { layers: 2, prompts: 4, group: 4, promptLen: 6, responseLen: 10, reps: 2 })
        : spec;
      out.crossCheckSpec = small ? 'quick (2 blocks, 16 sequences × 16 tokens)' : 'the bench spec';
      const ck = small ? transformerFromSpec(cspec) : kit;
      const cm = small ? new TfjsTransformerLm(engine.tf, ck.config) : model;
      out.crossCheck = await crossCheckTransformer(ck, cm, small ? benchBatch(cspec) : batch);
      out.crossCheck.ms = performance.now() - t;
      save(out);
    } catch (e) {
      out.crossCheckError = String((e && e.stack) || e);
    }
  }
  // (b) timings: the update (forward, backward, clip, Adam: what LmPolicy does), one KV-cache sampling pass, and
  // the one-pass update (tfjs `accumulate`). First a warm-up and one timed call of each, then the GEMMs, then
  // more calls (up to `reps`) while the time lasts, so that a slow engine still reports every phase once.
  const timings = { maxReps: reps, trainedTokensPerUpdate: N * T, generatedTokensPerSample: N * L };
  out.timings = timings;
  kit.load(initial);
  model.load(initial);
  const opt = new Adam(model.size, { lr: spec.lr });
  const phases = [
    {
      name: 'update',
      f: async () => {
        model.zeroGrad();
        const f = engine.sync ? model.forward(seq, N, T, P - 1) : await model.forwardAsync(seq, N, T, P - 1);
        if (engine.sync) model.backward(f, w);
        else await model.backwardAsync(f, w);
        model.clipGradNorm(spec.maxGradNorm);
        opt.step(model.params.f, model.grads.f);
      },
    },
    {
      name: 'sample',
      f: (() => {
        const rng = new Rng(spec.seed).split('probe');
        let r = 0;
        return async () => {
          const rr = rng.split(`s${r++}`);
          if (engine.sync) model.sample(batch.prompts, N, P, L, rr);
          else await model.sampleAsync(batch.prompts, N, P, L, rr);
        };
      })(),
    },
  ];
  if (engine.tf)
    phases.push({
      name: 'updateOnePass',
      f: async () => {
        model.zeroGrad();
        if (engine.sync) model.accumulate(seq, N, T, P - 1, w);
        else await model.accumulateAsync(seq, N, T, P - 1, w);
        model.clipGradNorm(spec.maxGradNorm);
        opt.step(model.params.f, model.grads.f);
      },
    });
  const RESERVE = 4e3;
  const record = (p) => {
    timings[`${p.name}Ms`] = median(p.all);
    timings[`${p.name}AllMs`] = p.all;
    timings[`${p.name}FirstMs`] = p.first;
    save(out);
  };
  const once = async (f) => {
    const t = performance.now();
    await f();
    return performance.now() - t;
  };
  try {
    for (const p of phases) {
      const scale = phases[0].first ?? 0; // the update's first call: a guess at what this one costs
      if (left() < RESERVE + 2 * scale) {
        timings[`${p.name}Skipped`] = 'time budget';
        continue;
      }
      p.first = await once(p.f);
      if (left() < RESERVE + p.first) {
        timings[`${p.name}Skipped`] = `only the warm-up fitted (${p.first.toFixed(0)} ms)`;
        continue;
      }
      p.all = [await once(p.f)];
      record(p);
    }
  } catch (e) {
    out.timingError = String((e && e.stack) || e);
  }
  // (c) GEMM throughput, C = A·B float32 (n × n): one product to estimate, then k products back to back and a
  // read of one element of the last (which waits for them without copying C back); GFLOP/s = 2n³ / time.
  const gemm = [];
  out.gemm = gemm;
  for (const n of quick ? [256, 512] : [1024, 4096]) {
    const prev = gemm.find((g) => g.gflops);
    const est = prev ? (2 * n ** 3) / (prev.gflops * 1e6) : 0;
    if (left() < RESERVE + 3 * est) {
      gemm.push({ n, skipped: prev ? `time budget (≈ ${(est / 1e3).toFixed(1)} s per product)` : 'time budget' });
      continue;
    }
    try {
      if (!engine.tf) {
        const g = benchGemm(n, n, n, 'mul-add', est > 1e3 ? 1 : 5);
        gemm.push({ n, ms: g.ms, gflops: g.gflops, threads: 1, note: 'kit wasm SIMD GEMM, one core, mul-add path' });
        save(out);
        continue;
      }
      const tf = engine.tf;
      const a = tf.randomUniform([n, n], -1, 1, 'float32', 1);
      const b = tf.randomUniform([n, n], -1, 1, 'float32', 2);
      const run = async (k) => {
        let c = null;
        for (let i = 0; i < k; i++) {
          if (c) c.dispose();
          c = tf.matMul(a, b);
        }
        const one = tf.slice(c, [0, 0], [1, 1]);
        await one.data();
        one.dispose();
        c.dispose();
      };
      const first = await once(() => run(1)); // warm-up (shader / kernel compilation on a GPU)
      const one = await once(() => run(1));
      const k = one > 1e3 ? 1 : one > 100 ? 3 : one > 10 ? 10 : 30;
      const times = [];
      while (times.length < 3 && left() > RESERVE + k * one * 2) times.push((await once(() => run(k))) / k);
      const ms = times.length ? median(times) : one;
      gemm.push({ n, ms, gflops: (2 * n ** 3) / (ms * 1e6), productsPerTiming: times.length ? k : 1, firstMs: first });
      save(out);
      a.dispose();
      b.dispose();
    } catch (e) {
      gemm.push({ n, error: String((e && e.message) || e).split('\n')[0] });
    }
  }
  // more timed calls while the time lasts
  try {
    for (let round = 1; round < reps; round++)
      for (const p of phases) {
        if (!p.all || left() < RESERVE + 1.5 * median(p.all)) continue;
        p.all.push(await once(p.f));
        record(p);
      }
  } catch (e) {
    out.timingError = String((e && e.stack) || e);
  }
  if (engine.tf) out.tensorsLeft = engine.tf.memory().numTensors;
  out.ok = true;
  return out;
}

// ---- parent --------------------------------------------------------------------------------------------------

function machine() {
  const cpus = os.cpus();
  const m = {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpuModel: cpus[0] ? cpus[0].model : null,
    cores: cpus.length,
    memGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    date: new Date().toISOString(),
    extraModules: process.env.RLMINI_EXTRA_MODULES || null,
    nodePath: process.env.NODE_PATH || null,
    vkDriverFiles: process.env.VK_DRIVER_FILES || process.env.VK_ICD_FILENAMES || null,
    dawnFlags: process.env.RLMINI_DAWN_FLAGS || null,
  };
  try {
    const libs = execFileSync('ldconfig', ['-p'], {
      timeout: 10e3,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    m.vulkanLoader =
      libs
        .split('\n')
        .filter((l) => /libvulkan\.so/.test(l))
        .map((l) => l.trim())
        .join('; ') || 'none';
  } catch (e) {
    m.vulkanLoader = `unknown (${String(e.message).split('\n')[0]})`;
  }
  try {
    m.nvidiaSmi = execFileSync(
      'nvidia-smi',
      ['--query-gpu=name,driver_version,memory.total,compute_cap', '--format=csv,noheader'],
      { timeout: 10e3, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    ).trim();
  } catch (e) {
    m.nvidiaSmi = `unavailable (${String(e.message).split('\n')[0]})`;
  }
  try {
    m.commit = execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    m.commit = null;
  }
  return m;
}

function runChild(id, opts, timeoutMs) {
  return new Promise((resolve) => {
    const tmp = path.join(os.tmpdir(), `rlmini-engine-${process.pid}-${id}.json`);
    const args = [__filename, '--child', id, tmp];
    if (opts.quick) args.push('--quick');
    const t0 = Date.now();
    const p = spawn(process.execPath, args, {
      env: { ...process.env, RLMINI_CHILD_DEADLINE: String(Date.now() + timeoutMs - 5e3) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    const keep = (d) => {
      log += d.toString();
      if (log.length > 20000) log = log.slice(-20000);
    };
    p.stdout.on('data', keep);
    p.stderr.on('data', keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      p.kill('SIGKILL');
    }, timeoutMs);
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      let res = null;
      try {
        res = JSON.parse(fs.readFileSync(tmp, 'utf8'));
        fs.rmSync(tmp, { force: true });
      } catch {
        /* no result */
      }
      const wallMs = Date.now() - t0;
      if (res && timedOut) res.timedOut = `killed after ${timeoutMs / 1e3} s; partial results`;
      if (res && res.loadError) resolve({ id, loaded: false, error: res.loadError, wallMs, log: log.slice(-3000) });
      else if (res) resolve({ ...res, loaded: true, wallMs, log: log.slice(-3000) });
      else
        resolve({
          id,
          loaded: false,
          error: timedOut ? `timed out after ${timeoutMs / 1e3} s` : `child exited with code ${code} signal ${signal}`,
          wallMs,
          log: log.slice(-3000),
        });
    });
  });
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.child) {
    const deadline = Number(process.env.RLMINI_CHILD_DEADLINE) || Date.now() + 120e3;
    let res;
    try {
      const save = (o) => fs.writeFileSync(opts.childOut, JSON.stringify({ ...o, partial: true }));
      res = await runEngine(opts.child, opts.quick, deadline, save);
    } catch (e) {
      const msg = String((e && e.message) || e);
      res = /cannot load/.test(msg)
        ? { id: opts.child, loadError: msg }
        : { id: opts.child, ok: false, error: String((e && e.stack) || e) };
    }
    fs.writeFileSync(opts.childOut, JSON.stringify(res));
    process.exit(0);
  }
  if (!opts.out) {
    console.error('usage: node scripts/gpu/engines.js <out.json> [--engines a,b] [--budget s] [--quick]');
    process.exit(2);
  }
  if (!fs.existsSync(path.join(DIST, 'nn/engine.js'))) {
    console.error('engines.js: dist/nn/engine.js is missing; build first (npm run build)');
    process.exit(2);
  }
  const start = Date.now();
  const report = { machine: machine(), engines: [], failedToLoad: [] };
  const write = () => {
    report.totalSeconds = (Date.now() - start) / 1e3;
    fs.mkdirSync(path.dirname(path.resolve(opts.out)), { recursive: true });
    fs.writeFileSync(opts.out, JSON.stringify(report, null, 1));
  };
  const order = ALL.filter((e) => opts.engines.includes(e)).concat(opts.engines.filter((e) => !ALL.includes(e)));
  for (let i = 0; i < order.length; i++) {
    const id = order[i];
    const left = opts.budget * 1e3 - (Date.now() - start);
    // each remaining engine gets its weighted share of what is left (at least 20 s, at most 150 s)
    const rest = order.slice(i).reduce((a, e) => a + (WEIGHT[e] ?? 1), 0);
    const share = Math.min(150e3, Math.max(20e3, (left * (WEIGHT[id] ?? 1)) / rest));
    if (left < 15e3) {
      report.engines.push({ id, loaded: false, error: 'skipped: global time budget spent' });
      continue;
    }
    process.stderr.write(`engines.js: ${id} (≤ ${(share / 1e3).toFixed(0)} s) … `);
    const r = await runChild(id, opts, Math.min(share, left));
    process.stderr.write(`${r.loaded ? (r.ok ? 'ok' : 'failed') : 'not loaded'} in ${(r.wallMs / 1e3).toFixed(1)} s\n`);
    if (!r.loaded) report.failedToLoad.push({ id, error: r.error });
    report.engines.push(r);
    write();
  }
  write();
  for (const e of report.engines.filter((x) => x.loaded)) {
    const t = e.timings || {};
    const c = e.crossCheck;
    console.log(
      `${e.id.padEnd(15)} update ${t.updateMs ? t.updateMs.toFixed(1) : '-'} ms` +
        (t.updateOnePassMs ? ` (one-pass ${t.updateOnePassMs.toFixed(1)})` : '') +
        `, sample ${t.sampleMs ? t.sampleMs.toFixed(1) : '-'} ms, GEMM ` +
        (e.gemm || [])
          .map((g) => `${g.n}³ ${g.gflops ? g.gflops.toFixed(1) + ' GFLOP/s' : g.skipped || g.error}`)
          .join(', ') +
        (c
          ? `; Δlogp ${c.logpMaxAbs.toExponential(1)}, grad rel ${c.gradMaxRel.toExponential(1)}, ` +
            `sampling z ${c.sampling.z.toFixed(2)}`
          : '') +
        (e.crossCheckError ? '; cross-check failed' : ''),
    );
  }
  for (const f of report.failedToLoad) console.log(`${f.id.padEnd(15)} not loaded: ${String(f.error).split('\n')[0]}`);
  console.log(`wrote ${opts.out} in ${((Date.now() - start) / 1e3).toFixed(1)} s`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
