/**
 * Pre-trained DDPM denoisers of the 2-D diffusion testbed: an EpsMlp trained by denoising score matching
 * (Ho et al. 2020, eq. 14, L_simple = E_{t, x_0, ε} |ε − ε_θ(√ᾱ_t x_0 + √(1 − ᾱ_t) ε, t)|², t uniform on 1…T) on
 * exact samples of a target's prompt mixtures, then frozen and cached in data/models/ so that every notebook
 * fine-tunes the same weights. Deterministic given the spec (seeded splittable generator, wasm engine).
 *
 * The cache key hashes the spec and the import closure of this module's compiled file (engine, Adam, mixtures,
 * schedule, network): editing any of it retrains; editing anything else does not.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { codeClosure } from '../../../core/code-closure';
import { paths } from '../../../core/paths';
import { writeFileAtomic } from '../../../core/records';
import { Rng } from '../../../core/rng';
import { Adam } from '../../../nn/adam';
import { mseLoss } from '../../../nn/mlp';
import { gmmSample } from '../env/gmm';
import { promptMixture, RING8, type Diffusion2dTarget } from '../env/targets';
import { ddpmForward } from './ddpm';
import { EpsMlp, type EpsMlpShape } from './denoiser';
import { ddpmSchedule, type DdpmScheduleSpec } from './schedule';

/** What determines a pre-trained denoiser's weights. */
export interface Diffusion2dBaseSpec {
  target: Diffusion2dTarget;
  /** Class-conditional on all the target's prompts (drawn uniformly), or unconditional on prompt 0. */
  conditional: boolean;
  schedule: DdpmScheduleSpec;
  network: Omit<EpsMlpShape, 'prompts' | 'T'>;
  steps: number;
  batch: number;
  lr: number;
  seed: number;
}

/**
 * Unconditional ring of eight, T = 20 cosine schedule, a 3 × 128 ReLU MLP, 8000 Adam steps of batch 512 (about
 * 65 s on one core; at 4000 steps its grid KL to p_ref was 0.063, at 8000 0.047, against 0.031 for exact-score
 * sampling with the same schedule).
 */
export const RING8_DDPM_BASE: Diffusion2dBaseSpec = {
  target: RING8,
  conditional: false,
  schedule: { T: 20, kind: 'cosine', variance: 'posterior' },
  network: { hidden: [128, 128, 128], frequencies: 4 },
  steps: 8000,
  batch: 512,
  lr: 2e-3,
  seed: 0,
};

/** The network shape a spec builds. */
export function baseNetworkShape(spec: Diffusion2dBaseSpec): EpsMlpShape {
  return { ...spec.network, prompts: spec.conditional ? spec.target.prompts.length : 0, T: spec.schedule.T };
}

function specKey(spec: Diffusion2dBaseSpec): string {
  const h = crypto.createHash('sha256').update(JSON.stringify({ v: 1, ...spec }));
  const file = path.join(paths.dist(), 'testbeds', 'diffusion2d', 'models', 'base-model.js');
  if (!fs.existsSync(file))
    throw new Error(
      `diffusion2d.baseModel: ${file} is missing; run \`npm run build\` first ` +
        `(the base model's cache key hashes the compiled code)`,
    );
  h.update(codeClosure(paths.dist(), [file]).hash);
  const net = spec.network.hidden.join('x');
  return `${spec.target.name}-ddpm${spec.schedule.T}-mlp${net}-${h.digest('hex').slice(0, 12)}`;
}

/** Where the cached weights of a spec live: data/models/<key>.bin (or $RLMINI_MODELS_DIR/<key>.bin). */
export function diffusion2dBaseFile(spec: Diffusion2dBaseSpec): string {
  const dir = process.env.RLMINI_MODELS_DIR
    ? path.resolve(process.env.RLMINI_MODELS_DIR)
    : path.join(paths.root(), 'data', 'models');
  return path.join(dir, `${specKey(spec)}.bin`);
}

export interface Diffusion2dBase {
  model: EpsMlp;
  /** Mean DSM loss over each block of 100 steps. */
  losses: number[];
  cached: boolean;
  trainMs: number;
}

/** One DSM batch: points x_t, steps t, prompts, and the noise ε to predict. */
export function dsmBatch(
  spec: Diffusion2dBaseSpec,
  rng: Rng,
): { xt: Float64Array; t: Int32Array; prompt: Int32Array; eps: Float64Array } {
  const B = spec.batch,
    T = spec.schedule.T;
  const sched = ddpmSchedule(spec.schedule);
  const P = spec.conditional ? spec.target.prompts.length : 1;
  const mixtures = Array.from({ length: P }, (_, p) => promptMixture(spec.target, p));
  const prompt = new Int32Array(B),
    t = new Int32Array(B);
  const x0 = new Float64Array(2 * B);
  const r = rng.split('x0');
  for (let n = 0; n < B; n++) {
    prompt[n] = spec.conditional ? r.int(P) : 0;
    t[n] = 1 + r.int(T);
    const s = gmmSample(mixtures[prompt[n]], 1, r).x;
    x0[2 * n] = s[0];
    x0[2 * n + 1] = s[1];
  }
  const eps = rng.split('eps').normals(2 * B);
  return { xt: ddpmForward(sched, x0, t, eps), t, prompt, eps };
}

/** Pre-trains a denoiser from scratch (deterministic given the spec); Adam with cosine decay to 10 % of lr. */
export function pretrainDiffusion2dBase(spec: Diffusion2dBaseSpec): Diffusion2dBase {
  const t0 = Date.now();
  const rng = new Rng(spec.seed).split('diffusion2d-base-model');
  const model = new EpsMlp(baseNetworkShape(spec), rng.split('init'), { wasm: true });
  const opt = new Adam(model.mlp.size, { lr: spec.lr, maxGradNorm: 1 });
  const data = rng.split('data');
  const losses: number[] = [];
  let acc = 0,
    count = 0;
  for (let s = 0; s < spec.steps; s++) {
    opt.lr = spec.lr * (0.1 + 0.45 * (1 + Math.cos((Math.PI * s) / spec.steps)));
    const b = dsmBatch(spec, data.split(s));
    model.mlp.zeroGrad();
    const pred = model.mlp.forward(model.features(b.xt, b.t, spec.batch, b.prompt), spec.batch);
    const { loss, grad } = mseLoss(pred, Float32Array.from(b.eps));
    model.mlp.backward(grad);
    opt.step(model.mlp.params.f, model.mlp.grads.f);
    acc += loss;
    count++;
    if (count === 100 || s === spec.steps - 1) {
      losses.push(acc / count);
      acc = count = 0;
    }
  }
  return { model, losses, cached: false, trainMs: Date.now() - t0 };
}

function save(file: string, m: EpsMlp, meta: Record<string, unknown>): void {
  const header = Buffer.from(
    JSON.stringify({ format: 'rlmini-eps-mlp/1', shape: m.shape, size: m.mlp.size, meta }) + '\n',
  );
  const body = Buffer.alloc(m.mlp.size * 4);
  const p = m.mlp.params.f;
  for (let i = 0; i < p.length; i++) body.writeFloatLE(p[i], i * 4);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic(file, Buffer.concat([header, body]));
}

function load(file: string): { model: EpsMlp; meta: Record<string, unknown> } | null {
  if (!fs.existsSync(file)) return null;
  const buf = fs.readFileSync(file);
  const nl = buf.indexOf(10);
  const header = nl < 0 ? null : (JSON.parse(buf.subarray(0, nl).toString('utf8')) as Record<string, unknown>);
  if (!header || header.format !== 'rlmini-eps-mlp/1')
    throw new Error(`diffusion2d.baseModel: ${file} is not an rlmini-eps-mlp/1 file; delete it to retrain`);
  const model = new EpsMlp(header.shape as EpsMlpShape, new Rng(0), { wasm: true });
  const body = buf.subarray(nl + 1);
  if (body.length !== model.mlp.size * 4)
    throw new Error(`diffusion2d.baseModel: ${file} holds ${body.length / 4} parameters, expected ${model.mlp.size}`);
  for (let i = 0; i < model.mlp.size; i++) model.mlp.params.f[i] = body.readFloatLE(i * 4);
  return { model, meta: header.meta as Record<string, unknown> };
}

/** The pre-trained denoiser of a spec: loaded from data/models/ when cached, else trained and saved (atomically). */
export function diffusion2dBase(spec: Diffusion2dBaseSpec = RING8_DDPM_BASE): Diffusion2dBase {
  const file = diffusion2dBaseFile(spec);
  const hit = load(file);
  if (hit) return { model: hit.model, losses: (hit.meta.losses as number[]) ?? [], cached: true, trainMs: 0 };
  const r = pretrainDiffusion2dBase(spec);
  save(file, r.model, { spec: { ...spec, target: spec.target.name }, losses: r.losses, trainMs: r.trainMs });
  return r;
}
