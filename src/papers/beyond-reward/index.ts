/** beyond-reward: OPPO (hindsight information matching + a triplet-learned optimal context) against two-step
 * preference-based offline RL (a Bradley–Terry reward, then IQL / CQL) on a lava grid-world, exact values. */
export * as experiment from './experiment';
