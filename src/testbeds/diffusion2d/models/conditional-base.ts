/**
 * The class-conditional pre-trained DDPM of the testbed: the ring of eight with its four prompts (RING8: `all`,
 * `upper`, `odd`, `skewed`, each a mixture over the same eight modes) as a one-hot input to ε_θ(x_t, t, c), trained
 * by the same denoising score matching code as the unconditional model (base-model.ts `pretrainDiffusion2dBase`,
 * prompts drawn uniformly per row) and cached in data/models/ under its own key (`diffusion2dBase(spec)`).
 * Same schedule, network and optimiser settings as RING8_DDPM_BASE; kept in its own module so that the
 * unconditional model's cache key (the import closure of base-model.js) does not change.
 */
import { RING8_DDPM_BASE, type Diffusion2dBaseSpec } from './base-model';

export const RING8_COND_DDPM_BASE: Diffusion2dBaseSpec = { ...RING8_DDPM_BASE, conditional: true };
