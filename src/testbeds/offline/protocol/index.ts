/**
 * The offline protocol's method table: every offline learner entered, its recipe file (one module per method, so a
 * record's key covers that method's code only), and the kit papers that use it.
 */
export * from './core';
import { protocolMethodRow, type NotEnteredMethod, type ProtocolMethodRow } from '../../../core/protocol-table';
import type { ProtocolRecipe } from './core';
import * as awr from './recipes/awr';
import * as bc from './recipes/bc';
import * as cql from './recipes/cql';
import * as fqi from './recipes/fqi';
import * as iql from './recipes/iql';

export type ProtocolMethod = ProtocolMethodRow<
  'imitation' | 'value-based' | 'in-sample value-based' | 'weighted imitation'
>;

const m = (
  mod: { recipe: ProtocolRecipe },
  file: string,
  regime: ProtocolMethod['regime'],
  papers: string[],
): ProtocolMethod => protocolMethodRow('testbeds/offline/protocol', mod, file, regime, papers);

export const PROTOCOL_METHODS: ProtocolMethod[] = [
  m(bc, 'bc', 'imitation', []),
  m(awr, 'awr', 'weighted imitation', []),
  m(fqi, 'fqi', 'value-based', []),
  m(cql, 'cql', 'value-based', []),
  m(iql, 'iql', 'in-sample value-based', []),
];

/** Methods of the testbed's papers not entered, and why (shown on the comparison page). */
export const NOT_ENTERED: NotEnteredMethod[] = [
  {
    name: 'best data-supported policy',
    papers: [],
    reason: 'knows the MDP: it is the reference each learner is compared with (recorded as gapToSupported)',
  },
];
