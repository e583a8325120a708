/**
 * The reasoning testbed's RL trainer: one loop (loop.ts, update.ts) whose variants are compositions of named
 * parts (advantage, aggregation, clipping, importance, kl, filters, token control, off-policy terms), listed in
 * recipes.ts; the policy interface (policy.ts); PPO's learned critic (critic.ts, gae.ts).
 */
export * as advantage from './advantage';
export * as gae from './gae';
export * as critic from './critic';
export * as aggregation from './aggregation';
export * as clipping from './clipping';
export * as kl from './kl';
export * as filters from './filters';
export * as importance from './importance';
export * as tokenControl from './token-control';
export * as offPolicy from './off-policy';
export * as objective from './objective';
export * as recipes from './recipes';
export * as policy from './policy';
export * as update from './update';
export * as loop from './loop';
export { RECIPES, RECIPE_NAMES, type Recipe, type RecipeName } from './recipes';
