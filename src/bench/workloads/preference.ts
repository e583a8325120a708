/**
 * Tabular preference sweep, float64, on one fixed dataset and one fixed preference game:
 * - DPO (Rafailov et al. 2023, eq. 7) on tabular logits, 128 prompts × 32 responses, 4,096 fixed
 *   Bradley–Terry-labelled comparisons (32 per prompt), full-batch Adam (lr 0.05), 300 steps from
 *   log π_ref, for β ∈ {0.1, 0.3, 1}: the kit's `trainLogits` + `dpoLoss` against PyTorch autograd
 *   (F.logsigmoid, torch.optim.Adam).
 * - Nash-MD (Munos et al. 2023, §5), exact tabular iterations on a random 128 × 32 × 32 preference
 *   game (Bradley–Terry + cyclic part), μ = π_ref, 300 iterations with η = log T / (βT), for the same
 *   β: the kit's `nashMDStepLog` against batched torch ops (bmm, logsumexp).
 * Agreement: the final logits of every β (max |Δ|).
 */
import { Rng } from '../../core/rng';
import { sampleComparisons } from '../../testbeds/preference/data/comparisons';
import { randomGame } from '../../testbeds/preference/data/game';
import { trainLogits } from '../../testbeds/preference/loops/full-batch';
import { dpoLoss } from '../../testbeds/preference/methods/dpo';
import { nashMDStepLog, stepSize } from '../../testbeds/preference/methods/nash-md';
import { logSoftmaxRows } from '../../testbeds/preference/policies/logit-table';
import { removeBundle, writeBundle } from '../bundle';
import { runReference } from '../python';
import { maxAbsDiff, relDiff, timeReps } from '../timing';
import type { BenchRow } from '../types';
import { failedRow, type Workload } from '../workload';

export const PREF = {
  nX: 128,
  nY: 32,
  perContext: 32,
  betas: [0.1, 0.3, 1],
  dpoSteps: 300,
  lr: 0.05,
  nashSteps: 300,
  seed: 3,
  reps: 3,
} as const;
const WD = 'preference sweep: DPO 128×32, 3 β × 300 Adam steps';
const WN = 'preference sweep: Nash-MD 128×32, 3 β × 300 iterations';

export function preferenceProblem() {
  const { nX, nY } = PREF;
  const rng = new Rng(PREF.seed).split('bench-preference');
  const shape = { nX, nY };
  const gold = rng.split('gold').normals(nX * nY);
  const logpRef = logSoftmaxRows(rng.split('ref').normals(nX * nY, 0, 0.5), shape);
  const behaviour = new Float64Array(nX * nY).fill(1 / nY);
  const comps = sampleComparisons(
    rng.split('data'),
    { nX, nY, gold, d: 0 },
    { behaviour, perContext: PREF.perContext, labels: 'bradley-terry' },
  );
  const game = randomGame(rng.split('game'), { nX, nY, btScale: 1, cyclicScale: 1 });
  return { shape, logpRef, comps, game };
}

export const preferenceWorkload: Workload = {
  id: 'pref',
  title: 'tabular preference sweep (DPO, Nash-MD)',
  async run(ctx) {
    const { shape, logpRef, comps, game } = preferenceProblem();
    const { nX, nY } = shape;
    const dpoSweep = () =>
      PREF.betas.map((beta) =>
        trainLogits({
          loss: (th) => dpoLoss(th, logpRef, comps, shape, beta),
          init: logpRef,
          steps: PREF.dpoSteps,
          optimiser: 'adam',
          lr: PREF.lr,
        }),
      );
    const nashSweep = () =>
      PREF.betas.map((beta) => {
        const eta = stepSize({ kind: 'horizon', T: PREF.nashSteps }, 0, beta);
        const l = Float64Array.from(logpRef);
        const work = { nX, nY, probs: new Float64Array(nX * nY) };
        const pref = new Float64Array(nX * nY);
        for (let t = 0; t < PREF.nashSteps; t++) nashMDStepLog(game, l, logpRef, eta, beta, work, pref);
        return l;
      });
    const dpo = timeReps(dpoSweep, PREF.reps);
    const nash = timeReps(nashSweep, PREF.reps);
    const dpoSteps = PREF.betas.length * PREF.dpoSteps;
    const nashSteps = PREF.betas.length * PREF.nashSteps;
    const rows: BenchRow[] = [
      {
        id: 'pref/dpo/kit',
        workload: WD,
        impl: 'kit (typed arrays)',
        side: 'kit',
        ms: dpo.median,
        unit: 'per sweep',
        throughput: { value: (dpoSteps / dpo.median) * 1e3, unit: 'steps/s' },
        backend: 'typed-arrays',
        threads: 1,
        refId: 'pref/dpo/torch-1t',
        detail: `${comps.n} comparisons; median of ${PREF.reps} sweeps`,
      },
      {
        id: 'pref/nash-md/kit',
        workload: WN,
        impl: 'kit (typed arrays)',
        side: 'kit',
        ms: nash.median,
        unit: 'per sweep',
        throughput: { value: (nashSteps / nash.median) * 1e3, unit: 'iterations/s' },
        backend: 'typed-arrays',
        threads: 1,
        refId: 'pref/nash-md/torch-1t',
        detail: `median of ${PREF.reps} sweeps`,
      },
    ];
    if (!ctx.py?.torch) {
      rows[0].detail += '; no PyTorch reference (python3 -c "import torch" fails: apt-get install python3-torch)';
      return rows;
    }
    const dir = writeBundle(
      'pref',
      { nX, nY, betas: PREF.betas, dpoSteps: PREF.dpoSteps, lr: PREF.lr, nashSteps: PREF.nashSteps },
      {
        logpRef: { data: logpRef, shape: [nX, nY] },
        x: { data: comps.x, shape: [comps.n] },
        a: { data: comps.a, shape: [comps.n] },
        b: { data: comps.b, shape: [comps.n] },
        p: { data: comps.p, shape: [comps.n] },
        w: { data: comps.w, shape: [comps.n] },
        P: { data: game.P, shape: [nX, nY, nY] },
      },
    );
    try {
      for (const threads of [1, 2]) {
        let out: Record<string, any>;
        try {
          out = runReference(ctx.py, 'preference.py', dir, threads, ['--reps', String(PREF.reps)]);
        } catch (e) {
          rows.push(failedRow(`pref/dpo/torch-${threads}t`, WD, `PyTorch (${threads} threads)`, 'reference', e));
          continue;
        }
        const dD = Math.max(...PREF.betas.map((_, i) => maxAbsDiff(dpo.last[i], out.dpo.logits[i])));
        const dL = Math.max(
          ...PREF.betas.map((beta, i) =>
            relDiff(dpoLoss(dpo.last[i], logpRef, comps, shape, beta).loss, out.dpo.loss[i]),
          ),
        );
        const dN = Math.max(...PREF.betas.map((_, i) => maxAbsDiff(nash.last[i], out.nash.logits[i])));
        // Adam turns float64 rounding into visible differences where a gradient crosses zero (β 0.3, 1:
        // up to ~1e-3 mid-run, ~1e-5 at the end; β 0.1: 1e-14), so the losses are the tight check.
        const agD = {
          ok: dL <= 1e-6 && dD <= 1e-3,
          text:
            `final DPO loss of all β: max relative |Δ| ${dL.toExponential(1)} (≤ 1e-6); ` +
            `final logits max |Δ| ${dD.toExponential(1)} (≤ 1e-3)`,
        };
        const agN = { ok: dN <= 1e-9, text: `final log-policies of all β: max |Δ| ${dN.toExponential(1)} (≤ 1e-9)` };
        const t = `${threads} thread${threads > 1 ? 's' : ''}`;
        rows.push({
          id: `pref/dpo/torch-${threads}t`,
          workload: WD,
          impl: `PyTorch ${ctx.py.torch} autograd + Adam (${t})`,
          side: 'reference',
          ms: out.dpo.ms,
          unit: 'per sweep',
          throughput: { value: (dpoSteps / out.dpo.ms) * 1e3, unit: 'steps/s' },
          backend: 'torch',
          threads,
          agreement: agD,
          detail: `median of ${PREF.reps} sweeps`,
        });
        rows.push({
          id: `pref/nash-md/torch-${threads}t`,
          workload: WN,
          impl: `PyTorch ${ctx.py.torch} batched ops (${t})`,
          side: 'reference',
          ms: out.nash.ms,
          unit: 'per sweep',
          throughput: { value: (nashSteps / out.nash.ms) * 1e3, unit: 'iterations/s' },
          backend: 'torch',
          threads,
          agreement: agN,
          detail: `median of ${PREF.reps} sweeps`,
        });
        if (threads === 1) {
          rows[0].agreement = agD;
          rows[1].agreement = agN;
        }
      }
    } finally {
      removeBundle(dir);
    }
    return rows;
  },
};
