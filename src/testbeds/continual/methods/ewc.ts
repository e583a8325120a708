/**
 * Elastic Weight Consolidation (Kirkpatrick et al. 2017, PNAS, eq. 3): after each task A the network stores its
 * parameters θ*_A and the diagonal of the Fisher information F_A at θ*_A; while training later tasks it minimises
 *
 *   L(θ) = L_B(θ) + Σ_{A earlier} Σ_i (λ/2) F_{A,i} (θ_i − θ*_{A,i})²                         (eq. 3, one penalty per
 *                                                                                           earlier task, as in the
 *                                                                                           paper's multi-task case)
 *
 * whose gradient adds λ F_{A,i} (θ_i − θ*_{A,i}) to ∂L_B/∂θ_i. The Fisher is the model's own (the true Fisher,
 * labels drawn from the model): F_i = E_x Σ_c p_θ(c|x) (∂ log p_θ(c|x)/∂θ_i)², the expectation over classes taken
 * exactly, the one over x the mean over the task's training inputs. Memory: two vectors (θ*, F) per earlier task.
 */
import type { AnyMlp } from '../../../nn/thread-engine';
import { softmaxInPlace } from '../loops/classifier';

/** The diagonal Fisher of a softmax classifier at its current parameters on inputs x (n × d_in). */
export function diagonalFisher(net: AnyMlp, x: Float32Array, n: number): Float64Array {
  const dIn = net.dims[0],
    C = net.dims[net.dims.length - 1];
  const F = new Float64Array(net.size);
  const dy = new Float32Array(C);
  for (let s = 0; s < n; s++) {
    const p = softmaxInPlace(net.forward(x.subarray(s * dIn, (s + 1) * dIn), 1), 1, C);
    for (let c = 0; c < C; c++) {
      // ∂(−log p(c|x))/∂logits = p − e_c; its square is that of ∂ log p(c|x)/∂θ.
      for (let j = 0; j < C; j++) dy[j] = p[j] - (j === c ? 1 : 0);
      net.zeroGrad();
      net.backward(dy);
      const g = net.grads.f;
      const w = p[c] / n;
      for (let i = 0; i < F.length; i++) F[i] += w * g[i] * g[i];
    }
  }
  net.zeroGrad();
  return F;
}

/** The EWC penalty of eq. 3 over every consolidated task. */
export class EwcPenalty {
  readonly anchors: Float32Array[] = [];
  readonly fishers: Float64Array[] = [];
  constructor(readonly lambda: number) {
    if (!(lambda >= 0)) throw new RangeError(`continual.EwcPenalty: lambda must be ≥ 0, got ${lambda}`);
  }

  /** Store θ* and F of the task just learnt. */
  consolidate(params: Float32Array, fisher: Float64Array): void {
    this.anchors.push(Float32Array.from(params));
    this.fishers.push(fisher);
  }

  /** Σ_A (λ/2) Σ_i F_{A,i} (θ_i − θ*_{A,i})². */
  value(params: Float32Array): number {
    let s = 0;
    this.anchors.forEach((a, k) => {
      const F = this.fishers[k];
      for (let i = 0; i < a.length; i++) s += F[i] * (params[i] - a[i]) ** 2;
    });
    return 0.5 * this.lambda * s;
  }

  /** grads += ∂ penalty/∂θ = Σ_A λ F_A ⊙ (θ − θ*_A). */
  addGradient(params: Float32Array, grads: Float32Array): void {
    const l = this.lambda;
    this.anchors.forEach((a, k) => {
      const F = this.fishers[k];
      for (let i = 0; i < a.length; i++) grads[i] += l * F[i] * (params[i] - a[i]);
    });
  }

  /** Floats stored: 2·P per consolidated task. */
  storedFloats(): number {
    return this.anchors.reduce((s, a) => s + 2 * a.length, 0);
  }
}
