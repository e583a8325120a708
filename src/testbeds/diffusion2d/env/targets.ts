/**
 * The testbed's target distributions: a base mixture and "prompts", each prompt a reweighting of the base
 * components (a subset gets weight 0), so that a class-conditional model sees one mixture per prompt and
 * every conditional density is exact.
 */
import { makeGmm2d, type Gmm2d, type Gmm2dComponent } from './gmm';

/** A named target: its components and prompts (one weight per component, renormalised). */
export interface Diffusion2dTarget {
  name: string;
  components: Gmm2dComponent[];
  prompts: { name: string; weights: number[] }[];
}

/** K components of standard deviation `std` evenly spaced on a circle of radius `radius` (the first at angle 0). */
export function ringComponents(K: number, radius: number, std: number, weights?: readonly number[]): Gmm2dComponent[] {
  return Array.from({ length: K }, (_, k) => {
    const a = (2 * Math.PI * k) / K;
    return { weight: weights?.[k] ?? 1, mean: [radius * Math.cos(a), radius * Math.sin(a)] as const, std };
  });
}

/**
 * Eight Gaussians (σ = 0.35) on a circle of radius 3, with four prompts: `all` (equal weights), `upper` (the
 * three modes with y > 0 and the two on the x-axis, i.e. angles 0…π), `odd` (modes 1, 3, 5, 7) and `skewed`
 * (weights 8:4:2:1:1:1:1:1 — rare modes that mode-seeking fine-tuning can drop).
 */
export const RING8: Diffusion2dTarget = {
  name: 'ring8',
  components: ringComponents(8, 3, 0.35),
  prompts: [
    { name: 'all', weights: [1, 1, 1, 1, 1, 1, 1, 1] },
    { name: 'upper', weights: [1, 1, 1, 1, 1, 0, 0, 0] },
    { name: 'odd', weights: [0, 1, 0, 1, 0, 1, 0, 1] },
    { name: 'skewed', weights: [8, 4, 2, 1, 1, 1, 1, 1] },
  ],
};

/** The mixture of one prompt (by index or name) of a target; components of weight 0 are dropped. */
export function promptMixture(target: Diffusion2dTarget, prompt: number | string = 0): Gmm2d {
  const i = typeof prompt === 'number' ? prompt : target.prompts.findIndex((p) => p.name === prompt);
  const p = target.prompts[i];
  if (!p)
    throw new RangeError(
      `diffusion2d.promptMixture: target ${target.name} has no prompt ${prompt} ` +
        `(prompts: ${target.prompts.map((q) => q.name).join(', ')})`,
    );
  if (p.weights.length !== target.components.length)
    throw new RangeError(`diffusion2d.promptMixture: prompt ${p.name} must give one weight per component`);
  return makeGmm2d(target.components.map((c, k) => ({ ...c, weight: p.weights[k] })));
}

/** The prompt's weights over all base components (zeros kept, renormalised): for mode masses on the base modes. */
export function promptWeights(target: Diffusion2dTarget, prompt: number): Float64Array {
  const w = Float64Array.from(target.prompts[prompt].weights);
  const s = w.reduce((a, b) => a + b, 0);
  return w.map((v) => v / s);
}

/** The base mixture (all components at their base weights). */
export function baseMixture(target: Diffusion2dTarget): Gmm2d {
  return makeGmm2d(target.components);
}
