#!/usr/bin/env node
/**
 * Probes WebGPU in Node through the `webgpu` npm package (Dawn): lists the adapter(s) Dawn finds, and times a
 * float32 matrix product in a WGSL compute shader (16×16 workgroups, shared-memory tiles) checked against a CPU
 * product on a few entries. Writes JSON to <out.json>. Usage: node scripts/gpu/webgpu-probe.mjs <out.json> [n ...]
 */
import fs from 'node:fs';

const out = process.argv[2] ?? '/dev/stdout';
const sizes = process.argv.slice(3).map(Number);
const result = { ok: false, adapters: [], matmul: [] };
const save = () => fs.writeFileSync(out, JSON.stringify(result, null, 1) + '\n');
try {
  // RLMINI_WEBGPU_MODULE: a path to the package's index.js where it is not installed in node_modules.
  const { create, globals } = await import(process.env.RLMINI_WEBGPU_MODULE ?? 'webgpu');
  Object.assign(globalThis, globals);
  const gpu = create([]);
  for (const powerPreference of ['high-performance', 'low-power']) {
    const a = await gpu.requestAdapter({ powerPreference });
    if (!a) continue;
    const info = a.info ?? {};
    result.adapters.push({
      powerPreference,
      vendor: info.vendor,
      architecture: info.architecture,
      device: info.device,
      description: info.description,
      features: [...a.features],
      maxBufferSize: a.limits.maxBufferSize,
      maxComputeWorkgroupStorageSize: a.limits.maxComputeWorkgroupStorageSize,
    });
  }
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new Error('no WebGPU adapter (is a Vulkan loader and driver installed?)');
  const device = await adapter.requestDevice({
    requiredLimits: { maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize },
  });
  const T = 16;
  const code = `
@group(0) @binding(0) var<storage, read> A: array<f32>;
@group(0) @binding(1) var<storage, read> B: array<f32>;
@group(0) @binding(2) var<storage, read_write> C: array<f32>;
@group(0) @binding(3) var<uniform> n: u32;
var<workgroup> As: array<array<f32, ${T}>, ${T}>;
var<workgroup> Bs: array<array<f32, ${T}>, ${T}>;
@compute @workgroup_size(${T}, ${T})
fn main(@builtin(global_invocation_id) g: vec3<u32>, @builtin(local_invocation_id) l: vec3<u32>) {
  let row = g.y; let col = g.x;
  var acc = 0.0;
  for (var t = 0u; t < n; t += ${T}u) {
    As[l.y][l.x] = A[row * n + t + l.x];
    Bs[l.y][l.x] = B[(t + l.y) * n + col];
    workgroupBarrier();
    for (var k = 0u; k < ${T}u; k++) { acc = fma(As[l.y][k], Bs[k][l.x], acc); }
    workgroupBarrier();
  }
  C[row * n + col] = acc;
}`;
  const pipeline = device.createComputePipeline({
    layout: 'auto',
    compute: { module: device.createShaderModule({ code }), entryPoint: 'main' },
  });
  for (const n of sizes.length ? sizes : [1024, 4096]) {
    const a = Float32Array.from({ length: n * n }, (_, i) => ((i * 2654435761) % 1000) / 1000 - 0.5);
    const b = Float32Array.from({ length: n * n }, (_, i) => ((i * 40503) % 997) / 997 - 0.5);
    const buf = (data, usage) => {
      const x = device.createBuffer({ size: data.byteLength, usage, mappedAtCreation: true });
      new data.constructor(x.getMappedRange()).set(data);
      x.unmap();
      return x;
    };
    const S = GPUBufferUsage.STORAGE;
    const A = buf(a, S),
      B = buf(b, S),
      C = device.createBuffer({ size: n * n * 4, usage: S | GPUBufferUsage.COPY_SRC }),
      U = buf(new Uint32Array([n, 0, 0, 0]), GPUBufferUsage.UNIFORM),
      R = device.createBuffer({ size: n * n * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const bind = device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [A, B, C, U].map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
    const run = async (reps) => {
      const enc = device.createCommandEncoder();
      for (let r = 0; r < reps; r++) {
        const p = enc.beginComputePass();
        p.setPipeline(pipeline);
        p.setBindGroup(0, bind);
        p.dispatchWorkgroups(n / T, n / T);
        p.end();
      }
      device.queue.submit([enc.finish()]);
      await device.queue.onSubmittedWorkDone();
    };
    await run(1);
    const reps = n >= 4096 ? 5 : 20;
    const t0 = performance.now();
    await run(reps);
    const ms = (performance.now() - t0) / reps;
    const enc = device.createCommandEncoder();
    enc.copyBufferToBuffer(C, 0, R, 0, n * n * 4);
    device.queue.submit([enc.finish()]);
    await R.mapAsync(GPUMapMode.READ);
    const c = new Float32Array(R.getMappedRange().slice(0));
    R.unmap();
    let maxRel = 0;
    for (const [i, j] of [
      [0, 0],
      [n - 1, n - 1],
      [n >> 1, 7],
      [3, n >> 2],
    ]) {
      let s = 0;
      for (let k = 0; k < n; k++) s += a[i * n + k] * b[k * n + j];
      maxRel = Math.max(maxRel, Math.abs(c[i * n + j] - s) / Math.max(1e-3, Math.abs(s)));
    }
    result.matmul.push({ n, ms, gflops: (2 * n ** 3) / ms / 1e6, maxRelErrVsCpu: maxRel });
    console.log(JSON.stringify(result.matmul.at(-1)));
    for (const x of [A, B, C, U, R]) x.destroy();
  }
  device.destroy();
  result.ok = true;
} catch (e) {
  result.error = String(e?.stack ?? e);
}
save();
console.log(
  JSON.stringify({ ok: result.ok, adapters: result.adapters.map((a) => a.description), error: result.error }),
);
process.exit(0);
