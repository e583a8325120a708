/**
 * The preference protocol's method table (like TRL's paper index): every entered method, the recipe file that
 * composes it from the testbed's parts, the task that runs it (one module per method, so a record's key covers
 * that method's code only and adding a method runs only that method), and the papers of the kit that use it.
 */
export * from './core';
import { protocolMethodRow, type NotEnteredMethod, type ProtocolMethodRow } from '../../../core/protocol-table';
import type { ProtocolRecipe } from './core';
import * as dno from './recipes/dno';
import * as dnoExact from './recipes/exact/dno';
import * as dpo from './recipes/dpo';
import * as inpo from './recipes/inpo';
import * as ipo from './recipes/ipo';
import * as iterDpoBt from './recipes/iter-dpo-bt';
import * as nashMdExact from './recipes/exact/nash-md';
import * as omdExact from './recipes/exact/omd';
import * as onlineIpo from './recipes/online-ipo';
import * as p3oJoint from './recipes/p3o/joint';
import * as p3oSeparate from './recipes/p3o/separate';
import * as ppoPar from './recipes/par';
import * as rlhfBt from './recipes/rlhf-bt';
import * as rlhfPpo from './recipes/rlhf-ppo';
import * as rpo from './recipes/rpo';
import * as cdpo from './recipes/cdpo';
import * as simpo from './recipes/simpo';

export type ProtocolMethod = ProtocolMethodRow<'online' | 'offline' | 'exact'>;

const m = (
  mod: { recipe: ProtocolRecipe },
  file: string,
  regime: ProtocolMethod['regime'],
  papers: string[],
): ProtocolMethod => protocolMethodRow('testbeds/preference/protocol', mod, file, regime, papers);

export const PROTOCOL_METHODS: ProtocolMethod[] = [
  m(inpo, 'inpo', 'online', ['inpo']),
  m(onlineIpo, 'online-ipo', 'online', ['inpo']),
  m(iterDpoBt, 'iter-dpo-bt', 'online', ['inpo', 'dno']),
  m(dno, 'dno', 'online', ['dno']),
  m(rlhfBt, 'rlhf-bt', 'offline', ['dno']),
  m(rlhfPpo, 'rlhf-ppo', 'offline', ['p3o', 'par']),
  m(p3oSeparate, 'p3o/separate', 'offline', ['p3o']),
  m(p3oJoint, 'p3o/joint', 'offline', ['p3o']),
  m(ppoPar, 'par', 'offline', ['par']),
  m(dpo, 'dpo', 'offline', ['rpo', 'dpo-implicit-rm', 'sail-into-the-headwind']),
  m(ipo, 'ipo', 'offline', ['rpo', 'sail-into-the-headwind']),
  m(rpo, 'rpo', 'offline', ['rpo', 'sail-into-the-headwind']),
  m(cdpo, 'cdpo', 'offline', ['sail-into-the-headwind']),
  m(simpo, 'simpo', 'offline', ['sail-into-the-headwind']),
  m(omdExact, 'exact/omd', 'exact', ['nash-md', 'inpo']),
  m(nashMdExact, 'exact/nash-md', 'exact', ['nash-md']),
  m(dnoExact, 'exact/dno', 'exact', ['dno']),
];

/** Methods of the testbed's papers not entered yet, and why (shown on the comparison page). */
export const NOT_ENTERED: NotEnteredMethod[] = [
  { name: 'spin', papers: ['dno'], reason: 'needs a teacher policy, which the protocol does not provide' },
  {
    name: 'P3O / PPO / PAR on sequences',
    papers: ['p3o', 'par'],
    reason:
      "entered on the protocol's per-prompt softmax tables (rlhf-ppo, p3o-v1, p3o-v2, ppo-par); their token-level " +
      'sequence versions need a sequence protocol',
  },
  {
    name: 'POWER, POWER-DL',
    papers: ['sail-into-the-headwind'],
    reason:
      "not entered: POWER's objective is reconstructed from the paper's abstract (its method section was not " +
      'readable), so a protocol entry waits for the published loss',
  },
];
