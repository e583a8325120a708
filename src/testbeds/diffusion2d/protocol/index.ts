/**
 * The diffusion2d protocol's method table: every fine-tuning method entered, its recipe file (one module per method,
 * so a record's key covers that method's code only), and the kit papers that use it.
 */
export * from './core';
import { protocolMethodRow, type NotEnteredMethod, type ProtocolMethodRow } from '../../../core/protocol-table';
import type { ProtocolRecipe } from './core';
import * as ddpo from './recipes/ddpo';
import * as ddpoKl from './recipes/ddpo-kl';
import * as draft1 from './recipes/draft-1';

export type ProtocolMethod = ProtocolMethodRow<'policy gradient' | 'reward backpropagation'>;

const m = (
  mod: { recipe: ProtocolRecipe },
  file: string,
  regime: ProtocolMethod['regime'],
  papers: string[],
): ProtocolMethod => protocolMethodRow('testbeds/diffusion2d/protocol', mod, file, regime, papers);

export const PROTOCOL_METHODS: ProtocolMethod[] = [
  m(ddpo, 'ddpo', 'policy gradient', []),
  m(ddpoKl, 'ddpo-kl', 'policy gradient', ['testbed-diffusion2d']),
  m(draft1, 'draft-1', 'reward backpropagation', []),
];

/** Methods of the testbed's papers not entered, and why (shown on the comparison page). */
export const NOT_ENTERED: NotEnteredMethod[] = [
  {
    name: 'the tilted target itself',
    papers: [],
    reason: 'the exact KL-regularised optimum on the grid: the reference every score is measured against',
  },
  {
    name: 'LOOP, RLOO, REINFORCE (methods/loop.ts rounds)',
    papers: ['a-simple-and-effective-reinforcement'],
    reason:
      "K samples per prompt need prompts: LOOP's round runs on the class-conditional model, and the protocol's " +
      'tasks use the unconditional one; entering them needs conditional protocol tasks (not built yet)',
  },
];
