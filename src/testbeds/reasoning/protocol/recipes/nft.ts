/** The reasoning protocol's NFT entry: a recipe of the trainer's parts (summary below), and its task. */
import type { ProtocolConfig, ProtocolRecipe } from '../core';
import { runRecipe } from '../core';
import { NFT_RECIPES } from '../../trainer/objectives/nft';

export const recipe: ProtocolRecipe = {
  name: 'nft',
  summary:
    'negative-aware fine-tuning: likelihood of positives, implicit negative policy for negatives, ω ' +
    '= 1 − r̂_q (Chen et al. 2025)',
  trainer: NFT_RECIPES.nft,
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
