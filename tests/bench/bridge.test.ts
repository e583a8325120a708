/**
 * The data bridge to the reference scripts and the scripts' math: bundles round-trip byte for byte,
 * the Python loader reads the same values, and the reference scripts compute the workloads as the
 * kit defines them (value iteration equal to the kit's Jacobi sweep; the GRU and MLP losses equal to
 * a plain float64 JavaScript forward pass written here from the spec). Python cases are skipped where
 * /usr/bin/python3 lacks numpy / torch.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, describe, expect, it } from 'vitest';
import { readBundle, removeBundle, writeBundle } from '../../src/bench/bundle';
import { benchGroups, formatMs, formatRatio, renderBenchPage } from '../../src/bench/html';
import { probePython, runReference, threadEnv } from '../../src/bench/python';
import type { BenchReport } from '../../src/bench/types';
import { mlpSpec } from '../../src/bench/workloads/mlp';
import { groupPrompts, gruSpec } from '../../src/bench/workloads/gru';
import { Rng } from '../../src/core/rng';
import { randomEnv } from '../../src/testbeds/tabular/env/mdp';
import { valueIteration } from '../../src/testbeds/tabular/solvers/exact';
import { ROOT } from '../helpers';

const py = probePython();
const dirs: string[] = [];
afterAll(() => dirs.forEach(removeBundle));

describe('bench bundles', () => {
  it('round-trip float64, float32 and int32 arrays byte for byte, with shapes and scalars in the manifest', () => {
    const f64 = Float64Array.from([Math.PI, -0, 1e-300, Number.MAX_VALUE]);
    const f32 = Float32Array.from([1.5, -2.25, 3.1415927]);
    const i32 = Int32Array.from([0, -1, 2147483647, -2147483648, 7, 8]);
    const dir = writeBundle(
      't',
      { n: 3, name: 'x' },
      { a: { data: f64, shape: [2, 2] }, b: { data: f32, shape: [3] }, c: { data: i32.subarray(2), shape: [4] } },
    );
    dirs.push(dir);
    const back = readBundle(dir);
    expect(back.scalars).toEqual({ n: 3, name: 'x' });
    expect(Array.from(back.arrays.a)).toEqual(Array.from(f64));
    expect(back.arrays.b).toBeInstanceOf(Float32Array);
    expect(Array.from(back.arrays.b)).toEqual(Array.from(f32));
    expect(Array.from(back.arrays.c)).toEqual([2147483647, -2147483648, 7, 8]); // a subarray writes only its view
    const m = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    expect(m.arrays.a).toEqual({ dtype: 'float64', shape: [2, 2], file: 'a.bin' });
  });

  it('rejects a shape that does not match the data and a name that is not a plain identifier', () => {
    expect(() => writeBundle('t', {}, { a: { data: new Float64Array(5), shape: [2, 2] } })).toThrow(
      /array 'a' has 5 elements, shape \[2, 2\] needs 4/,
    );
    expect(() => writeBundle('t', {}, { '../x': { data: new Float64Array(1), shape: [1] } })).toThrow(
      /must be alphanumeric/,
    );
  });

  it.skipIf(!py?.numpy)('the Python loader reads the same values and dtypes', () => {
    const f64 = new Rng(1).normals(7);
    const f32 = Float32Array.from(new Rng(2).normals(6));
    const dir = writeBundle(
      't',
      { k: 1 },
      {
        a: { data: f64, shape: [7] },
        b: { data: f32, shape: [2, 3] },
        c: { data: Int32Array.from([3, -4]), shape: [2] },
      },
    );
    dirs.push(dir);
    const code = `import sys, json
sys.path.insert(0, ${JSON.stringify(path.join(ROOT, 'bench', 'reference'))})
from common import load_bundle
s, a = load_bundle(${JSON.stringify(dir)})
print(json.dumps({"s": s, "a": a["a"].tolist(), "b": a["b"].astype("float64").reshape(-1).tolist(),
                  "bshape": list(a["b"].shape), "dt": [str(a[k].dtype) for k in "abc"], "c": a["c"].tolist()}))`;
    const r = spawnSync(py!.python, ['-c', code], { encoding: 'utf8', env: threadEnv(1) });
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.s).toEqual({ k: 1 });
    expect(j.a).toEqual(Array.from(f64));
    expect(j.b).toEqual(Array.from(f32));
    expect(j.bshape).toEqual([2, 3]);
    expect(j.dt).toEqual(['float64', 'float32', 'int32']);
    expect(j.c).toEqual([3, -4]);
  });
});

describe('reference scripts compute the kit workloads', () => {
  it.skipIf(!py?.numpy)(
    'value_iteration.py: same sweeps and V as the kit Jacobi sweep (and V* as Gauss–Seidel)',
    () => {
      const env = randomEnv(new Rng(4), { nS: 60, nA: 4, gamma: 0.95, branching: 5 });
      const rbar = new Rng(5).normals(240);
      const tol = 1e-9;
      const dir = writeBundle(
        'vi',
        { nS: 60, nA: 4, gamma: 0.95, tol },
        {
          rowPtr: { data: env.T.rowPtr, shape: [241] },
          col: { data: env.T.col, shape: [env.T.col.length] },
          prob: { data: env.T.prob, shape: [env.T.prob.length] },
          rbar: { data: rbar, shape: [240] },
        },
      );
      dirs.push(dir);
      const out = runReference(py!, 'value_iteration.py', dir, 1, ['--reps', '1']);
      const jac = valueIteration(env, rbar, { tol, sweep: 'jacobi' });
      const gs = valueIteration(env, rbar, { tol });
      for (const key of Object.keys(out.rows)) {
        const r = out.rows[key];
        expect(r.iterations, key).toBe(jac.iterations);
        for (let s = 0; s < 60; s++) {
          expect(Math.abs(r.V[s] - jac.V[s]), key).toBeLessThan(1e-12);
          expect(Math.abs(r.V[s] - gs.V[s]), key).toBeLessThan(2 * tol);
        }
      }
      expect(Object.keys(out.rows)).toContain('numpy');
    },
  );

  it.skipIf(!py?.torch)(
    'gru_grpo.py: the update loss equals a float64 one-hot GRU written from the spec, and one Adam step lowers it',
    () => {
      const spec = { ...gruSpec(), reps: 1 };
      const { vocab: V, hidden: H, promptLen: P, responseLen: L } = spec;
      const N = spec.prompts * spec.group;
      const prompts = groupPrompts(spec);
      const sig = (x: number) => 1 / (1 + Math.exp(-x));
      let total = 0;
      const h = new Float64Array(H),
        hn = new Float64Array(H),
        gh = new Float64Array(3 * H),
        logits = new Float64Array(V);
      for (let i = 0; i < N; i++) {
        h.fill(0);
        for (let t = 0; t < P + L - 1; t++) {
          const x = t < P ? prompts[i * P + t] : spec.responseTokens[i * L + t - P];
          for (let j = 0; j < 3 * H; j++) {
            let s = spec.bHh[j];
            for (let k = 0; k < H; k++) s += spec.wHh[j * H + k] * h[k];
            gh[j] = s;
          }
          for (let j = 0; j < H; j++) {
            const r = sig(spec.wIh[j * V + x] + spec.bIh[j] + gh[j]);
            const z = sig(spec.wIh[(H + j) * V + x] + spec.bIh[H + j] + gh[H + j]);
            const n = Math.tanh(spec.wIh[(2 * H + j) * V + x] + spec.bIh[2 * H + j] + r * gh[2 * H + j]);
            hn[j] = (1 - z) * n + z * h[j];
          }
          h.set(hn);
          if (t >= P - 1) {
            let m = -Infinity;
            for (let v = 0; v < V; v++) {
              let s = spec.bOut[v];
              for (let k = 0; k < H; k++) s += spec.wOut[v * H + k] * h[k];
              logits[v] = s;
              m = Math.max(m, s);
            }
            let z = 0;
            for (let v = 0; v < V; v++) z += Math.exp(logits[v] - m);
            const y = spec.responseTokens[i * L + t - P + 1];
            total += spec.advantages[i] * (logits[y] - m - Math.log(z));
          }
        }
      }
      const loss0 = -total / (N * L);
      const dir = writeBundle(
        'gru',
        {
          vocab: V,
          hidden: H,
          prompts: spec.prompts,
          group: spec.group,
          promptLen: P,
          responseLen: L,
          lr: spec.lr,
          reps: 1,
          seed: spec.seed,
        },
        {
          prompts: { data: prompts, shape: [N, P] },
          responses: { data: spec.responseTokens, shape: [N, L] },
          advantages: { data: spec.advantages, shape: [N] },
          wIh: { data: spec.wIh, shape: [3 * H, V] },
          wHh: { data: spec.wHh, shape: [3 * H, H] },
          bIh: { data: spec.bIh, shape: [3 * H] },
          bHh: { data: spec.bHh, shape: [3 * H] },
          wOut: { data: spec.wOut, shape: [V, H] },
          bOut: { data: spec.bOut, shape: [V] },
        },
      );
      dirs.push(dir);
      const out = runReference(py!, 'gru_grpo.py', dir, 1);
      expect(Math.abs(out.loss0 - loss0)).toBeLessThan(1e-6);
      expect(out.loss1).toBeLessThan(out.loss0);
      // Near-uniform initial policy over 14 tokens: sampled tokens have log π close to −log 14.
      expect(Math.abs(out.meanSampledLogp + Math.log(V))).toBeLessThan(0.1);
      expect(out.sampleMs).toBeGreaterThan(0);
    },
    60_000,
  );

  it.skipIf(!py?.torch)(
    'mlp.py: the first loss equals a float64 forward pass from the same weights, and Adam lowers it',
    () => {
      const spec = { ...mlpSpec(), warmup: 1, steps: 4 };
      const { sizes, batch } = spec;
      let acc = 0;
      for (let i = 0; i < batch; i++) {
        let a = Array.from(spec.x.subarray(i * sizes[0], (i + 1) * sizes[0]), Number);
        for (let l = 0; l + 1 < sizes.length; l++) {
          const o = new Array<number>(sizes[l + 1]).fill(0);
          for (let j = 0; j < sizes[l + 1]; j++) {
            let s = spec.b[l][j];
            for (let k = 0; k < sizes[l]; k++) s += spec.W[l][j * sizes[l] + k] * a[k];
            o[j] = l + 2 < sizes.length ? Math.max(0, s) : s;
          }
          a = o;
        }
        const out = sizes[sizes.length - 1];
        for (let j = 0; j < out; j++) acc += (a[j] - spec.y[i * out + j]) ** 2;
      }
      const loss0 = acc / (batch * sizes[sizes.length - 1]);
      const arrays: Record<string, { data: Float32Array; shape: number[] }> = {
        x: { data: spec.x, shape: [batch, sizes[0]] },
        y: { data: spec.y, shape: [batch, 4] },
      };
      spec.W.forEach((w, l) => {
        arrays[`W${l}`] = { data: w, shape: [sizes[l + 1], sizes[l]] };
        arrays[`b${l}`] = { data: spec.b[l], shape: [sizes[l + 1]] };
      });
      const dir = writeBundle('mlp', { sizes, batch, lr: spec.lr, warmup: 1, steps: 4 }, arrays);
      dirs.push(dir);
      const out = runReference(py!, 'mlp.py', dir, 1);
      expect(out.losses).toHaveLength(5);
      expect(Math.abs(out.losses[0] - loss0) / loss0).toBeLessThan(1e-5);
      expect(out.losses[4]).toBeLessThan(out.losses[0]);
    },
    60_000,
  );
});

describe('bench page', () => {
  it('renders every row with its time, ratio and agreement, and escapes text', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'rlmini-bench-html-'));
    dirs.push(out);
    const report: BenchReport = {
      date: '2024-05-01T00:00:00Z',
      flags: ['--quick'],
      totalS: 12.5,
      machine: {
        node: 'v20.0.0',
        platform: 'linux x64',
        cpu: 'Test <b>CPU</b>',
        cores: 2,
        backend: 'wasm',
        python: '3.11',
        numpy: '1.24',
        torch: '1.13',
        referenceThreads: 1,
      },
      rows: [
        {
          id: 'w/kit',
          workload: 'workload <script>alert(1)</script>',
          impl: 'kit <img src=x onerror=1>',
          side: 'kit',
          ms: 30,
          unit: 'per step',
          throughput: { value: 1234.5, unit: 'steps/s' },
          backend: 'wasm',
          threads: 1,
          refId: 'w/ref',
          ratio: 3,
          agreement: { ok: true, text: 'same loss' },
          detail: 'd',
        },
        {
          id: 'w/ref',
          workload: 'workload <script>alert(1)</script>',
          impl: 'PyTorch',
          side: 'reference',
          ms: 10,
          unit: 'per step',
          backend: 'torch',
          threads: 1,
          agreement: { ok: false, text: 'differs by 1' },
          detail: '',
        },
        {
          id: 'v/kit',
          workload: 'v',
          impl: 'kit',
          side: 'kit',
          ms: NaN,
          unit: '',
          backend: '',
          threads: 1,
          detail: 'failed: boom',
        },
      ],
    };
    const file = renderBenchPage(report, out, { generated: 'now', kitVersion: '0.1.0', commit: 'abc' });
    const html = fs.readFileSync(file, 'utf8');
    expect(html).not.toMatch(/<script>alert|<img src=x|<b>CPU/);
    expect(html).toMatch(/&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    expect(html).toMatch(/data-row="w\/kit"[\s\S]*30\.0 <small>per step[\s\S]*1235 steps\/s[\s\S]*3\.00×/);
    expect(html).toMatch(/data-row="w\/ref"[\s\S]*DIFFERS/);
    expect(html).toMatch(/data-row="v\/kit"[\s\S]*badge failed">failed/);
    expect(html).toMatch(/Content-Security-Policy/);
    expect(html).not.toMatch(/<script(?![^>]*src=)[^>]*>[^<]/); // no inline script
    expect(fs.existsSync(path.join(out, 'assets', 'style.css'))).toBe(true);
    expect(benchGroups(report).map((g) => g.rows.length)).toEqual([2, 1]);
    expect([
      formatMs(1234.4),
      formatMs(12.345),
      formatMs(1.2345),
      formatMs(0.012345),
      formatRatio(0.456),
      formatRatio(12.34),
      formatRatio(undefined),
    ]).toEqual(['1234', '12.3', '1.23', '0.0123', '0.46×', '12.3×', '']);
  });
});
