/**
 * A test policy for the reasoning trainer's update: its completion log-probabilities are free parameters θ (N × L),
 * scored as they are; it records the first per-token weights w = ∂loss/∂log π it is handed (to compare with central
 * differences of a loss written independently) and takes no step.
 */
import type { RlPolicy, Scored } from '../../../src/testbeds/reasoning/trainer/policy';

export class FreeLogp implements RlPolicy {
  w: Float32Array | null = null;
  constructor(readonly theta: Float32Array) {}
  sample(): never {
    throw new Error('not used');
  }
  score(): Scored {
    return { logp: this.theta };
  }
  backward(_s: Scored, w: Float32Array): void {
    if (!this.w) this.w = Float32Array.from(w);
  }
  step(): number {
    return 0;
  }
  snapshot(): Float32Array {
    return this.theta;
  }
}
